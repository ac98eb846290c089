package metrics

import (
	"math/rand/v2"
	"time"
)

// epoch is the monotonic reference of timers: time.Since(epoch) reads only
// the monotonic clock, which costs half of a time.Now (wall and monotonic).
var epoch = time.Now()

// Timer measures one duration: StartTimer returns it and Stop records it.
// The zero Timer records nothing.
type Timer struct {
	m     *Metrics
	s     *timerSeries // Aggregated mode: the series, resolved at start
	name  string       // Direct mode
	opts  []CallOption // Direct mode: the start's options, for Stop's message
	rate  float64
	start time.Duration // since epoch
}

// StartTimer starts timing name; Stop records the elapsed time. As in
// Metlog's timer(), the checks happen here: a disabled timer, or one that
// its sample rate leaves out (Direct mode), returns a Timer whose Stop
// records nothing and returns 0. The options must not be changed before
// Stop (they are values, so this only matters for a slice passed with ...).
//
//	defer m.StartTimer("req.time").Stop()
func (m *Metrics) StartTimer(name string, opts ...CallOption) Timer {
	if m == nil || !m.enabled[kTimer] || m.timerDisabled(name) {
		return Timer{}
	}
	if m.closed.Load() {
		m.ctr.dropped.Add(1)
		return Timer{}
	}
	rate, fields := callRate(opts, m.cfg.rate)
	if m.agg != nil {
		return Timer{m: m, s: m.agg.timer(name, opts, fields), start: time.Since(epoch)}
	}
	if rate < 1 && !(rand.Float64() < rate) {
		return Timer{}
	}
	return Timer{m: m, name: name, opts: opts, rate: rate, start: time.Since(epoch)}
}

// Stop records the time elapsed since StartTimer and returns it, or
// returns 0 for a timer that records nothing. Each call records once.
func (t Timer) Stop() time.Duration {
	if t.m == nil {
		return 0
	}
	d := time.Since(epoch) - t.start
	if t.m.closed.Load() {
		t.m.ctr.dropped.Add(1)
		return d
	}
	if t.s != nil {
		t.m.agg.recordTimer(t.s, d)
	} else {
		t.m.timingDirect(t.name, d, t.rate, t.opts)
	}
	return d
}
