package metrics_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/metlog-go/metlog/internal/peers"
	"github.com/metlog-go/metlog/metrics"
)

// TestStatsdIntegration sends counters, timers and gauges to Etsy's statsd
// 0.9.0 over UDP and TCP, in both modes, and checks statsd's flushes add up
// to what was sent. statsd flushes every second, with counters already
// scaled by their sample rate and idle stats deleted (see peers.ReadStatsd).
// It skips when statsd is not running (scripts/receivers.sh starts it; CI
// does).
func TestStatsdIntegration(t *testing.T) {
	addr, file := peers.Statsd(t)
	var rb [6]byte
	for i := range rb {
		rb[i] = byte(rand.Uint32())
	}
	run := "metlogtest_" + hex.EncodeToString(rb[:])
	for _, scheme := range []string{"udp", "tcp"} {
		for _, mode := range []struct {
			name string
			mode metrics.Mode
		}{{"direct", metrics.Direct}, {"aggregated", metrics.Aggregated}} {
			t.Run(scheme+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				testStatsdPeer(t, scheme+"://"+addr, file, run+"."+scheme+"_"+mode.name+".", mode.mode)
			})
		}
	}
}

func testStatsdPeer(t *testing.T, addr, file, p string, mode metrics.Mode) {
	offset := peers.Size(t, file)
	m, err := metrics.NewStatsd(addr, metrics.WithMode(mode), metrics.WithInterval(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	wantC := map[string]float64{}
	wantT := map[string][]float64{}
	wantTC := map[string]float64{}
	wantG := map[string]float64{}

	for range 200 {
		m.Incr(p+"c", 1)
	}
	wantC[p+"c"] = 200
	for range 50 {
		m.Incr(p+"c3", 3)
		m.Incr(p+"cneg", -2)
	}
	wantC[p+"c3"], wantC[p+"cneg"] = 150, -100
	for range 5 {
		m.Incr(p+"tagged", 2, metrics.Tag("route", "api"))
	}
	wantC[p+"tagged;route=api"] = 10 // statsd's key for a DogStatsD tag

	// Sampled counter: Direct mode sends about half the calls at @0.5 and
	// statsd doubles each; Aggregated mode counts every call.
	before := m.Stats().Lines
	for range 400 {
		m.Incr(p+"sampled", 1, metrics.Rate(0.5))
	}
	if mode == metrics.Direct {
		sent := m.Stats().Lines - before
		if sent == 0 || sent == 400 {
			t.Fatalf("rate 0.5 sent %d of 400", sent)
		}
		wantC[p+"sampled"] = float64(sent) / 0.5
	} else {
		wantC[p+"sampled"] = 400
	}

	for i := 1; i <= 50; i++ {
		d := time.Duration(i) * 250 * time.Microsecond
		m.Timing(p+"t", d)
		wantT[p+"t"] = append(wantT[p+"t"], float64(d)/1e6)
	}
	wantTC[p+"t"] = 50
	for range 10 {
		m.Timing(p+"trated", time.Millisecond, metrics.Rate(0.5)) // the caller sampled
		wantT[p+"trated"] = append(wantT[p+"trated"], 1)
	}
	wantTC[p+"trated"] = 20
	if mode == metrics.Aggregated {
		wantTC[p+"trated"] = 10 // rates do not apply in Aggregated mode
	}
	for range 5 {
		tm := m.StartTimer(p + "started")
		time.Sleep(time.Millisecond)
		d := tm.Stop()
		wantT[p+"started"] = append(wantT[p+"started"], float64(d)/1e6)
	}
	wantTC[p+"started"] = 5

	for i := 1; i <= 30; i++ {
		m.Gauge(p+"g", float64(i)*1.5)
	}
	wantG[p+"g"] = 45
	m.Gauge(p+"gneg", 7)
	m.Gauge(p+"gneg", -5) // must not be read as "7 - 5"
	wantG[p+"gneg"] = -5
	m.Gauge(p+"gfrac", -0.125)
	wantG[p+"gfrac"] = -0.125

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Dropped != 0 || st.Written != st.Lines || st.Errors != 0 {
		t.Fatalf("client stats %+v", st)
	}

	// Wait (up to 10s) until statsd has flushed everything, then one more
	// flush so that extra values would show.
	done := func(tot peers.StatsdTotals) bool {
		for k, v := range wantC {
			if tot.Counters[k] != v {
				return false
			}
		}
		for k, v := range wantT {
			if len(tot.Timers[k]) < len(v) {
				return false
			}
		}
		for k := range wantG {
			if _, ok := tot.Gauges[k]; !ok {
				return false
			}
		}
		return true
	}
	var tot peers.StatsdTotals
	deadline := time.Now().Add(10 * time.Second)
	for tot = peers.ReadStatsd(t, file, offset, p); !done(tot) && time.Now().Before(deadline); tot = peers.ReadStatsd(t, file, offset, p) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1200 * time.Millisecond)
	tot = peers.ReadStatsd(t, file, offset, p)

	for k, v := range wantC {
		if tot.Counters[k] != v {
			t.Errorf("counter %s = %v, want %v", k, tot.Counters[k], v)
		}
	}
	for k := range tot.Counters {
		if _, ok := wantC[k]; !ok {
			t.Errorf("unexpected counter %s = %v", k, tot.Counters[k])
		}
	}
	for k, v := range wantT {
		got, want := sortedCopy(tot.Timers[k]), sortedCopy(v)
		if !slices.Equal(got, want) {
			t.Errorf("timer %s = %v, want %v", k, got, want)
		}
		if tot.TimerCounts[k] != wantTC[k] {
			t.Errorf("timer %s count %v, want %v", k, tot.TimerCounts[k], wantTC[k])
		}
	}
	for k, v := range wantG {
		if g, ok := tot.Gauges[k]; !ok || g != v {
			t.Errorf("gauge %s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if t.Failed() {
		t.Logf("statsd totals: %s", fmt.Sprint(tot))
	}
}
