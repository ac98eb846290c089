package metrics_test

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
)

// benchBuffer is the ring size of the benchmarks' clients. RunParallel
// keeps every P busy producing, so the client's consumer goroutine runs
// only when the scheduler preempts a producer: the ring must hold that much
// backlog, or Direct mode's benchmarks measure dropping (drops/op).
const benchBuffer = 64 << 20

// benchClient returns a client writing to io.Discard.
func benchClient(b *testing.B) *core.Client {
	c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithLogger("bench"), core.WithBufferSize(benchBuffer))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchModes runs fn in each mode against a discarding client, reporting
// the client's drops per operation (which should be ~0).
func benchModes(b *testing.B, fn func(b *testing.B, m *metrics.Metrics)) {
	for _, mode := range []struct {
		name string
		mode metrics.Mode
	}{{"aggregated", metrics.Aggregated}, {"direct", metrics.Direct}} {
		b.Run(mode.name, func(b *testing.B) {
			c := benchClient(b)
			m := metrics.New(c, metrics.WithMode(mode.mode))
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, m)
			// Delivering the backlog is part of the cost.
			if err := m.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			m.Close(context.Background())
			c.Close(context.Background())
			b.ReportMetric(float64(c.Stats().Drops.Full)/float64(b.N), "drops/op")
		})
	}
}

// BenchmarkIncr also has a baseline: the bare atomic add a hand-written
// counter would do.
func BenchmarkIncr(b *testing.B) {
	b.Run("baseline-atomic", func(b *testing.B) {
		var n atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n.Add(1)
			}
		})
	})
	benchModes(b, func(b *testing.B, m *metrics.Metrics) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Incr("req.count", 1)
			}
		})
	})
}

func BenchmarkIncrTagged(b *testing.B) {
	benchModes(b, func(b *testing.B, m *metrics.Metrics) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Incr("req.count", 1, metrics.Tag("route", "/api"), metrics.Tag("code", "200"))
			}
		})
	})
}

func BenchmarkGauge(b *testing.B) {
	benchModes(b, func(b *testing.B, m *metrics.Metrics) {
		b.RunParallel(func(pb *testing.PB) {
			v := 0.0
			for pb.Next() {
				v++
				m.Gauge("queue.depth", v)
			}
		})
	})
}

// BenchmarkTimer starts and stops a timer; its baseline is the two
// monotonic clock reads any timer needs.
func BenchmarkTimer(b *testing.B) {
	b.Run("baseline-clock", func(b *testing.B) {
		start := time.Now()
		var sink atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var d time.Duration
			for pb.Next() {
				t := time.Since(start)
				d += time.Since(start) - t
			}
			sink.Add(int64(d))
		})
	})
	benchModes(b, func(b *testing.B, m *metrics.Metrics) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.StartTimer("req.time").Stop()
			}
		})
	})
}

func BenchmarkTiming(b *testing.B) {
	benchModes(b, func(b *testing.B, m *metrics.Metrics) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Timing("req.time", 1500*time.Microsecond)
			}
		})
	})
}

// BenchmarkStatsd writes to a UDP socket that nobody reads.
func BenchmarkStatsd(b *testing.B) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	addr := "udp://" + pc.LocalAddr().String()
	for _, mode := range []struct {
		name string
		mode metrics.Mode
	}{{"aggregated", metrics.Aggregated}, {"direct", metrics.Direct}} {
		for _, op := range []struct {
			name string
			fn   func(m *metrics.Metrics)
		}{
			{"incr", func(m *metrics.Metrics) { m.Incr("req.count", 1) }},
			{"gauge", func(m *metrics.Metrics) { m.Gauge("queue.depth", 42) }},
			{"timing", func(m *metrics.Metrics) { m.Timing("req.time", 1500*time.Microsecond) }},
		} {
			b.Run(mode.name+"/"+op.name, func(b *testing.B) {
				m, err := metrics.NewStatsd(addr, metrics.WithMode(mode.mode), metrics.WithStatsdBuffer(4<<20))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						op.fn(m)
					}
				})
				if err := m.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				m.Close(context.Background())
				b.ReportMetric(float64(m.Stats().Dropped)/float64(b.N), "drops/op")
			})
		}
	}
}
