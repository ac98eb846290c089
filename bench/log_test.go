package bench

import (
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/bench/internal/cpu"
)

// benchConfig sizes the buffers of the BenchmarkLog rows so that they hold
// a whole timed run: with b.RunParallel keeping both cores busy logging,
// our client's goroutine and the BatchProcessor's run only when a logging
// goroutine is preempted, and with the default sizes the figure would
// partly measure the drop path. The backlog is then delivered inside the
// timed region. A 128 MiB ring holds about 90,000 10-field messages in the
// largest format, OTLP (the report runs these rows at -benchtime 50000x:
// fewer would leave the fixed cost of delivering the backlog, some 4 ms a
// run, in the per-message figures); the queue holds 8192 records,
// four times the otel rows' -benchtime 2000x in the report (the queue is
// a ring of records full of pointers, which every garbage collection
// scans: a much larger one slows the whole process, ours included). The
// delivered fraction shows any loss all the same; the sustained-load
// benchmark uses the default sizes.
var benchConfig = config{ring: 128 << 20, queue: 1 << 13}

// BenchmarkLog runs every framework's scenarios in every row (see
// README.md): native JSON to io.Discard and to a file, the OpenTelemetry
// bridge, ours alone in both formats over unix and TCP sockets, and ours
// teed beside the file.
//
//	go test -run '^$' -bench 'Log/zap/10fields' -benchtime 10000x
func BenchmarkLog(b *testing.B) {
	for _, fw := range frameworks {
		b.Run(fw.name, func(b *testing.B) {
			for _, sc := range scenarios {
				b.Run(sc, func(b *testing.B) {
					for _, r := range rows {
						if r.otel && !fw.otel {
							continue
						}
						setup := lazySetup(b, fw, r, sc, benchConfig)
						b.Run(r.name, func(b *testing.B) {
							d, call, err := setup()
							if err != nil {
								b.Fatal(err)
							}
							measure(b, d, call, sc != disabled)
						})
					}
				})
			}
		})
	}
}

// lazySetup returns a function that opens the row's destination and
// builds the framework's logger on it once, on first use, so that
// benchmarks left out by -bench open nothing. What it opens is closed
// when parent ends.
func lazySetup(parent *testing.B, fw framework, r row, sc string, cfg config) func() (destination, func(), error) {
	var (
		once sync.Once
		d    destination
		call func()
		err  error
	)
	return func() (destination, func(), error) {
		once.Do(func() {
			if d, err = r.open(cfg, parent.Cleanup); err == nil {
				call = fw.call(d.sinks(), sc)
			}
		})
		return d, call, err
	}
}

// measure runs call on every P, as zap's benchmarks do, then delivers the
// backlog and waits until the receiver has counted it, all inside the
// timed region. Besides ns/op, B/op and allocs/op (every goroutine's:
// loggers, client, exporter) it reports
//
//	cpu-ns/op   the process's CPU time (user+system, getrusage) per call
//	cpu-ns/msg  the same per delivered message (a tee's message counts
//	            once both copies arrived: per copy pair)
//	delivered   the fraction of messages (copies) that reached the
//	            destination
//
// For a disabled level nothing may arrive, and only cpu-ns/op is reported.
func measure(b *testing.B, d destination, call func(), expect bool) {
	if err := d.begin(); err != nil {
		b.Fatal(err)
	}
	used := timed(b, func() { runParallel(b, call) }, d.settle)
	n, copies, err := d.delivered()
	if err != nil {
		b.Fatal(err)
	}
	reportDelivery(b, used.Nanoseconds(), int64(b.N), n, copies, expect)
}

// timed runs load and then settle (the delivery of what load left
// buffered) as the benchmark's timed region, with allocations reported,
// and returns the process's CPU time over both. The timer is stopped on
// return.
func timed(b *testing.B, load func(), settle func() error) time.Duration {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpu.Process()
	load()
	if err := settle(); err != nil {
		b.Fatal(err)
	}
	used := cpu.Process() - cpu0
	b.StopTimer()
	return used
}

// runParallel runs call b.N times over every P.
func runParallel(b *testing.B, call func()) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call()
		}
	})
}

// reportDelivery reports cpu-ns/op, and, where messages are expected,
// cpu-ns/msg and the delivered fraction; n < 0 means every call was
// delivered synchronously and not counted.
func reportDelivery(b *testing.B, cpuNs, calls, n int64, copies int, expect bool) {
	if cpuNs >= 0 {
		b.ReportMetric(float64(cpuNs)/float64(calls), "cpu-ns/op")
	}
	if !expect {
		if n > 0 {
			b.Fatalf("a disabled level delivered %d messages", n)
		}
		return
	}
	if n < 0 {
		n = calls * int64(copies)
	}
	b.ReportMetric(float64(n)/float64(calls*int64(copies)), "delivered")
	if msgs := float64(n) / float64(copies); msgs > 0 && cpuNs >= 0 {
		b.ReportMetric(float64(cpuNs)/msgs, "cpu-ns/msg")
	}
}
