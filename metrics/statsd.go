package metrics

import (
	"fmt"
	"strings"

	"github.com/metlog-go/metlog/core"
)

// NewStatsd returns a Metrics writing statsd lines to the statsd server at
// addr, "udp://host:port" (or just "host:port") or "tcp://host:port", for
// deployments without a router. It delivers through a core.Client of its
// own in core.FormatStatsd (see there for the lines: name:n|c[|@rate],
// name:ms|ms[|@rate], name:v|g, tags as "|#k:v,..."), so calls never wait:
// lines go into a bounded ring (WithStatsdBuffer) that the client's
// goroutine writes out, several lines per UDP packet within
// WithPacketSize, newline-terminated lines on TCP. Lines that find the ring
// full are dropped and counted. The TCP connection is made lazily and
// re-made after errors with capped back-off; while statsd is unreachable,
// lines are dropped and counted rather than held (late values are worth
// little). In Aggregated mode (the default) the flusher writes a counter's
// interval sum, a gauge's last value and a timer's kept samples
// (WithTimerSamples; each at rate kept/count when some were left out, so
// statsd's count stays right up to rounding).
//
// Close flushes, then closes the client. Stats includes the client's
// counters. Errors from the socket go to WithErrorHandler's function.
func NewStatsd(addr string, opts ...Option) (*Metrics, error) {
	m := newMetrics(opts)
	if !strings.Contains(addr, "://") {
		addr = "udp://" + addr
	}
	scheme, _, _ := strings.Cut(addr, "://")
	if s := strings.ToLower(scheme); s != "udp" && s != "tcp" {
		return nil, fmt.Errorf("metrics: statsd address %q: scheme must be udp:// or tcp://", addr)
	}
	cfg := &m.cfg
	// A frame is a metric's lines: a few hundred bytes, far below the ring.
	maxMsg := min(core.DefaultMaxMessageSize, max(256, cfg.statsdBuffer/2-512))
	copts := []core.Option{
		core.WithFormat(core.FormatStatsd),
		core.WithDatagramSize(cfg.packetSize),
		core.WithBufferSize(cfg.statsdBuffer),
		core.WithMaxMessageSize(maxMsg),
		core.WithFlushInterval(cfg.statsdFlush),
		core.WithTimeouts(cfg.statsdTimeouts[0], cfg.statsdTimeouts[1]),
		core.WithStatsdTags(cfg.statsdTags),
		core.WithoutRetry(),
	}
	if cfg.onError != nil {
		copts = append(copts, core.WithErrorHandler(cfg.onError))
	}
	c, err := core.New(addr, copts...)
	if err != nil {
		return nil, fmt.Errorf("metrics: statsd: %w", err)
	}
	m.client, m.owned = c, true
	m.enabled = [numKinds]bool{true, true, true}
	m.start()
	return m, nil
}
