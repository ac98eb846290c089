package metrics_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
)

// TestZeroAllocs guards the hot paths: once a name has been seen, no call
// allocates, in any mode or output.
func TestZeroAllocs(t *testing.T) {
	c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	u := newUDPCollector(t)
	outputs := map[string]func(mode metrics.Mode) *metrics.Metrics{
		"metlog": func(mode metrics.Mode) *metrics.Metrics { return metrics.New(c, metrics.WithMode(mode)) },
		"statsd": func(mode metrics.Mode) *metrics.Metrics {
			m, err := metrics.NewStatsd(u.addr(), metrics.WithMode(mode))
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
	}
	for oname, newM := range outputs {
		for _, mode := range []metrics.Mode{metrics.Aggregated, metrics.Direct} {
			if raceEnabled && mode == metrics.Direct {
				// Direct messages (Metlog or statsd lines alike) are built
				// in a sync.Pool, which the race detector makes drop items
				// at random.
				t.Logf("%s/direct not checked: sync.Pool allocates under the race detector", oname)
				continue
			}
			m := newM(mode)
			calls := map[string]func(){
				"Incr":         func() { m.Incr("a", 1) },
				"IncrTagged":   func() { m.Incr("a", 1, metrics.Tag("k", "v"), metrics.Field(core.Int("n", 1))) },
				"IncrSampled":  func() { m.Incr("a", 1, metrics.Rate(0.5)) },
				"Gauge":        func() { m.Gauge("g", -1.5) },
				"Timing":       func() { m.Timing("t", time.Millisecond) },
				"Timer":        func() { m.StartTimer("t").Stop() },
				"TimerTagged":  func() { m.StartTimer("t", metrics.Tag("k", "v")).Stop() },
				"TimeFunction": func() { m.Time("t", func() {}) },
				"BuiltName": func() { // a name converted on the caller's stack stays there
					b := [...]byte{'b', 'u', 'i', 'l', 't'}
					m.Incr(string(b[:]), 1)
				},
			}
			for name, call := range calls {
				call() // first sight of the name may allocate
				if n := testing.AllocsPerRun(200, call); n != 0 {
					t.Errorf("%s mode %d %s: %v allocs per call", oname, mode, name, n)
				}
			}
			m.Close(context.Background())
		}
	}
}
