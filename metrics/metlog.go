package metrics

import (
	"errors"
	"strconv"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/core"
)

// Metlog messages (see the package documentation):
//
//	counter  payload: the count             fields: name, rate, tags...
//	timer    payload: elapsed milliseconds  fields: name, rate, tags...
//	gauge    payload: the value             fields: name, tags...
//
// Aggregated mode sends one message per series and interval: a counter's
// payload is the interval's sum and a gauge's its last value, both with
// rate 1. A timer's payload is the interval's mean in milliseconds, so
// that a receiver that reads it as one timing sees a typical value; its
// fields add count (int), sum, min and max (milliseconds, representation
// "ms") and samples (up to WithTimerSamples timings, in milliseconds).
// Payload numbers are decimal: integers for counters, the shortest exact
// decimal for milliseconds and gauges (NaN and ±Inf as "NaN", "+Inf",
// "-Inf").

// directMsg is the reusable memory of one Direct-mode message (pooled
// per Metrics): the message, its fields and the text of its payload and
// name, so that sending builds nothing.
type directMsg struct {
	msg    core.Message
	fields []core.Field
	text   []byte
}

// sendDirect sends one Direct-mode message; the client counts its fate.
// For timers iv is the duration in nanoseconds.
func (m *Metrics) sendDirect(k kind, name string, iv int64, fv, rate float64, opts []CallOption) {
	d, _ := m.msgs.Get().(*directMsg)
	if d == nil {
		d = &directMsg{fields: make([]core.Field, 0, 8), text: make([]byte, 0, 128)}
	}
	// Payload and name are copied into d.text (the name so that it does
	// not escape: a caller's name built on its stack stays there, and a
	// Timer holding the name does not push its options to the heap).
	d.text = appendPayload(d.text[:0], k, iv, fv)
	np := len(d.text)
	d.text = append(d.text, name...)
	payload := unsafe.String(unsafe.SliceData(d.text), np)
	nameCopy := unsafe.String(unsafe.SliceData(d.text[np:]), len(name))
	d.fields = append(d.fields[:0], core.String("name", nameCopy))
	if k != kGauge {
		d.fields = append(d.fields, core.Float("rate", rate))
	}
	for i := range opts {
		if opts[i].kind == optField {
			d.fields = append(d.fields, opts[i].field)
		}
	}
	d.msg = core.Message{
		Type:     typeNames[k],
		Severity: m.cfg.severity,
		Logger:   m.cfg.logger,
		Payload:  payload,
		Fields:   d.fields,
	}
	_ = m.client.Send(&d.msg)
	clear(d.fields) // keep no caller memory alive in the pool
	d.msg = core.Message{}
	if cap(d.fields) <= 64 && cap(d.text) <= 4<<10 {
		m.msgs.Put(d)
	}
}

func appendPayload(dst []byte, k kind, iv int64, fv float64) []byte {
	switch k {
	case kCounter:
		return strconv.AppendInt(dst, iv, 10)
	case kTimer:
		return appendMillis(dst, iv)
	}
	return appendFloat(dst, fv)
}

// appendMillis writes ns nanoseconds as decimal milliseconds ("1.5").
func appendMillis(dst []byte, ns int64) []byte {
	return strconv.AppendFloat(dst, float64(ns)/float64(time.Millisecond), 'f', -1, 64)
}

func millis(ns int64) float64 { return float64(ns) / float64(time.Millisecond) }

// appendFloat writes v as the shortest decimal that reads back as v.
func appendFloat(dst []byte, v float64) []byte { return strconv.AppendFloat(dst, v, 'g', -1, 64) }

// sendAggregate sends one aggregated message built in m.scratch (the
// caller holds flushMu) and reports whether the value should be kept for
// the next flush because the client's ring was full.
func (m *Metrics) sendAggregate(k kind, s *series, payload []byte, extra ...core.Field) (requeue bool) {
	sc := &m.scratch
	sc.fields = append(sc.fields[:0], core.String("name", s.name))
	if k != kGauge {
		sc.fields = append(sc.fields, core.Float("rate", 1))
	}
	sc.fields = append(sc.fields, extra...)
	sc.fields = append(sc.fields, s.tags...)
	sc.msg = core.Message{
		Type:     typeNames[k],
		Severity: m.cfg.severity,
		Logger:   m.cfg.logger,
		Payload:  unsafe.String(unsafe.SliceData(payload), len(payload)), // Send keeps nothing
		Fields:   sc.fields,
	}
	err := m.client.Send(&sc.msg)
	clear(sc.fields)
	switch {
	case err == nil:
		m.ctr.messages.Add(1)
	case errors.Is(err, core.ErrFull) && k != kGauge && !m.closed.Load():
		m.ctr.requeued.Add(1)
		return true
	case !m.owned:
		// Oversize, or the client is closed, or this is Close's last flush;
		// a gauge's next value would replace it anyway. (NewStatsd's own
		// client counts it in its Stats, which Stats adds.)
		m.ctr.dropped.Add(1)
	}
	return false
}

// metlogCounter, metlogGauge and metlogTimer send one series' interval.
func (m *Metrics) metlogCounter(s *counterSeries, sum int64) {
	sc := &m.scratch
	sc.text = strconv.AppendInt(sc.text[:0], sum, 10)
	if m.sendAggregate(kCounter, &s.series, sc.text) {
		m.agg.addCounter(s, sum)
	}
}

func (m *Metrics) metlogGauge(s *gaugeSeries, v float64) {
	sc := &m.scratch
	sc.text = appendFloat(sc.text[:0], v)
	m.sendAggregate(kGauge, &s.series, sc.text)
}

func (m *Metrics) metlogTimer(s *timerSeries, t *timerSnap) {
	sc := &m.scratch
	sc.text = appendMillis(sc.text[:0], t.sum/t.count)
	sc.floats = sc.floats[:0]
	for _, ns := range t.samples {
		sc.floats = append(sc.floats, millis(ns))
	}
	extra := [...]core.Field{
		core.Int64("count", t.count),
		core.Float("sum", millis(t.sum)).WithRepresentation("ms"),
		core.Float("min", millis(t.min)).WithRepresentation("ms"),
		core.Float("max", millis(t.max)).WithRepresentation("ms"),
		core.Floats("samples", sc.floats).WithRepresentation("ms"),
	}
	n := len(extra)
	if len(sc.floats) == 0 {
		n--
	}
	if m.sendAggregate(kTimer, &s.series, sc.text, extra[:n]...) {
		m.agg.requeueTimer(s, t)
	}
}
