package bench

import (
	"runtime"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// throughputFields are the fields of the throughput benchmark's message, a
// typical request log line.
var throughputFields = []core.Field{
	core.String("method", "GET"),
	core.String("path", "/api/v1/users/42"),
	core.Int("status", 200),
	core.Duration("took", 1234567*time.Nanosecond),
	core.String("user", "jane@example.com"),
}

// BenchmarkThroughput measures how many messages per second a client
// drains end to end into a unix or TCP socket read by the receiver
// process, with one producer (single) and one per P (parallel), in both
// formats, with the default client configuration. A producer that finds
// the ring full yields and retries (the benchmark paces itself; a real
// caller would drop), so every message is delivered, and the timed region
// ends when the receiver has counted the last one. It reports msgs/s,
// MB/s (wire bytes), cpu-ns/msg and delivered.
func BenchmarkThroughput(b *testing.B) {
	for _, network := range []string{"unix", "tcp"} {
		for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
			for _, parallel := range []bool{false, true} {
				name := network + "-" + f.String() + "/single"
				if parallel {
					name = network + "-" + f.String() + "/parallel"
				}
				b.Run(name, func(b *testing.B) {
					oc, err := shared.client(clientKey{f, network, 0})
					if err != nil {
						b.Fatal(err)
					}
					throughput(b, oc, parallel)
				})
			}
		}
	}
}

func throughput(b *testing.B, oc *ourClient, parallel bool) {
	d := &clientDest{oc: oc}
	if err := d.begin(); err != nil {
		b.Fatal(err)
	}
	bytes0 := oc.c.Stats().BytesSent
	send := func() {
		m := core.Message{Type: core.TypeOldstyle, Severity: core.Info, Payload: "request served", Fields: throughputFields}
		for oc.c.Send(&m) == core.ErrFull {
			runtime.Gosched()
		}
	}
	used := timed(b, func() {
		if parallel {
			runParallel(b, send)
			return
		}
		for range b.N {
			send()
		}
	}, d.settle)
	elapsed := b.Elapsed()
	n, _, err := d.delivered()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(oc.c.Stats().BytesSent-bytes0)/elapsed.Seconds()/1e6, "MB/s")
	reportDelivery(b, used.Nanoseconds(), int64(b.N), n, 1, true)
}
