package core

import (
	"context"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkFault measures one log call (Send of a message with two
// fields) at a steady 50,000 calls a second, while the router is healthy
// and in each fault the client must survive without making its caller
// wait: the router down (connections refused), stalled (accepts, never
// reads: the ring fills), closing every connection at once (a load
// balancer without a backend), and an oversize payload (1 MiB, cut to the
// 64 KiB limit). It reports each call's latency percentiles
// (p50-ns, p99-ns, p99.9-ns) and what became of the messages: sent/op,
// failed/op (given up by the sender or at Close's 1s deadline) and full/op
// (the ring had no room).
//
//	go test -run '^$' -bench Fault -benchtime 200000x ./core
func BenchmarkFault(b *testing.B) {
	huge := strings.Repeat("x", 1<<20)
	for _, sc := range []struct {
		name    string
		addr    func(b *testing.B) string
		payload string
	}{
		{"healthy", drainingServer, "request served"},
		{"router-down", refusingAddr, "request served"},
		{"router-stalled", stalledServer, "request served"},
		{"router-closes-at-once", closingServer, "request served"},
		{"oversize-payload", drainingServer, huge},
	} {
		b.Run(sc.name, func(b *testing.B) {
			c, err := New(sc.addr(b), WithBackoff(10*time.Millisecond, 200*time.Millisecond), WithTimeouts(time.Second, 100*time.Millisecond))
			if err != nil {
				b.Fatal(err)
			}
			const every = 20 * time.Microsecond // 50,000 calls a second
			lat := make([]time.Duration, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			for i := range b.N {
				for time.Since(t0) < time.Duration(i)*every {
				}
				m := Message{Type: "bench", Payload: sc.payload, Fields: []Field{String("route", "/api"), Int64("n", int64(i))}}
				start := time.Now()
				_ = c.Send(&m)
				lat[i] = time.Since(start)
			}
			b.StopTimer()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			c.Close(ctx)
			cancel()
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds()) }
			b.ReportMetric(pct(0.50), "p50-ns")
			b.ReportMetric(pct(0.99), "p99-ns")
			b.ReportMetric(pct(0.999), "p99.9-ns")
			st := c.Stats()
			n := float64(b.N)
			b.ReportMetric(float64(st.Sent)/n, "sent/op")
			b.ReportMetric(float64(st.Drops.Failed)/n, "failed/op")
			b.ReportMetric(float64(st.Drops.Full)/n, "full/op")
		})
	}
}

// drainingServer is a router on 127.0.0.1 that reads and discards.
func drainingServer(b *testing.B) string {
	return serve(b, func(c net.Conn, _ <-chan struct{}) { io.Copy(io.Discard, c) })
}

// stalledServer accepts connections and never reads them.
func stalledServer(b *testing.B) string {
	return serve(b, func(_ net.Conn, done <-chan struct{}) { <-done })
}

// closingServer accepts connections and closes them at once.
func closingServer(b *testing.B) string {
	return serve(b, func(net.Conn, <-chan struct{}) {})
}

// refusingAddr is a port on 127.0.0.1 where nothing listens.
func refusingAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "tcp://" + addr
}

// serve runs handle for each connection to a new listener on 127.0.0.1,
// closing the connection when handle returns; done is closed, and every
// connection closed, when the benchmark ends.
func serve(b *testing.B, handle func(c net.Conn, done <-chan struct{})) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); handle(c, done); c.Close() }()
		}
	}()
	b.Cleanup(func() {
		ln.Close()
		close(done)
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "tcp://" + ln.Addr().String()
}
