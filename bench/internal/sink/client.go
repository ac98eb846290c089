package sink

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Server is the parent's handle on a child process running Main.
type Server struct {
	cmd *exec.Cmd
	in  io.WriteCloser

	mu  sync.Mutex // one command at a time
	out *bufio.Reader
}

// Start runs name with args as a receiver process: the program must call
// Main when it finds EnvVar in its environment (a test binary re-run with
// os.Args[0] does, from its TestMain).
func Start(name string, args ...string) (*Server, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), EnvVar+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Server{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

func (s *Server) do(format string, args ...any) (reply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.in, format+"\n", args...); err != nil {
		return reply{}, err
	}
	line, err := s.out.ReadBytes('\n')
	if err != nil {
		return reply{}, fmt.Errorf("sink: no answer: %w", err)
	}
	var rep reply
	if err := json.Unmarshal(line, &rep); err != nil {
		return reply{}, fmt.Errorf("sink: bad answer %q: %w", line, err)
	}
	if rep.Error != "" {
		return rep, errors.New("sink: " + rep.Error)
	}
	return rep, nil
}

// Open starts a receiver of kind k.
func (s *Server) Open(k Kind) (*Receiver, error) {
	rep, err := s.do("open %s", k)
	if err != nil {
		return nil, err
	}
	return &Receiver{s: s, id: rep.ID, Kind: k, Addr: rep.Addr}, nil
}

// CPU returns the CPU time the receiver process has used.
func (s *Server) CPU() (time.Duration, error) {
	rep, err := s.do("cpu")
	return time.Duration(rep.CPU), err
}

// Close ends the receiver process and waits for it.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.in.Close()
	return s.cmd.Wait()
}

// Receiver is one receiver in the child process.
type Receiver struct {
	s    *Server
	id   int
	Kind Kind
	// Addr is where to send: a socket path for unix kinds, host:port for
	// the others.
	Addr string
}

// Count returns the receiver's counts so far.
func (r *Receiver) Count() (Counts, error) {
	rep, err := r.s.do("count %d", r.id)
	return rep.Counts, err
}

// Wait returns the receiver's counts once it has counted at least frames
// frames, or when timeout has passed (then with the counts it has). The
// parent waits blocked on a pipe, spending no CPU.
func (r *Receiver) Wait(frames int64, timeout time.Duration) (Counts, error) {
	rep, err := r.s.do("wait %d %d %d", r.id, frames, timeout.Milliseconds())
	return rep.Counts, err
}

// Settle waits until the receiver's frame count has not changed for quiet,
// or until timeout, and returns the counts: for datagrams, whose number is
// not known in advance and some of which the kernel may drop.
func (r *Receiver) Settle(quiet, timeout time.Duration) (Counts, error) {
	deadline := time.Now().Add(timeout)
	last, err := r.Count()
	if err != nil {
		return last, err
	}
	for time.Now().Before(deadline) {
		time.Sleep(quiet)
		c, err := r.Count()
		if err != nil {
			return c, err
		}
		if c == last {
			return c, nil
		}
		last = c
	}
	return last, nil
}

// Close stops the receiver.
func (r *Receiver) Close() error {
	_, err := r.s.do("close %d", r.id)
	return err
}
