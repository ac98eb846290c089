package core

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/metlog-go/metlog/internal/testcert"
)

func closeClient(t testing.TB, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// sendSeqs sends messages 0..n-1 and fails the test on any drop.
func sendSeqs(t testing.TB, c *Client, from, to int) {
	t.Helper()
	var buf []byte
	for i := from; i < to; i++ {
		m, b := seqMessage(i, buf)
		buf = b
		if err := c.Send(&m); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
}

func expectAll(t testing.TB, r *receiver, f Format, n int) {
	t.Helper()
	if got := r.wait(n, 20*time.Second); got != n {
		t.Fatalf("received %d frames, want %d", got, n)
	}
	for s, k := range checkSeqs(t, f, r.snapshot(), n) {
		if k != 1 {
			t.Fatalf("message %d received %d times", s, k)
		}
	}
}

func TestStreamSenders(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []Format{FormatJSON, FormatHeka} {
		for _, tc := range []struct{ name, network, listen, scheme string }{
			{"tcp", "tcp", "127.0.0.1:0", "tcp://"},
			{"unix", "unix", filepath.Join(dir, "s-"+f.String()+".sock"), "unix://"},
		} {
			t.Run(tc.name+"/"+f.String(), func(t *testing.T) {
				r := newReceiver(t, tc.network, tc.listen, f)
				c, err := New(tc.scheme+r.addr(), WithFormat(f))
				if err != nil {
					t.Fatal(err)
				}
				sendSeqs(t, c, 0, 5000)
				closeClient(t, c)
				expectAll(t, r, f, 5000)
				st := c.Stats()
				if st.Sent != 5000 || st.Errors != 0 {
					t.Fatalf("stats %+v", st)
				}
				checkInvariants(t, st, 5000)
			})
		}
	}
}

func TestTLSSender(t *testing.T) {
	cert, pool := testcert.New(t)
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			r := &receiver{t: t, format: f, more: make(chan struct{})}
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
			if err != nil {
				t.Fatal(err)
			}
			r.ln = ln
			r.wg.Add(1)
			go r.accept()
			t.Cleanup(r.stop)

			c, err := New("tls://"+r.addr(), WithFormat(f), WithTLSConfig(&tls.Config{RootCAs: pool}))
			if err != nil {
				t.Fatal(err)
			}
			sendSeqs(t, c, 0, 2000)
			closeClient(t, c)
			expectAll(t, r, f, 2000)

			// An untrusted server is an error counted in Stats, never a hang.
			bad, err := New("tls://"+r.addr(), WithFormat(f), WithTLSConfig(&tls.Config{}), WithBackoff(time.Millisecond, 5*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			bad.Send(&Message{Type: "t"})
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := bad.Close(ctx); err == nil {
				t.Fatal("Close to an untrusted server reported no undelivered message")
			}
			if st := bad.Stats(); st.Errors == 0 || st.Drops.Failed != 1 {
				t.Fatalf("untrusted server stats %+v", st)
			}
		})
	}
}

func TestUDPTwoHosts(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			r1 := newReceiver(t, "udp", "127.0.0.1:0", f)
			r2 := newReceiver(t, "udp", "127.0.0.1:0", f)
			c, err := New("udp://"+r1.addr()+","+r2.addr(), WithFormat(f), WithDatagramSize(1432))
			if err != nil {
				t.Fatal(err)
			}
			const n = 500
			for i := 0; i < n; i += 50 {
				// UDP is lossy by design: small bursts, each awaited at both
				// receivers, keep loopback socket buffers from overflowing
				// on a busy machine.
				sendSeqs(t, c, i, i+50)
				flush(t, c)
				r1.wait(i+50, 5*time.Second)
				r2.wait(i+50, 5*time.Second)
			}
			closeClient(t, c)
			for _, r := range []*receiver{r1, r2} {
				expectAll(t, r, f, n)
				r.mu.Lock()
				dg, skipped := r.datagrams, r.skipped
				r.mu.Unlock()
				if skipped != 0 {
					t.Fatalf("receiver skipped %d bytes of partial records", skipped)
				}
				if f == FormatHeka && dg >= n {
					t.Errorf("heka: %d datagrams for %d records; records should be packed", dg, n)
				}
				if f == FormatJSON && dg != n {
					t.Errorf("json: %d datagrams for %d objects; want one each", dg, n)
				}
			}
			if f == FormatJSON {
				for _, fr := range r1.snapshot() {
					if fr[len(fr)-1] == '\n' {
						t.Fatalf("JSON datagram ends in a newline: %q", fr)
					}
				}
			}
			for _, fr := range r1.snapshot() {
				if len(fr) > 1432 {
					t.Fatalf("datagram of %d bytes exceeds 1432", len(fr))
				}
			}
		})
	}
}

func TestUnixgramSender(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			r := newReceiver(t, "unixgram", filepath.Join(dir, "g-"+f.String()+".sock"), f)
			c, err := New("unixgram://"+r.addr(), WithFormat(f))
			if err != nil {
				t.Fatal(err)
			}
			sendSeqs(t, c, 0, 1000)
			closeClient(t, c)
			expectAll(t, r, f, 1000)
		})
	}
}

func TestFileAndWriterSenders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	c, err := New("file://" + path)
	if err != nil {
		t.Fatal(err)
	}
	sendSeqs(t, c, 0, 100)
	closeClient(t, c)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for len(data) > 0 {
		i := 0
		for data[i] != '\n' {
			i++
		}
		frames = append(frames, data[:i+1])
		data = data[i+1:]
	}
	for s, k := range checkSeqs(t, FormatJSON, frames, 100) {
		if k != 1 {
			t.Fatalf("line %d written %d times", s, k)
		}
	}
}

// TestStalledReceiver: a router that accepts and never reads must not
// slow the caller: a million sends return promptly, what does not fit is
// dropped and counted, and Close honours its deadline.
func TestStalledReceiver(t *testing.T) {
	r := newStalledReceiver(t, FormatHeka)
	c, err := New("tcp://"+r.addr(), WithFormat(FormatHeka), WithBufferSize(1<<20),
		WithTimeouts(time.Second, 200*time.Millisecond), WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000000
	start := time.Now()
	var buf []byte
	for i := 0; i < n; i++ {
		m, b := seqMessage(i, buf)
		buf = b
		c.Send(&m)
	}
	elapsed := time.Since(start)
	st := c.Stats()
	if st.Drops.Full == 0 {
		t.Fatalf("a stalled router with a 1 MiB buffer dropped nothing: %+v", st)
	}
	// Generous for the race detector on a shared machine; a blocking
	// client would take hours (every write waits for the 200ms timeout).
	if limit := 60 * time.Second; elapsed > limit {
		t.Fatalf("%d sends took %v (> %v)", n, elapsed, limit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	closeStart := time.Now()
	err = c.Close(ctx)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with a stalled router = %v, want nil or the deadline error", err)
	}
	if d := time.Since(closeStart); d > 5*time.Second {
		t.Fatalf("Close took %v with a 300ms deadline", d)
	}
	st = c.Stats()
	if st.Pending != 0 {
		t.Fatalf("after Close: %d pending", st.Pending)
	}
	if st.Errors == 0 {
		t.Fatalf("writes into a stalled router never timed out: %+v", st)
	}
	checkInvariants(t, st, n)
	t.Logf("%d sends in %v: %d enqueued, %d dropped full, %d written into socket buffers, %d failed, %d write timeouts; Close: %v",
		n, elapsed, st.Enqueued, st.Drops.Full, st.Sent, st.Drops.Failed, st.Errors, err)
}

// freePort returns a loopback TCP address nothing listens on.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestReceiverDownAtStart(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			addr := freePort(t)
			c, err := New("tcp://"+addr, WithFormat(f), WithBackoff(5*time.Millisecond, 50*time.Millisecond))
			if err != nil {
				t.Fatalf("New with the router down: %v", err)
			}
			sendSeqs(t, c, 0, 300)
			time.Sleep(50 * time.Millisecond) // a few refused dials
			r := newReceiver(t, "tcp", addr, f)
			sendSeqs(t, c, 300, 600)
			closeClient(t, c)
			expectAll(t, r, f, 600)
			st := c.Stats()
			if st.Errors == 0 || st.Reconnects == 0 || st.Sent != 600 {
				t.Fatalf("stats %+v: want errors, a reconnect and 600 sent", st)
			}
			checkInvariants(t, st, 600)
		})
	}
}

// TestReceiverRestart kills the router mid-stream and starts a new one on
// the same port: the new one never sees a partial frame, and the only
// messages lost are those written into the dead connection.
func TestReceiverRestart(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			r1 := newReceiver(t, "tcp", "127.0.0.1:0", f)
			addr := r1.addr()
			c, err := New("tcp://"+addr, WithFormat(f), WithBackoff(5*time.Millisecond, 50*time.Millisecond),
				WithBufferSize(16<<20))
			if err != nil {
				t.Fatal(err)
			}
			const half, n = 20000, 40000
			var buf []byte
			sent := 0
			done := make(chan struct{})
			go func() {
				defer close(done)
				for ; sent < n; sent++ {
					m, b := seqMessage(sent, buf)
					buf = b
					c.Send(&m)
					if sent%1000 == 0 {
						time.Sleep(time.Millisecond) // a steady stream, not one burst
					}
				}
			}()
			r1.wait(half/2, 20*time.Second)
			r1.stop() // the router dies mid-stream
			r2 := newReceiver(t, "tcp", addr, f)
			<-done
			closeClient(t, c)
			if !r2.drained(20 * time.Second) {
				t.Fatal("the new router did not see the client close its connection")
			}

			st := c.Stats()
			checkInvariants(t, st, n)
			if st.Drops.Full != 0 {
				t.Fatalf("16 MiB buffer overflowed: %+v", st)
			}
			got := append(r1.snapshot(), r2.snapshot()...)
			seen := checkSeqs(t, f, got, n) // every frame either router got decodes
			r2.mu.Lock()
			torn2 := r2.skipped
			r2.mu.Unlock()
			if torn2 != 0 {
				t.Fatalf("the new router skipped %d bytes of a partial frame", torn2)
			}
			// Losses: only what was written into the dead connection. Every
			// message from the new router's first one on arrives, and none
			// arrives twice (a frame cut short is re-sent whole, once).
			r2first := n
			for _, fr := range r2.snapshot() {
				if s, _ := seqOf(f, fr); s < r2first {
					r2first = s
				}
			}
			lost, first, last := 0, -1, -1
			for s, k := range seen {
				if k > 1 {
					t.Fatalf("message %d received %d times", s, k)
				}
				if k == 0 {
					if s >= r2first {
						t.Fatalf("message %d lost after the new router received message %d", s, r2first)
					}
					lost++
					if first < 0 {
						first = s
					}
					last = s
				}
			}
			if st.Reconnects == 0 {
				t.Fatalf("no reconnect counted: %+v", st)
			}
			t.Logf("restart: lost %d messages (%d..%d) in flight when the router died; %d errors, %d reconnects",
				lost, first, last, st.Errors, st.Reconnects)
		})
	}
}

// TestMillionDelivered: with a live router and enough buffer, a million
// messages sent and then Close mean a million received, each exactly once.
func TestMillionDelivered(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 100000
	}
	r := newReceiver(t, "tcp", "127.0.0.1:0", FormatJSON)
	c, err := New("tcp://"+r.addr(), WithBufferSize(160<<20))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sendSeqs(t, c, 0, n)
	closeClient(t, c)
	elapsed := time.Since(start)
	if got := r.wait(n, 60*time.Second); got != n {
		t.Fatalf("received %d of %d", got, n)
	}
	for s, k := range checkSeqs(t, FormatJSON, r.snapshot(), n) {
		if k != 1 {
			t.Fatalf("message %d received %d times", s, k)
		}
	}
	st := c.Stats()
	if st.Sent != uint64(n) {
		t.Fatalf("Sent = %d", st.Sent)
	}
	checkInvariants(t, st, uint64(n))
	t.Logf("%d messages sent and closed in %v", n, elapsed)
	r.mu.Lock()
	r.frames = nil // a million frames: do not keep them for the rest of the run
	r.mu.Unlock()
}

// TestMemoryBoundedWhileDown logs for a while with the router down: the
// heap must not grow with the number of messages (the ring is fixed and
// full messages are dropped).
func TestMemoryBoundedWhileDown(t *testing.T) {
	c, err := New("tcp://"+freePort(t), WithBufferSize(1<<20), WithBackoff(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		c.Close(ctx)
	}()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	fields := []Field{String("user", "someone"), Int("attempt", 3)}
	send := func(k int) {
		for i := 0; i < k; i++ {
			c.Send(&Message{Type: "t", Payload: "the router is down", Fields: fields})
		}
	}
	send(20000)
	heap() // settle what earlier tests left
	send(200000)
	mid := heap()
	send(400000)
	after := heap()
	st := c.Stats()
	if st.Drops.Full < 500000 {
		t.Fatalf("expected most messages dropped while down, got %+v", st)
	}
	if after > mid+2<<20 {
		t.Fatalf("heap grew from %d to %d bytes over 400000 more messages", mid, after)
	}
	t.Logf("heap %d -> %d bytes over 400000 messages while the router was down", mid, after)
}
