package bench

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/bench/internal/latency"
)

var sustainedUnit = flag.Duration("sustained.unit", 100*time.Millisecond,
	"BenchmarkSustained offers its load for b.N times this long (-benchtime 20x: 2s)")

// sustainedRates are the offered loads, in messages per second.
var sustainedRates = []int{50_000, 200_000}

// sustainedProducers is how many goroutines share the offered rate.
const sustainedProducers = 4

// sustainedSlack is how far ahead of its schedule a producer may run
// before it sleeps.
const sustainedSlack = 2 * time.Millisecond

// BenchmarkSustained offers each row a fixed load of 10-field messages
// (50k and 200k messages per second from 4 goroutines) for b.N ×
// -sustained.unit (run it with -benchtime Nx: -benchtime 20x offers 2
// seconds), with the libraries' default buffer sizes, and reports the
// log call's latency (p50-ns, p99-ns, p99.9-ns: every call timed, exact
// percentiles), the process's CPU time per delivered message, the
// delivered fraction and the rate achieved (below the offered rate when
// the calls cannot keep up). The harness/noop row runs an empty call: the
// pacing's own CPU cost and the clock's resolution.
//
// ns/op is the wall time per -sustained.unit and means nothing.
func BenchmarkSustained(b *testing.B) {
	for _, rate := range sustainedRates {
		b.Run(fmt.Sprintf("rate=%dk", rate/1000), func(b *testing.B) {
			b.Run("harness/noop", func(b *testing.B) {
				sustain(b, noopDest{}, func() {}, rate)
			})
			for _, fw := range frameworks {
				for _, r := range rows {
					if r.otel && !fw.otel || r.log {
						continue
					}
					setup := lazySetup(b, fw, r, tenFields, config{})
					b.Run(fw.name+"/"+r.name, func(b *testing.B) {
						d, call, err := setup()
						if err != nil {
							b.Fatal(err)
						}
						sustain(b, d, call, rate)
					})
				}
			}
		})
	}
}

// sustain offers call at rate calls per second for b.N units. Producer g's
// i-th call is due at start + (i + g/producers) / (rate/producers): a
// producer more than sustainedSlack ahead of its schedule sleeps until the
// call is due; one behind calls at once (it never skips calls), so calls
// come in bursts of at most sustainedSlack of schedule. No ticker: each
// deadline is computed from the start.
func sustain(b *testing.B, d destination, call func(), rate int) {
	dur := time.Duration(b.N) * *sustainedUnit
	perProducer := float64(rate) / sustainedProducers
	interval := time.Duration(float64(time.Second) / perProducer)
	expected := int(perProducer*dur.Seconds()) + 1
	recs := make([]*latency.Recorder, sustainedProducers)
	for g := range recs {
		recs[g] = latency.NewRecorder(expected + expected/10)
	}
	if err := d.begin(); err != nil {
		b.Fatal(err)
	}
	var elapsed time.Duration
	used := timed(b, func() {
		start := time.Now()
		end := start.Add(dur)
		var wg sync.WaitGroup
		for g := range sustainedProducers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				produce(call, recs[g], start, end, interval*time.Duration(g)/sustainedProducers, interval)
			}()
		}
		wg.Wait()
		elapsed = time.Since(start)
	}, d.settle)
	n, copies, err := d.delivered()
	if err != nil {
		b.Fatal(err)
	}
	lat := latency.Merge(recs...)
	calls := int64(lat.Len())
	b.ReportMetric(float64(lat.Quantile(0.5).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat.Quantile(0.99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(lat.Quantile(0.999).Nanoseconds()), "p99.9-ns")
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "msgs/s")
	if _, noop := d.(noopDest); noop {
		b.ReportMetric(float64(used.Nanoseconds())/float64(calls), "cpu-ns/op")
		return
	}
	reportDelivery(b, used.Nanoseconds(), calls, n, copies, true)
}

// produce makes the calls of one producer, due at start + phase + i ×
// interval until end, recording each call's latency.
func produce(call func(), rec *latency.Recorder, start, end time.Time, phase, interval time.Duration) {
	for i := 0; ; i++ {
		due := start.Add(phase + time.Duration(i)*interval)
		if !due.Before(end) {
			return
		}
		now := time.Now()
		if !now.Before(end) {
			return // behind schedule at the end: the rest is not offered
		}
		if ahead := due.Sub(now); ahead > sustainedSlack {
			time.Sleep(ahead)
		}
		t0 := time.Now()
		call()
		rec.Add(time.Since(t0))
	}
}

// noopDest is the harness's own row: nothing is written.
type noopDest struct{ discardDest }
