package router

import (
	"bufio"
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// startRouter starts a router and closes it when the test ends.
func startRouter(t testing.TB, cfg Config) *Router {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

// tcpInput is a TCP input on a free loopback port.
var tcpInput = Input{Address: "tcp://127.0.0.1:0"}

// addr returns input i's address as host:port.
func addr(r *Router, i int) string { return r.Addrs()[i].String() }

// waitFor polls cond until it holds or the (generous) timeout passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitReceived waits until the router has framed n records or lines.
func waitReceived(t testing.TB, r *Router, n uint64) {
	t.Helper()
	waitFor(t, "the router to receive the messages", 60*time.Second, func() bool { return r.Stats().Received >= n })
}

// closeRouter closes r now (draining its endpoints).
func closeRouter(t testing.TB, r *Router) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// newClient returns a client of format f to the router's input i.
func newClient(t testing.TB, r *Router, i int, f core.Format, opts ...core.Option) *core.Client {
	t.Helper()
	c, err := core.New("tcp://"+addr(r, i), append([]core.Option{core.WithFormat(f)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func closeClient(t testing.TB, c *core.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// readJSONLines decodes every line of a JSON-lines file.
func readJSONLines(t testing.TB, path string) []*core.Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*core.Message
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m, err := core.DecodeJSON(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v: %q", path, err, sc.Text())
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectOne checks that exactly one of msgs matches each expression.
func expectOne(t testing.TB, msgs []*core.Message, exprs ...string) {
	t.Helper()
	for _, e := range exprs {
		m, err := ParseMatcher(e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		n := 0
		for _, msg := range msgs {
			if m.Match(msg) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d messages match %s, want 1", n, e)
		}
	}
}

// dial connects to a stream input.
func dial(t testing.TB, r *Router, i int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr(r, i))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
