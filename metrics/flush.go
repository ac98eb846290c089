package metrics

import "github.com/metlog-go/metlog/core"

// flushScratch is the flusher's reusable memory (guarded by flushMu).
type flushScratch struct {
	msg    core.Message
	fields []core.Field
	text   []byte
	floats []float64
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
				m.metlogCounter(s, sum)
			}
			return true
		})
		a.maps(kGauge, tagged).Range(func(_, v any) bool {
			s := v.(*gaugeSeries)
			if g, ok := a.takeGauge(s); ok {
				m.metlogGauge(s, g)
			}
			return true
		})
		a.maps(kTimer, tagged).Range(func(_, v any) bool {
			s := v.(*timerSeries)
			if a.takeTimer(s, &m.scratch.timer) {
				m.metlogTimer(s, &m.scratch.timer)
			}
			return true
		})
	}
	m.ctr.flushes.Add(1)
}
