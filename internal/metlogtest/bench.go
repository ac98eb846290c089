package metlogtest

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
)

// BenchClient returns a client for the adapters' benchmarks: the default
// ring and flush interval, a sender discarding what it gets, logger
// "bench", closed when the benchmark ends. Its ring is written through
// once so that page faults on fresh memory are not timed.
func BenchClient(b *testing.B, f core.Format, opts ...core.Option) *core.Client {
	b.Helper()
	opts = append([]core.Option{core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(f),
		core.WithLogger("bench")}, opts...)
	c, err := core.New("", opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := c.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	payload := strings.Repeat("warming the ring ", 60)
	for c.Stats().BytesSent < core.DefaultBufferSize+core.DefaultBufferSize/8 {
		for range 100 {
			m := core.Message{Type: "bench", Payload: payload}
			_ = c.Send(&m) // a full ring only slows the warm-up
		}
		flushBench(b, c)
	}
	return c
}

func flushBench(b *testing.B, c *core.Client) {
	if err := c.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// RunParallel runs call on every P as zap's benchmarks do and reports
// allocations and the process's CPU time per call (cpu-ns/op: the logging
// goroutines, the client's goroutine and the garbage collector, which a
// busy machine disturbs less than the wall clock). With a client, the
// delivery of what it holds after the loop is timed too (ns/op is the
// whole cost of a message) and its ring-full drops per call are reported
// (drops/op): a figure with drops partly measures the cheap drop path.
func RunParallel(b *testing.B, c *core.Client, call func()) {
	b.Helper()
	var full uint64
	if c != nil {
		full = c.Stats().Drops.Full
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call()
		}
	})
	if c != nil {
		flushBench(b, c)
	}
	b.StopTimer()
	if cpu0 >= 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	if c != nil {
		b.ReportMetric(float64(c.Stats().Drops.Full-full)/float64(b.N), "drops/op")
	}
}

// ProcessCPU returns the user and system CPU time the process has used, in
// nanoseconds, or -1 where it cannot be read: for benchmarks that report
// CPU per operation, which a busy machine disturbs less than the wall clock.
func ProcessCPU() int64 { return processCPU() }
