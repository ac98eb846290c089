package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// A caller holding a series that the flusher retired moves its update
// into the series that replaces it.
func TestRetiredSeriesHandOver(t *testing.T) {
	a := newAggregator(4)
	c := a.counter("c", nil, false)
	if _, ok := a.takeCounter(c); ok {
		t.Fatal("idle counter had something to send")
	}
	if !c.dead.Load() {
		t.Fatal("idle counter not retired")
	}
	a.addCounter(c, 5) // through the stale pointer
	c2 := a.counter("c", nil, false)
	if c2 == c {
		t.Fatal("retired counter still in the map")
	}
	if sum, ok := a.takeCounter(c2); !ok || sum != 5 {
		t.Errorf("replacement holds %d, %v; want 5", sum, ok)
	}

	g := a.gauge("g", nil, false)
	a.takeGauge(g)
	a.setGauge(g, 2.5)
	if v, ok := a.takeGauge(a.gauge("g", nil, false)); !ok || v != 2.5 {
		t.Errorf("gauge replacement holds %v, %v", v, ok)
	}

	opts := []CallOption{Tag("k", "v")}
	tm := a.timer("t", opts, true)
	var snap timerSnap
	if a.takeTimer(tm, &snap) {
		t.Fatal("idle timer had something to send")
	}
	a.recordTimer(tm, 3*time.Millisecond)
	tm2 := a.timer("t", opts, true)
	if tm2 == tm || len(tm2.tags) != 1 || tm2.tags[0].Str() != "v" {
		t.Fatalf("timer replacement %p (old %p) tags %v", tm2, tm, tm2.tags)
	}
	if !a.takeTimer(tm2, &snap) || snap.count != 1 || snap.sum != int64(3*time.Millisecond) {
		t.Errorf("timer replacement snapshot %+v", snap)
	}
}

// Writers keep using pointers they loaded once while a flusher takes and
// retires series as fast as it can: nothing is lost or counted twice.
func TestRetireStress(t *testing.T) {
	a := newAggregator(8)
	const writers, n = 4, 20000
	var total atomic.Int64
	var timings atomic.Int64
	stop := make(chan struct{})
	var fl sync.WaitGroup
	fl.Add(1)
	go func() {
		defer fl.Done()
		var snap timerSnap
		drain := func() {
			for _, tagged := range [2]bool{false, true} {
				a.maps(kCounter, tagged).Range(func(_, v any) bool {
					if s, ok := a.takeCounter(v.(*counterSeries)); ok {
						total.Add(s)
					}
					return true
				})
				a.maps(kTimer, tagged).Range(func(_, v any) bool {
					if a.takeTimer(v.(*timerSeries), &snap) {
						timings.Add(snap.count)
					}
					return true
				})
				a.maps(kGauge, tagged).Range(func(_, v any) bool {
					if g, ok := a.takeGauge(v.(*gaugeSeries)); ok && (g < 0 || g != math.Trunc(g)) {
						t.Errorf("gauge %v", g)
					}
					return true
				})
			}
		}
		for {
			select {
			case <-stop:
				drain()
				return
			default:
				drain()
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := a.counter("c", nil, false)
			tm := a.timer("t", nil, false)
			g := a.gauge("g", nil, false)
			for i := range n {
				if i%1000 == 0 { // sometimes look up again, sometimes keep a stale pointer
					c, tm = a.counter("c", nil, false), a.timer("t", nil, false)
				}
				a.addCounter(c, 1)
				a.recordTimer(tm, time.Duration(i))
				a.setGauge(g, float64(w))
			}
		}()
	}
	wg.Wait()
	close(stop)
	fl.Wait()
	if total.Load() != writers*n || timings.Load() != writers*n {
		t.Errorf("counted %d, timed %d; want %d each", total.Load(), timings.Load(), writers*n)
	}
}

func TestKeys(t *testing.T) {
	// Tag's fast path writes what the general path writes for a string
	// field (here told apart only by the representation's bytes).
	f := Tag("route", "/api").field
	fast := appendKeyField(nil, &f)
	f.Representation = "x"
	general := appendKeyField(nil, &f)
	if string(fast[:6]) != string(general[:6]) || fast[6] != 0 || general[6] != 1 || string(fast[7:]) != string(general[8:]) {
		t.Errorf("fast path %q, general path %q", fast, general)
	}
	// Different names and tags never share a key.
	cases := []struct {
		name string
		opts []CallOption
	}{
		{"ab", []CallOption{Tag("c", "d")}},
		{"a", []CallOption{Tag("bc", "d")}},
		{"a", []CallOption{Tag("b", "cd")}},
		{"a", []CallOption{Tag("b", "c"), Tag("d", "")}},
		{"a", []CallOption{Field(core.Int("b", 1))}},
		{"a", []CallOption{Tag("b", "\x01\x00\x00\x00\x00\x00\x00\x00")}},
		{"a", []CallOption{Field(core.Ints("b", []int64{1}))}},
		{"a", []CallOption{Field(core.Group("b", core.Int("c", 1)))}},
		{"a", []CallOption{Field(core.Group("b"))}},
		{"a", []CallOption{Field(core.Float("b", 1))}},
		{"a", []CallOption{Field(core.Bool("b", true))}},
		{"a", []CallOption{Field(core.Bytes("b", []byte("c")))}},
		{"a", []CallOption{Field(core.Strings("b", []string{"c"}))}},
		{"a", nil},
		{"a", []CallOption{Rate(0.5)}},
	}
	seen := map[string]int{}
	for i, c := range cases {
		k := string(appendKey(nil, c.name, c.opts))
		if j, dup := seen[k]; dup && !(i == len(cases)-1 && j == len(cases)-2) {
			t.Errorf("cases %d and %d share key %q", j, i, k)
		}
		seen[k] = i
	}
	if len(seen) != len(cases)-1 {
		t.Errorf("a rate changed the key: %d keys for %d cases", len(seen), len(cases))
	}
}

// The reservoir keeps a uniform sample: over many intervals, each tenth of
// the timings is kept about as often as any other.
func TestReservoirUniform(t *testing.T) {
	const n, k, trials = 1000, 10, 6000
	var st timerStripe
	var snap timerSnap
	var deciles [10]int
	for range trials {
		for i := range n {
			st.record(int64(i), k)
		}
		st.take(&snap, false)
		snap.count = 0
		if len(snap.samples) != k {
			t.Fatalf("kept %d samples, want %d", len(snap.samples), k)
		}
		for _, v := range snap.samples {
			deciles[v*10/n]++
		}
		snap.samples = snap.samples[:0]
	}
	// Each decile expects 6000 of 60000 samples, standard deviation ~73.
	for d, c := range deciles {
		if c < 5600 || c > 6400 {
			t.Errorf("decile %d kept %d times, want about 6000: %v", d, c, deciles)
		}
	}
}
