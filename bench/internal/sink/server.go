package sink

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/metlog-go/metlog/bench/internal/cpu"
)

// reply is the child's answer to one command, one JSON object per line.
type reply struct {
	ID     int    `json:"id,omitempty"`
	Addr   string `json:"addr,omitempty"`
	Counts Counts `json:"counts"`
	CPU    int64  `json:"cpu_ns,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Main runs the receivers on the process's standard input and output and
// exits when the input ends. The benchmark binary's TestMain calls it when
// EnvVar is set.
func Main() {
	if err := Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Serve answers commands read from in, one per line, until in ends, then
// closes every receiver:
//
//	open KIND              start a receiver: {"id":N,"addr":"..."}
//	count ID               its counts so far: {"counts":{...}}
//	wait ID FRAMES MS      the counts once Frames >= FRAMES, or after MS milliseconds
//	close ID               stop it
//	cpu                    the CPU time this process has used: {"cpu_ns":N}
//
// Unix sockets are created in a temporary directory removed at the end.
func Serve(in io.Reader, out io.Writer) error {
	dir, err := os.MkdirTemp("", "metlog-sink-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	recvs := map[int]*receiver{}
	defer func() {
		for _, r := range recvs {
			r.close()
		}
	}()
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	seq := 0
	for sc.Scan() {
		rep := command(strings.Fields(sc.Text()), recvs, dir, &seq)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	}
	return sc.Err()
}

func command(args []string, recvs map[int]*receiver, dir string, seq *int) reply {
	if len(args) == 0 {
		return reply{Error: "empty command"}
	}
	if args[0] == "cpu" {
		return reply{CPU: int64(cpu.Process())}
	}
	if args[0] == "open" {
		if len(args) != 2 {
			return reply{Error: "usage: open KIND"}
		}
		*seq++
		r, err := open(Kind(args[1]), dir, *seq)
		if err != nil {
			return reply{Error: err.Error()}
		}
		recvs[*seq] = r
		return reply{ID: *seq, Addr: r.addr}
	}
	if len(args) < 2 {
		return reply{Error: "usage: " + args[0] + " ID ..."}
	}
	id, err := strconv.Atoi(args[1])
	r := recvs[id]
	if err != nil || r == nil {
		return reply{Error: "no receiver " + args[1]}
	}
	switch args[0] {
	case "count":
		return reply{ID: id, Counts: r.snapshot()}
	case "wait":
		if len(args) != 4 {
			return reply{Error: "usage: wait ID FRAMES MS"}
		}
		frames, err1 := strconv.ParseInt(args[2], 10, 64)
		ms, err2 := strconv.ParseInt(args[3], 10, 64)
		if err1 != nil || err2 != nil {
			return reply{Error: "wait: bad number"}
		}
		deadline := time.Now().Add(time.Duration(ms) * time.Millisecond)
		for {
			c := r.snapshot()
			if c.Frames >= frames || time.Now().After(deadline) {
				return reply{ID: id, Counts: c}
			}
			time.Sleep(20 * time.Microsecond)
		}
	case "close":
		r.close()
		delete(recvs, id)
		return reply{ID: id}
	}
	return reply{Error: "unknown command " + args[0]}
}
