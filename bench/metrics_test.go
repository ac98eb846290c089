package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/DataDog/datadog-go/v5/statsd"
	"github.com/metlog-go/metlog/bench/internal/sink"
	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
)

// metricOps are the calls measured, each with a unit value (an increment
// of 1, a timing) so that the receiver's count of units is the number of
// calls delivered.
var metricOps = []struct {
	name string
	ours func(m *metrics.Metrics)
	dd   func(c *statsd.Client)
}{
	{"incr", func(m *metrics.Metrics) { m.Incr("req.count", 1) },
		func(c *statsd.Client) { _ = c.Incr("req.count", nil, 1) }},
	{"gauge", func(m *metrics.Metrics) { m.Gauge("queue.depth", 42) },
		func(c *statsd.Client) { _ = c.Gauge("queue.depth", 42, nil, 1) }},
	{"timing", func(m *metrics.Metrics) { m.Timing("req.time", 1500*time.Microsecond) },
		func(c *statsd.Client) { _ = c.Timing("req.time", 1500*time.Microsecond, nil, 1) }},
}

// metricsClient is one statsd-style client under test, sending to a UDP
// receiver.
type metricsClient struct {
	call  func()
	flush func() error
	close func()
	r     *sink.Receiver
	// aggregated clients send one value per interval for a gauge: their
	// delivered fraction is not a count of calls.
	aggregated bool
}

// metricImpls are the clients: ours writing statsd lines, ours sending
// Metlog messages through a client on udp:// in both formats, each in
// Direct and Aggregated mode; DogStatsD's client without aggregation, in
// its default mode (counters and gauges aggregated, timings not) and with
// extended aggregation (timings too). Each client is made for one
// benchmark and closed after it.
var metricImpls = []struct {
	name string
	open func(op int) (*metricsClient, error)
}{
	{"metlog-statsd-direct", oursStatsd(metrics.Direct)},
	{"metlog-statsd-aggregated", oursStatsd(metrics.Aggregated)},
	{"metlog-json-direct", oursMetlog(core.FormatJSON, metrics.Direct)},
	{"metlog-json-aggregated", oursMetlog(core.FormatJSON, metrics.Aggregated)},
	{"metlog-heka-direct", oursMetlog(core.FormatHeka, metrics.Direct)},
	{"metlog-heka-aggregated", oursMetlog(core.FormatHeka, metrics.Aggregated)},
	{"datadog-noagg", datadog(false, statsd.WithoutClientSideAggregation())},
	{"datadog-default", datadog(true)},
	{"datadog-extended", datadog(true, statsd.WithExtendedClientSideAggregation())},
}

func oursStatsd(mode metrics.Mode) func(op int) (*metricsClient, error) {
	return func(op int) (*metricsClient, error) {
		r, err := shared.receiver(sink.UDPStatsd)
		if err != nil {
			return nil, err
		}
		m, err := metrics.NewStatsd("udp://"+r.Addr, metrics.WithMode(mode))
		if err != nil {
			return nil, err
		}
		return &metricsClient{
			call:       func() { metricOps[op].ours(m) },
			flush:      func() error { return m.Flush(context.Background()) },
			close:      func() { m.Close(context.Background()); r.Close() },
			r:          r,
			aggregated: mode == metrics.Aggregated,
		}, nil
	}
}

func oursMetlog(f core.Format, mode metrics.Mode) func(op int) (*metricsClient, error) {
	return func(op int) (*metricsClient, error) {
		k := sink.UDPJSON
		if f == core.FormatHeka {
			k = sink.UDPHeka
		}
		r, err := shared.receiver(k)
		if err != nil {
			return nil, err
		}
		c, err := core.New("udp://"+r.Addr, core.WithFormat(f), core.WithLogger("bench"))
		if err != nil {
			return nil, err
		}
		m := metrics.New(c, metrics.WithMode(mode))
		return &metricsClient{
			call:  func() { metricOps[op].ours(m) },
			flush: func() error { return m.Flush(context.Background()) },
			close: func() {
				m.Close(context.Background())
				c.Close(context.Background())
				r.Close()
			},
			r:          r,
			aggregated: mode == metrics.Aggregated,
		}, nil
	}
}

func datadog(aggregated bool, opts ...statsd.Option) func(op int) (*metricsClient, error) {
	return func(op int) (*metricsClient, error) {
		r, err := shared.receiver(sink.UDPStatsd)
		if err != nil {
			return nil, err
		}
		c, err := statsd.New(r.Addr, opts...)
		if err != nil {
			return nil, err
		}
		return &metricsClient{
			call:       func() { metricOps[op].dd(c) },
			flush:      c.Flush,
			close:      func() { c.Close(); r.Close() },
			r:          r,
			aggregated: aggregated,
		}, nil
	}
}

// BenchmarkMetrics runs each metric call on every P against each client,
// sending to a UDP socket that a goroutine of the receiver process reads.
// The timed region ends once Flush has written everything to the socket
// (on loopback a datagram is in the receiver's queue, or dropped, when the
// write returns); the receiver's count is read after it has settled. It
// reports cpu-ns/op (the process's CPU per call), msgs/op (statsd lines or
// Metlog messages per call: aggregation's saving) and delivered (the
// counter increments or timings the receiver counted per call; for a
// Direct gauge the values counted per call; left out for aggregated
// gauges, which send one value per interval).
func BenchmarkMetrics(b *testing.B) {
	for op := range metricOps {
		b.Run(metricOps[op].name, func(b *testing.B) {
			for _, impl := range metricImpls {
				var (
					once sync.Once
					mc   *metricsClient
					err  error
				)
				b.Cleanup(func() {
					if mc != nil {
						mc.close()
					}
				})
				b.Run(impl.name, func(b *testing.B) {
					once.Do(func() { mc, err = impl.open(op) })
					if err != nil {
						b.Fatal(err)
					}
					measureMetric(b, mc, metricOps[op].name == "gauge")
				})
			}
		})
	}
}

func measureMetric(b *testing.B, mc *metricsClient, gauge bool) {
	before, err := mc.r.Count()
	if err != nil {
		b.Fatal(err)
	}
	used := timed(b, func() { runParallel(b, mc.call) }, mc.flush)
	after, err := mc.r.Settle(10*time.Millisecond, waitTimeout)
	if err != nil {
		b.Fatal(err)
	}
	n := float64(b.N)
	b.ReportMetric(float64(used.Nanoseconds())/n, "cpu-ns/op")
	b.ReportMetric(float64(after.Frames-before.Frames)/n, "msgs/op")
	if !gauge || !mc.aggregated {
		b.ReportMetric((after.Units-before.Units)/n, "delivered")
	}
}
