package router

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/peers"
	"github.com/metlog-go/metlog/metrics"
)

// statsdTotals adds up what statsd flushed for names: counters summed,
// timer values joined, the last gauge.
type statsdTotals struct {
	counters map[string]float64
	timers   map[string][]float64
	gauges   map[string]float64
}

func readStatsd(t *testing.T, path string, names map[string]bool) statsdTotals {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tot := statsdTotals{map[string]float64{}, map[string][]float64{}, map[string]float64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var flush struct {
			Counters map[string]float64   `json:"counters"`
			Timers   map[string][]float64 `json:"timers"`
			Gauges   map[string]float64   `json:"gauges"`
		}
		if json.Unmarshal(sc.Bytes(), &flush) != nil {
			continue // a line being written
		}
		for n, v := range flush.Counters {
			if names[n] {
				tot.counters[n] += v
			}
		}
		for n, v := range flush.Timers {
			if names[n] {
				tot.timers[n] = append(tot.timers[n], v...)
			}
		}
		for n, v := range flush.Gauges {
			if names[n] {
				tot.gauges[n] = v
			}
		}
	}
	return tot
}

// TestStatsdEndpoint: counters, timers and gauges, per call and
// aggregated, reach a real statsd through the router's statsd endpoint
// with exact totals; a message that is not a metric is counted, not sent.
func TestStatsdEndpoint(t *testing.T) {
	statsdAddr, flushFile := peers.Statsd(t)
	p := fmt.Sprintf("routertest.%d.", rand.Uint64())
	r := startRouter(t, Config{
		Inputs: []Input{tcpInput},
		Routes: []Route{
			{Name: "metrics", Matcher: `Type == "counter" || Type == "timer" || Type == "gauge"`, Endpoints: []string{"statsd"}},
			{Name: "mistake", Matcher: `Type == "oldstyle"`, Endpoints: []string{"statsd"}},
		},
		Endpoints: []Endpoint{{Name: "statsd", Type: "statsd", Address: "udp://" + statsdAddr}},
	})
	c := newClient(t, r, 0, core.FormatHeka)
	direct := metrics.New(c, metrics.WithMode(metrics.Direct))
	agg := metrics.New(c)
	for i := range 5 {
		direct.Incr(p+"direct.count", 3)
		direct.Timing(p+"direct.time", time.Duration(i+1)*time.Millisecond)
		agg.Incr(p+"agg.count", 2)
	}
	for i := range 20 {
		agg.Timing(p+"agg.time", time.Duration(i+1)*time.Millisecond)
	}
	direct.Gauge(p+"direct.gauge", 42)
	agg.Gauge(p+"agg.gauge", -7)
	c.Send(&core.Message{Type: core.TypeOldstyle, Payload: "not a metric"})
	ctx := t.Context()
	direct.Close(ctx)
	agg.Close(ctx)
	closeClient(t, c)
	n := c.Stats().Sent
	waitReceived(t, r, n)
	closeRouter(t, r)
	st := r.Stats()
	ep := st.Endpoints[0]
	if ep.Client.Drops.Invalid != 1 || ep.Delivered != n-1 || ep.Dropped != 1 {
		t.Fatalf("statsd endpoint %+v (%d messages)", ep, n)
	}

	names := map[string]bool{}
	for _, s := range []string{"direct.count", "direct.time", "agg.count", "agg.time", "direct.gauge", "agg.gauge"} {
		names[p+s] = true
	}
	want := statsdTotals{
		counters: map[string]float64{p + "direct.count": 15, p + "agg.count": 10},
		timers:   map[string][]float64{p + "direct.time": {1, 2, 3, 4, 5}, p + "agg.time": nil},
		gauges:   map[string]float64{p + "direct.gauge": 42, p + "agg.gauge": -7},
	}
	for i := range 20 {
		want.timers[p+"agg.time"] = append(want.timers[p+"agg.time"], float64(i+1))
	}
	var got statsdTotals
	deadline := time.Now().Add(20 * time.Second) // statsd flushes every second
	for {
		got = readStatsd(t, flushFile, names)
		for _, v := range got.timers {
			slices.Sort(v)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("statsd flushed\n%v\nwant\n%v", got, want)
	}
}
