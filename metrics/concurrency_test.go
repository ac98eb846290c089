package metrics_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/metrics"
)

const (
	workers = 8
	rounds  = 3000
)

// hammer runs the same mix of calls from many goroutines: a shared
// counter, one counter per goroutine, a tagged counter, a rarely used
// counter (retired and re-created between flushes), a shared timer and a
// gauge. It returns the expected counter totals by series key
// ("name" or "name;tag=value") and the timer's call count.
func hammer(m *metrics.Metrics) (map[string]int64, int64) {
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := "own." + strconv.Itoa(g)
			tag := metrics.Tag("parity", strconv.Itoa(g%2))
			for i := range rounds {
				m.Incr("shared", 1)
				m.Incr(own, 2)
				m.Incr("tagged", 1, tag)
				if i%100 == 0 {
					m.Incr("rare", 1)
					time.Sleep(100 * time.Microsecond)
				}
				t := m.StartTimer("shared.t")
				m.Gauge("shared.g", float64(g))
				t.Stop()
			}
		}()
	}
	wg.Wait()
	want := map[string]int64{
		"shared":          workers * rounds,
		"tagged;parity=0": workers / 2 * rounds,
		"tagged;parity=1": workers / 2 * rounds,
		"rare":            workers * rounds / 100,
	}
	for g := range workers {
		want["own."+strconv.Itoa(g)] = 2 * rounds
	}
	return want, workers * rounds
}

func TestConcurrentTotalsMetlog(t *testing.T) {
	for _, interval := range []time.Duration{time.Millisecond, time.Hour} {
		c, cp := metlogtest.NewClient(t, core.FormatHeka)
		m := metrics.New(c, metrics.WithInterval(interval))
		want, timings := hammer(m)
		if err := m.Close(ctx5s(t)); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		var count int64
		gauges := 0
		for _, msg := range decoded(t, cp) {
			fs := fields(msg)
			key := fs["name"].Str()
			if p, ok := fs["parity"]; ok {
				key += ";parity=" + p.Str()
			}
			switch msg.Type {
			case "counter":
				n, err := strconv.ParseInt(msg.Payload, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				got[key] += n
			case "timer":
				count += fs["count"].IntValue()
			case "gauge":
				if v, err := strconv.ParseFloat(msg.Payload, 64); err != nil || v < 0 || v >= workers || v != float64(int(v)) {
					t.Errorf("gauge value %q was never set", msg.Payload)
				}
				gauges++
			}
		}
		checkTotals(t, interval.String(), got, want)
		if count != timings {
			t.Errorf("interval %v: timer count %d, want %d", interval, count, timings)
		}
		if gauges == 0 {
			t.Errorf("interval %v: no gauge sent", interval)
		}
		t.Logf("interval %v: %d flushes, %d messages, %d requeued", interval, m.Stats().Flushes, m.Stats().Messages, m.Stats().Requeued)
	}
}

func checkTotals(t *testing.T, label string, got, want map[string]int64) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s total %d, want %d", label, k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected series %s", label, k)
		}
	}
}

func TestConcurrentTotalsDirect(t *testing.T) {
	// Direct mode: every call is one message, or one the client counts as
	// dropped when its ring is full.
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithMode(metrics.Direct))
	want, timings := hammer(m)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	var calls int64
	for _, w := range want {
		calls += w
	}
	calls -= workers*rounds*2 - workers*rounds // own.* counters add 2 per call
	calls += 2 * timings                       // timer and gauge calls
	st := c.Stats()
	if got := int64(cp.Len()) + int64(st.Drops.Full); got != calls {
		t.Errorf("messages %d + dropped %d = %d, want %d calls", cp.Len(), st.Drops.Full, got, calls)
	}
}

func TestConcurrentTotalsStatsd(t *testing.T) {
	srv := newTCPCollector(t)
	m, err := metrics.NewStatsd(srv.addr(), metrics.WithInterval(time.Millisecond), metrics.WithStatsdBuffer(8<<20))
	if err != nil {
		t.Fatal(err)
	}
	want, timings := hammer(m)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	st := m.Stats()
	if st.Dropped != 0 || st.Written != st.Lines {
		t.Fatalf("stats %+v", st)
	}
	conns := srv.waitEOF(t, 1) // Close closed the connection: read it all
	got := map[string]int64{}
	var count int64
	for _, lines := range conns {
		for _, l := range lines {
			name, rest, _ := strings.Cut(l, ":")
			val, typ, _ := strings.Cut(rest, "|")
			if tags, ok := strings.CutPrefix(typ, "c|#"); ok {
				typ, name = "c", name+";"+strings.ReplaceAll(tags, ":", "=")
			}
			switch typ {
			case "c":
				n, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					t.Fatalf("line %q: %v", l, err)
				}
				got[name] += n
			case "ms", "ms|@" + strings.TrimPrefix(typ, "ms|@"):
				count++
			}
		}
	}
	checkTotals(t, "statsd", got, want)
	// Timer lines are samples: with at most DefaultTimerSamples per
	// interval some may be left out, at a rate that says so.
	if count == 0 || count > timings {
		t.Errorf("timer lines %d for %d timings", count, timings)
	}
}

func TestCloseRacesCalls(t *testing.T) {
	// Close while goroutines are still calling: nothing panics or races,
	// and calls after Close are counted.
	c, _ := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithInterval(time.Millisecond))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				m.Incr("x", 1)
				m.StartTimer("t").Stop()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := m.Close(context.Background()); err != nil {
		t.Error(err)
	}
	time.Sleep(5 * time.Millisecond)
	close(stop)
	wg.Wait()
	if m.Stats().Dropped == 0 {
		t.Error("no call counted as dropped after Close")
	}
}
