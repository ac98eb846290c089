package metrics

import "github.com/metlog-go/metlog/core"

// flushScratch is the flusher's reusable memory (guarded by flushMu).
type flushScratch struct {
	msg    core.Message
	fields []core.Field
	text   []byte
	floats []float64
	line   []byte
	timer  timerSnap
}

// flushAggregates sends every series that changed since the last flush,
// one message (or statsd line group) per series, and retires idle ones.
func (m *Metrics) flushAggregates() {
	a := m.agg
	if a == nil {
		return
	}
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	for _, tagged := range [2]bool{false, true} {
		a.maps(kCounter, tagged).Range(func(_, v any) bool {
			s := v.(*counterSeries)
			if sum, ok := a.takeCounter(s); ok {
				if m.client != nil {
					m.metlogCounter(s, sum)
				} else {
					m.statsdCounter(s, sum)
				}
			}
			return true
		})
		a.maps(kGauge, tagged).Range(func(_, v any) bool {
			s := v.(*gaugeSeries)
			if g, ok := a.takeGauge(s); ok {
				if m.client != nil {
					m.metlogGauge(s, g)
				} else {
					m.statsdGauge(s, g)
				}
			}
			return true
		})
		a.maps(kTimer, tagged).Range(func(_, v any) bool {
			s := v.(*timerSeries)
			if a.takeTimer(s, &m.scratch.timer) {
				if m.client != nil {
					m.metlogTimer(s, &m.scratch.timer)
				} else {
					m.statsdTimer(s, &m.scratch.timer)
				}
			}
			return true
		})
	}
	m.ctr.flushes.Add(1)
	if m.statsd != nil {
		m.statsd.kickNow()
	}
}
