package core

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// receiver is a test router: it accepts stream connections (or reads
// datagrams) and splits what arrives into frames of one format, checking
// that every frame is whole.
type receiver struct {
	t      testing.TB
	format Format
	ln     net.Listener
	pc     net.PacketConn

	mu        sync.Mutex
	frames    [][]byte
	skipped   uint64 // garbage bytes the Heka splitter skipped mid-stream
	torn      int    // connections that ended inside a frame
	conns     int
	datagrams int
	stall     bool // accept but never read
	open      []net.Conn
	active    int // stream readers still reading
	wg        sync.WaitGroup
	more      chan struct{}
}

func newReceiver(t testing.TB, network, addr string, f Format) *receiver {
	t.Helper()
	r := &receiver{t: t, format: f, more: make(chan struct{})}
	switch network {
	case "udp", "unixgram":
		pc, err := net.ListenPacket(network, addr)
		if err != nil {
			t.Fatalf("listen %s %s: %v", network, addr, err)
		}
		r.pc = pc
		r.wg.Add(1)
		go r.readPackets()
	default:
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatalf("listen %s %s: %v", network, addr, err)
		}
		r.ln = ln
		r.wg.Add(1)
		go r.accept()
	}
	t.Cleanup(r.stop)
	return r
}

// newStalledReceiver accepts connections and never reads from them.
func newStalledReceiver(t testing.TB, f Format) *receiver {
	r := &receiver{t: t, format: f, stall: true, more: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.ln = ln
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.stop)
	return r
}

func (r *receiver) addr() string {
	if r.pc != nil {
		return r.pc.LocalAddr().String()
	}
	return r.ln.Addr().String()
}

func (r *receiver) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns++
		r.open = append(r.open, c)
		if !r.stall {
			r.active++
		}
		r.mu.Unlock()
		if r.stall {
			continue
		}
		r.wg.Add(1)
		go r.readStream(c)
	}
}

func (r *receiver) readStream(c net.Conn) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		r.active--
		r.mu.Unlock()
	}()
	defer c.Close()
	var split HekaSplitter
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	if r.format == FormatHeka {
		sc.Split(split.Split)
	}
	for sc.Scan() {
		r.add(sc.Bytes())
	}
	r.mu.Lock()
	r.skipped += split.Skipped
	if split.Skipped > 0 {
		r.torn++
	}
	r.mu.Unlock()
}

func (r *receiver) readPackets() {
	defer r.wg.Done()
	buf := make([]byte, 1<<16)
	for {
		n, _, err := r.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		p := buf[:n]
		r.mu.Lock()
		r.datagrams++
		r.mu.Unlock()
		if r.format == FormatHeka {
			recs, skipped := SplitHekaRecords(p, 0)
			if skipped > 0 {
				r.mu.Lock()
				r.skipped += uint64(skipped)
				r.mu.Unlock()
			}
			for _, rec := range recs {
				r.add(rec)
			}
		} else {
			r.add(p)
		}
	}
}

func (r *receiver) add(frame []byte) {
	f := append([]byte(nil), frame...)
	r.mu.Lock()
	r.frames = append(r.frames, f)
	close(r.more)
	r.more = make(chan struct{})
	r.mu.Unlock()
}

// wait blocks until n frames arrived or timeout passed; it reports the count.
func (r *receiver) wait(n int, timeout time.Duration) int {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		have, more := len(r.frames), r.more
		r.mu.Unlock()
		if have >= n {
			return have
		}
		select {
		case <-more:
		case <-deadline:
			return have
		}
	}
}

// drained waits until every accepted connection has reached its end (the
// client closed it) and everything in it has been read.
func (r *receiver) drained(timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		active, conns := r.active, r.conns
		r.mu.Unlock()
		if conns > 0 && active == 0 {
			return true
		}
	}
	return false
}

func (r *receiver) snapshot() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.frames...)
}

// stop closes the listener and every connection and waits for the readers.
func (r *receiver) stop() {
	if r.ln != nil {
		r.ln.Close()
	}
	if r.pc != nil {
		r.pc.Close()
	}
	r.mu.Lock()
	for _, c := range r.open {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// seqOf extracts the decimal sequence number carried as the payload, from a
// frame of either format, without a full decode (cheap enough for a
// million frames under the race detector).
func seqOf(f Format, frame []byte) (int, error) {
	if f == FormatHeka {
		m, _, err := DecodeHekaRecord(frame, nil)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(m.Payload)
	}
	const key = `"payload":"`
	i := bytes.Index(frame, []byte(key))
	if i < 0 {
		return 0, errors.New("no payload in " + string(frame))
	}
	rest := frame[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return 0, errors.New("unterminated payload")
	}
	return strconv.Atoi(string(rest[:j]))
}

// checkSeqs decodes every frame's sequence number and returns how many
// times each of 0..n-1 arrived; a frame that does not decode fails the test.
func checkSeqs(t testing.TB, f Format, frames [][]byte, n int) []int {
	t.Helper()
	seen := make([]int, n)
	for _, fr := range frames {
		s, err := seqOf(f, fr)
		if err != nil {
			t.Fatalf("frame does not decode: %v: %q", err, fr)
		}
		if s < 0 || s >= n {
			t.Fatalf("sequence %d out of range 0..%d", s, n-1)
		}
		seen[s]++
	}
	return seen
}

// seqMessage is a small message carrying i as its payload.
func seqMessage(i int, buf []byte) (Message, []byte) {
	buf = strconv.AppendInt(buf[:0], int64(i), 10)
	return Message{Type: "seq", Severity: Info, Payload: string(buf)}, buf
}

// checkInvariants asserts the documented relations between the counters.
func checkInvariants(t testing.TB, st Stats, offered uint64) {
	t.Helper()
	if got := st.Enqueued + st.Drops.Filtered + st.Drops.Full + st.Drops.Oversize + st.Drops.Closed; got != offered {
		t.Errorf("offered %d != Enqueued+Filtered+Full+Oversize+Closed = %d (%+v)", offered, got, st)
	}
	if got := st.Sent + st.Fallback + st.Drops.Failed + st.Pending; got != st.Enqueued {
		t.Errorf("Enqueued %d != Sent+Fallback+Failed+Pending = %d (%+v)", st.Enqueued, got, st)
	}
	if sum := st.Drops.Filtered + st.Drops.Full + st.Drops.Oversize + st.Drops.Closed + st.Drops.Failed; sum != st.Dropped {
		t.Errorf("Dropped %d != sum of Drops %d", st.Dropped, sum)
	}
	if st.Filtered != st.Drops.Filtered {
		t.Errorf("Filtered %d != Drops.Filtered %d", st.Filtered, st.Drops.Filtered)
	}
}
