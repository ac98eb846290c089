package metrics

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metlog-go/metlog/core"
)

// Metlog message types of metrics. "gauge" is metlog-go's addition.
const (
	TypeCounter = core.TypeCounter
	TypeTimer   = core.TypeTimer
	TypeGauge   = core.TypeGauge
)

type kind uint8

const (
	kCounter kind = iota
	kGauge
	kTimer
	numKinds
)

var typeNames = [numKinds]string{TypeCounter, TypeGauge, TypeTimer}

// Metrics records counters, gauges and timers and sends them as Metlog
// messages through a core.Client (New) or as statsd lines to a statsd
// server (NewStatsd). Its methods never wait on I/O, and calls allocate
// nothing once a name has been seen. A Metrics is safe for concurrent
// use; a nil *Metrics discards everything.
type Metrics struct {
	// Read by every call; written only by New and Close.
	closed  atomic.Bool
	enabled [numKinds]bool // the client's filters let the type through
	cfg     config
	client  *core.Client // the output: Metlog messages, or statsd lines (NewStatsd's own client)
	owned   bool         // client was made by NewStatsd: Close closes it, Stats reports it
	agg     *aggregator  // nil in Direct mode
	msgs    *sync.Pool   // of *directMsg; behind a pointer, so that using it does not leak m

	_ [64]byte // the fields below are written by flushes: another cache line

	flushMu sync.Mutex // serialises aggregation flushes and their scratch
	scratch flushScratch

	stop      chan struct{} // closed by Close: the flush loop exits
	loopDone  chan struct{}
	stopOnce  sync.Once // the flush loop's end and the last flush
	unhook    func()    // unregisters from the client's Close
	closeOnce sync.Once
	closeErr  error

	ctr counters
}

// New returns a Metrics sending Metlog messages (types "counter", "timer"
// and "gauge", severity Info unless WithSeverity) through c, in
// Aggregated mode unless WithMode(Direct). With a nil client every call is
// a no-op.
//
// Metrics does not own c: Close flushes what it holds into c and waits for
// c to deliver it, but never closes c, which other adapters may share.
// Closing c first is safe too: c's Close flushes what Metrics holds into it
// before it stops accepting messages (core.Client.OnClose), and calls made
// after that are dropped and counted in Stats.Dropped at once.
func New(c *core.Client, opts ...Option) *Metrics {
	m := newMetrics(opts)
	m.client = c
	if c != nil {
		for k := range numKinds {
			m.enabled[k] = c.Enabled(typeNames[k], m.cfg.severity)
		}
	}
	m.start()
	if c != nil {
		m.unhook = c.OnClose(func(context.Context) { m.stopOnce.Do(m.stopAndFlush) })
	}
	return m
}

func newMetrics(opts []Option) *Metrics {
	m := &Metrics{cfg: defaultConfig(), msgs: new(sync.Pool)}
	for _, o := range opts {
		if o != nil {
			o(&m.cfg)
		}
	}
	return m
}

func (m *Metrics) start() {
	m.stop = make(chan struct{})
	m.loopDone = make(chan struct{})
	if m.cfg.mode == Aggregated && (m.enabled != [numKinds]bool{}) {
		m.agg = newAggregator(m.cfg.timerSamples)
		go m.loop()
		return
	}
	close(m.loopDone)
}

// loop flushes the aggregates every interval until Close.
func (m *Metrics) loop() {
	defer close(m.loopDone)
	t := time.NewTicker(m.cfg.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.flushAggregates()
		case <-m.stop:
			return
		}
	}
}

// Incr adds n to the counter name. In Direct mode it sends a "counter"
// message whose payload is n and whose fields are name, rate and the
// call's tags, with probability rate (Rate, WithRate).
func (m *Metrics) Incr(name string, n int64, opts ...CallOption) {
	if m == nil || !m.enabled[kCounter] {
		return
	}
	if m.closed.Load() {
		m.ctr.dropped.Add(1)
		return
	}
	rate, fields := callRate(opts, m.cfg.rate)
	if m.agg != nil {
		m.agg.addCounter(m.agg.counter(name, opts, fields), n)
		return
	}
	if rate < 1 && !(rand.Float64() < rate) {
		return
	}
	m.sendDirect(kCounter, name, n, 0, rate, opts)
}

// Gauge sets the gauge name to v. In Aggregated mode the last value of an
// interval is sent. Gauges are never sampled.
func (m *Metrics) Gauge(name string, v float64, opts ...CallOption) {
	if m == nil || !m.enabled[kGauge] {
		return
	}
	if m.closed.Load() {
		m.ctr.dropped.Add(1)
		return
	}
	if m.agg != nil {
		_, fields := callRate(opts, 1)
		m.agg.setGauge(m.agg.gauge(name, opts, fields), v)
		return
	}
	m.sendDirect(kGauge, name, 0, v, 1, opts)
}

// Timing records one timing d of the timer name, Metlog's timer_send: it
// is never sampled (a Rate only tells receivers how the caller sampled),
// but a disabled timer records nothing. Negative durations count as 0.
func (m *Metrics) Timing(name string, d time.Duration, opts ...CallOption) {
	if m == nil || !m.enabled[kTimer] || m.timerDisabled(name) {
		return
	}
	if m.closed.Load() {
		m.ctr.dropped.Add(1)
		return
	}
	rate, fields := callRate(opts, 1)
	if m.agg != nil {
		m.agg.recordTimer(m.agg.timer(name, opts, fields), d)
		return
	}
	m.timingDirect(name, d, rate, opts)
}

func (m *Metrics) timingDirect(name string, d time.Duration, rate float64, opts []CallOption) {
	m.sendDirect(kTimer, name, int64(max(d, 0)), 0, rate, opts)
}

func (m *Metrics) timerDisabled(name string) bool {
	if m.cfg.disableAll {
		return true
	}
	if len(m.cfg.disabled) == 0 {
		return false
	}
	_, off := m.cfg.disabled[name]
	return off
}

// Time runs fn and records how long it took as the timer name, like a
// timer from StartTimer stopped when fn returns or panics. A nil fn does
// nothing.
func (m *Metrics) Time(name string, fn func(), opts ...CallOption) {
	if fn == nil {
		return
	}
	t := m.StartTimer(name, opts...)
	defer t.Stop()
	fn()
}

// Flush sends what Aggregated mode holds now and waits until it, and
// everything sent before, has been delivered (by the client, or written to
// the statsd socket), or until ctx is done.
func (m *Metrics) Flush(ctx context.Context) error {
	if m == nil {
		return nil
	}
	m.flushAggregates()
	return m.flushOutput(ctx)
}

func (m *Metrics) flushOutput(ctx context.Context) error {
	if m.client == nil {
		return nil
	}
	return m.client.Flush(ctx)
}

// Close stops the flush loop, sends what Aggregated mode holds, and waits
// until it is delivered or ctx is done. It does not close the core.Client
// given to New (the caller owns it and closes it after Close); it closes
// the statsd socket of NewStatsd. Calls after Close are dropped and
// counted in Stats.Dropped; calls racing with Close may be lost. Close is
// idempotent and leaves no goroutine behind.
func (m *Metrics) Close(ctx context.Context) error {
	if m == nil {
		return nil
	}
	m.closeOnce.Do(func() {
		if m.unhook != nil {
			m.unhook()
		}
		m.stopOnce.Do(m.stopAndFlush)
		if m.owned {
			m.closeErr = m.client.Close(ctx)
		} else {
			m.closeErr = m.flushOutput(ctx)
		}
	})
	return m.closeErr
}

// stopAndFlush refuses further calls, stops the flush loop and hands what
// Aggregated mode holds to the client.
func (m *Metrics) stopAndFlush() {
	m.closed.Store(true)
	close(m.stop)
	<-m.loopDone
	m.flushAggregates()
}

// Stats are a Metrics' own counters, and for NewStatsd those of its
// client. Messages of Direct mode to a client given to New are counted by
// that client's Stats, not here.
type Stats struct {
	Flushes  uint64 // aggregation intervals flushed
	Messages uint64 // messages the client accepted from aggregation flushes
	Requeued uint64 // aggregated counter and timer values kept for the next flush because the client's ring had no room
	Lines    uint64 // NewStatsd: metric values queued for the socket (a negative gauge's two lines count once)
	Written  uint64 // NewStatsd: metric values written to the socket
	Packets  uint64 // NewStatsd: socket writes (UDP packets, TCP writes)
	Errors   uint64 // NewStatsd: socket errors (failed dials and writes, connections closed by statsd)
	// Dropped counts values lost: calls after Close, aggregated messages
	// the client refused (oversize, client closed), and for NewStatsd
	// every value its client dropped (ring full, NaN or ±Inf, statsd
	// unreachable, Close's deadline).
	Dropped uint64
}

type counters struct {
	flushes, messages, requeued, dropped atomic.Uint64
}

// Stats returns the counters.
func (m *Metrics) Stats() Stats {
	if m == nil {
		return Stats{}
	}
	st := Stats{
		Flushes:  m.ctr.flushes.Load(),
		Messages: m.ctr.messages.Load(),
		Requeued: m.ctr.requeued.Load(),
		Dropped:  m.ctr.dropped.Load(),
	}
	if m.owned {
		cs := m.client.Stats()
		st.Lines, st.Written, st.Packets, st.Errors = cs.Enqueued, cs.Sent, cs.Writes, cs.Errors
		// The client counts each refusal Requeued took back as a drop.
		st.Dropped += cs.Dropped - min(cs.Dropped, st.Requeued)
	}
	return st
}
