package core

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestPeerClosingAtOnceBacksOff: a router that accepts every connection
// and closes it at once (a load balancer without a backend) gets few
// connections, not hundreds a second: each close counts as an error and
// goes through the same escalating back-off as a failed dial.
func TestPeerClosingAtOnceBacksOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	defer func() { ln.Close(); wg.Wait() }()

	c, err := New("tcp://"+ln.Addr().String(), WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	const period = 1500 * time.Millisecond
	start := time.Now()
	offered := uint64(0)
	for time.Since(start) < period {
		c.Send(&Message{Type: "t", Payload: "x"})
		offered++
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c.Close(ctx)
	st := c.Stats()
	// Back-off 20ms doubling to 200ms (jittered down by up to half): at
	// most about 12 attempts fit 1.5s. Without it: hundreds.
	if n := accepted.Load(); n > 20 || n < 2 {
		t.Errorf("%d connections in %v, want a handful", n, period)
	}
	if st.Errors < 2 {
		t.Errorf("connections closed by the router are not counted as errors: %+v", st)
	}
	checkInvariants(t, st, offered)
	// Sent counts what was written into connections the router then
	// closed unread: TCP cannot tell. A new connection made after a
	// failure is watched for a moment before it is written to, so on an
	// idle machine only the first connection's batch is counted so.
	t.Logf("%d connections, %d of %d messages counted sent, stats %+v", accepted.Load(), st.Sent, offered, st)
}

// TestCloseDuringTLSHandshake: Close honours its deadline while the
// sender is stuck in a TLS handshake with a peer that never answers (the
// dial timeout is far longer).
func TestCloseDuringTLSHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // accepted, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	c, err := New("tls://"+ln.Addr().String(), WithTLSConfig(&tls.Config{InsecureSkipVerify: true}), WithTimeouts(10*time.Second, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.Send(&Message{Type: "t"})
	waitAccepted(t, &mu, &conns)
	checkCloseDeadline(t, c)
}

// TestCloseDuringDial: Close honours its deadline while a TCP connection
// attempt hangs (a listener whose accept queue is full drops SYNs).
func TestCloseDuringDial(t *testing.T) {
	fd, addr := fullBacklogListener(t)
	defer syscall.Close(fd)
	c, err := New("tcp://"+addr, WithTimeouts(10*time.Second, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.Send(&Message{Type: "t"})
	time.Sleep(50 * time.Millisecond) // let the consumer start dialling
	checkCloseDeadline(t, c)
}

func waitAccepted(t *testing.T, mu *sync.Mutex, conns *[]net.Conn) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(*conns)
		mu.Unlock()
		if n > 0 {
			return
		}
	}
	t.Fatal("the client never connected")
}

// checkCloseDeadline closes c with a 200ms deadline and checks that Close
// returns within a few milliseconds of it, reporting the undelivered
// message.
func checkCloseDeadline(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Close(ctx)
	// Close returns at its deadline plus the time to abort: well under
	// the 10s dial timeout it used to wait for. (Upper bound only: a slow
	// machine makes it no faster.)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("Close took %v against a 200ms deadline", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want the deadline reported", err)
	}
	if st := c.Stats(); st.Drops.Failed != 1 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
}

// fullBacklogListener returns a listening socket on 127.0.0.1 whose accept
// queue is full and never drained, so that a new connection attempt hangs
// (Linux drops the SYN and the client retransmits).
func fullBacklogListener(t *testing.T) (int, string) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	// Fill the queue: connections that complete but are never accepted.
	for i := 0; i < 8; i++ {
		d := net.Dialer{Timeout: 100 * time.Millisecond}
		conn, err := d.Dial("tcp", addr)
		if err != nil {
			break // the queue is full: attempts now hang
		}
		t.Cleanup(func() { conn.Close() })
	}
	d := net.Dialer{Timeout: 200 * time.Millisecond}
	if conn, err := d.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Skip("this kernel accepts connections beyond a full backlog: cannot make a dial hang on 127.0.0.1")
	}
	return fd, addr
}

// TestNewRejectsBadAddresses: addresses that would later fail or go
// nowhere are refused by New with an error naming the problem; schemes are
// case-insensitive.
func TestNewRejectsBadAddresses(t *testing.T) {
	for addr, want := range map[string]string{
		"tcp://127.0.0.1":         "no port",
		"tcp://127.0.0.1:":        "no port",
		"tcp://:5565":             "no host",
		"tcp://h:5565/path":       "not a number",
		"tls://h:99999":           "outside 1-65535",
		"udp://h:8125,":           "host 2 of 2",
		"udp://h:8125,,h2:1":      "host 2 of 3",
		"udp://nohost:99999":      "outside 1-65535",
		"unix://":                 "no path",
		"tcp:/x":                  "no scheme",
		"ftp://h:1":               "unknown scheme",
		"tcp://[::1:5565":         "not host:port",
		"udp://h:8125?x=1":        "not a number",
		"tcp://user@host:1/":      "not a number",
		"stdout://x":              "takes no path",
		"file://":                 "no path",
		"unixgram://":             "no path",
		"tcp://bad host name:1/x": "not a number",
	} {
		c, err := New(addr)
		if err == nil {
			c.Close(context.Background())
			t.Errorf("New(%q) succeeded", addr)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New(%q) = %v, want it to say %q", addr, err, want)
		}
	}
	for _, addr := range []string{"TCP://127.0.0.1:1", "Udp://localhost:9,127.0.0.1:9", "tcp://localhost:http", "udp://nohost.invalid:8125"} {
		// Accepted without any traffic: connections and name lookups are
		// lazy, so New succeeds while the router's name is not ready.
		c, err := New(addr)
		if err != nil {
			t.Errorf("New(%q): %v", addr, err)
			continue
		}
		if err := c.Close(context.Background()); err != nil {
			t.Errorf("Close(%q): %v", addr, err)
		}
	}
}

// TestNilClientDiscards: a nil *Client discards what it is given, as a nil
// *metrics.Metrics does, so that an adapter given no client logs nothing
// rather than panicking.
func TestNilClientDiscards(t *testing.T) {
	var c *Client
	if c.Enabled("t", Info) {
		t.Error("a nil client is enabled")
	}
	if err := c.Send(&Message{Type: "t"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Send = %v, want ErrClosed", err)
	}
	e := GetEntry()
	if err := c.SendEntry(e); !errors.Is(err, ErrClosed) {
		t.Errorf("SendEntry = %v", err)
	}
	e.Free()
	if c.Flush(context.Background()) != nil || c.Close(context.Background()) != nil || c.Stats() != (Stats{}) {
		t.Error("Flush, Close or Stats of a nil client")
	}
	if c.Format() != FormatJSON || c.Logger() != "" || c.Severity() != Info {
		t.Error("accessors of a nil client")
	}
}

// TestOnClose: hooks run once, in order, at the first Close, while the
// client still accepts messages; a removed hook does not run.
func TestOnClose(t *testing.T) {
	c, capt := newCaptureClient(t, FormatJSON)
	var order []string
	c.OnClose(func(context.Context) {
		order = append(order, "a")
		if err := c.Send(&Message{Type: "from-hook"}); err != nil {
			t.Errorf("a hook's Send: %v", err)
		}
	})
	remove := c.OnClose(func(context.Context) { order = append(order, "removed") })
	c.OnClose(func(context.Context) { order = append(order, "b") })
	remove()
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	if strings.Join(order, ",") != "a,b" {
		t.Errorf("hooks ran %v, want a,b", order)
	}
	if capt.Len() != 1 {
		t.Errorf("the hook's message was not delivered: %d frames", capt.Len())
	}
}

// TestSendEnabledRunsPredicateOnly: SendEnabled, for adapters that asked
// Enabled first, applies the predicate but not the type and severity
// filters again; Send applies all of them, once.
func TestSendEnabledRunsPredicateOnly(t *testing.T) {
	var seen int
	c, capt := newCaptureClient(t, FormatJSON, WithMaxSeverity(Warning), WithoutTypes("noise"),
		WithFilter(func(m *Message) bool { seen++; return m.Payload != "drop" }))
	c.Send(&Message{Type: "t", Severity: Debug})        // severity filter: no predicate call
	c.Send(&Message{Type: "noise", Severity: Error})    // type filter
	c.Send(&Message{Type: "t", Severity: Error})        // passes
	c.SendEnabled(&Message{Type: "t", Severity: Debug}) // the caller's Enabled decided
	c.SendEnabled(&Message{Type: "t", Payload: "drop"}) // the predicate still runs
	flush(t, c)
	if capt.Len() != 2 || seen != 3 {
		t.Errorf("%d delivered, predicate called %d times; want 2 and 3", capt.Len(), seen)
	}
	if st := c.Stats(); st.Drops.Filtered != 3 {
		t.Errorf("filtered %d, want 3", st.Drops.Filtered)
	}
}
