package metrics

import (
	"math"
	"time"

	"github.com/metlog-go/metlog/core"
)

// Mode says how calls become messages.
type Mode uint8

// Modes.
const (
	// Aggregated (the default) sums counters, keeps the last value of
	// gauges and summarises timers in memory, and sends one message (or
	// statsd line group) per name and tags every interval, on Flush and on
	// Close. Every call is counted: sample rates do not apply, so totals
	// are exact. This is the mode for high call rates.
	Aggregated Mode = iota
	// Direct sends one message (or statsd line) per call, Metlog's own
	// behaviour, after sampling.
	Direct
)

// Defaults of the options.
const (
	DefaultInterval     = time.Second            // aggregation flush interval
	DefaultTimerSamples = 100                    // timer samples kept per series and interval
	DefaultPacketSize   = 1432                   // statsd UDP payload limit: no IP fragmentation on most networks
	DefaultStatsdBuffer = core.DefaultBufferSize // bytes of statsd lines waiting for the socket
	DefaultStatsdFlush  = 100 * time.Millisecond // longest wait of a statsd line for others to share its packet
)

const (
	maxStatsdPacketSize  = 65507 // the largest UDP payload over IPv4
	minStatsdPacketSize  = 64
	defaultDialTimeout   = 2 * time.Second
	defaultWriteTimeout  = 5 * time.Second
	maxTimerSamplesLimit = 1 << 16
)

type config struct {
	mode           Mode
	interval       time.Duration
	rate           float64
	disabled       map[string]struct{}
	disableAll     bool
	severity       core.Severity
	logger         string
	timerSamples   int
	packetSize     int
	statsdBuffer   int
	statsdFlush    time.Duration
	statsdTags     bool
	statsdTimeouts [2]time.Duration // dial, write
	onError        func(error)
}

func defaultConfig() config {
	return config{
		mode:           Aggregated,
		interval:       DefaultInterval,
		rate:           1,
		severity:       core.Info,
		timerSamples:   DefaultTimerSamples,
		packetSize:     DefaultPacketSize,
		statsdBuffer:   DefaultStatsdBuffer,
		statsdFlush:    DefaultStatsdFlush,
		statsdTags:     true,
		statsdTimeouts: [2]time.Duration{defaultDialTimeout, defaultWriteTimeout},
	}
}

// Option configures a Metrics. Out-of-range values are clamped to the
// nearest valid one, as each option says, so that New cannot fail.
type Option func(*config)

// WithMode selects Aggregated (the default) or Direct.
func WithMode(m Mode) Option {
	return func(c *config) {
		if m == Direct {
			c.mode = Direct
		} else {
			c.mode = Aggregated
		}
	}
}

// WithInterval sets the aggregation flush interval (DefaultInterval);
// values below 10ms are raised to 10ms.
func WithInterval(d time.Duration) Option {
	return func(c *config) { c.interval = max(d, 10*time.Millisecond) }
}

// WithRate sets the sample rate of counters and started timers that do
// not give one with Rate (1: every call). Rates apply in Direct mode only;
// see Rate.
func WithRate(r float64) Option {
	return func(c *config) { c.rate = clampRate(r) }
}

// WithDisabledTimers disables the named timers; "*" disables all timers.
// A disabled timer records nothing, whichever of Timing, StartTimer or
// Time feeds it.
func WithDisabledTimers(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			if n == "*" {
				c.disableAll = true
				continue
			}
			if c.disabled == nil {
				c.disabled = map[string]struct{}{}
			}
			c.disabled[n] = struct{}{}
		}
	}
}

// WithSeverity sets the severity of metric messages (Info); an invalid
// severity leaves Info.
func WithSeverity(s core.Severity) Option {
	return func(c *config) {
		if s.Valid() {
			c.severity = s
		}
	}
}

// WithLogger sets the logger name of metric messages (the client's by
// default).
func WithLogger(name string) Option {
	return func(c *config) { c.logger = name }
}

// WithTimerSamples sets how many individual timings Aggregated mode keeps
// per timer and interval (DefaultTimerSamples), chosen uniformly at random
// (reservoir sampling) when there are more. Count, sum, min and max are
// exact whatever the cap. Negative values mean 0; the cap is at most 65536.
func WithTimerSamples(n int) Option {
	return func(c *config) { c.timerSamples = min(max(n, 0), maxTimerSamplesLimit) }
}

// WithPacketSize limits statsd UDP packets (DefaultPacketSize); it is
// clamped to 64-65507 bytes. A line longer than the limit goes alone in a
// packet of its own size.
func WithPacketSize(n int) Option {
	return func(c *config) { c.packetSize = min(max(n, minStatsdPacketSize), maxStatsdPacketSize) }
}

// WithStatsdBuffer sets how many bytes of statsd lines may wait for the
// socket (DefaultStatsdBuffer, at least 4 KiB). Lines that find it full are
// dropped and counted in Stats.Dropped.
func WithStatsdBuffer(n int) Option {
	return func(c *config) { c.statsdBuffer = max(n, 4<<10) }
}

// WithStatsdFlushInterval sets how long statsd lines may wait for others
// to share their packets before they are written (DefaultStatsdFlush, at
// least 1ms): the linger of NewStatsd's client (core.WithFlushInterval).
func WithStatsdFlushInterval(d time.Duration) Option {
	return func(c *config) { c.statsdFlush = max(d, time.Millisecond) }
}

// WithStatsdTags chooses whether statsd lines carry tags in the DogStatsD
// form "|#name:value,..." (true by default; Etsy statsd 0.9 and later
// read it). Without it, tags are left out of statsd lines.
func WithStatsdTags(on bool) Option {
	return func(c *config) { c.statsdTags = on }
}

// WithStatsdTimeouts sets how long connecting to a TCP statsd server and
// one write may take (2s and 5s by default; non-positive values keep them).
func WithStatsdTimeouts(dial, write time.Duration) Option {
	return func(c *config) {
		if dial > 0 {
			c.statsdTimeouts[0] = dial
		}
		if write > 0 {
			c.statsdTimeouts[1] = write
		}
	}
}

// WithErrorHandler calls h with every socket error of NewStatsd's client
// (a refused connection, a failed write), from its goroutine. Errors are
// counted in Stats either way. It has no effect with New, whose client
// has its own (core.WithErrorHandler).
func WithErrorHandler(h func(error)) Option {
	return func(c *config) { c.onError = h }
}

// clampRate maps a sample rate into [0, 1]; NaN means 1.
func clampRate(r float64) float64 {
	switch {
	case math.IsNaN(r) || r >= 1:
		return 1
	case r <= 0:
		return 0
	}
	return r
}

// CallOption is a per-call option of Incr, Gauge, Timing, StartTimer and
// Time: a sample rate (Rate) or an extra field (Tag, Field). It is a plain
// value, so passing options allocates nothing.
type CallOption struct {
	field core.Field
	rate  float64
	kind  uint8
}

const (
	optRate uint8 = iota + 1
	optField
)

// Rate sets the call's sample rate, clamped to [0, 1] (NaN means 1). In
// Direct mode a counter or started timer with rate r < 1 is sent with
// probability r and carries the rate, so that receivers scale it back
// (statsd multiplies a counter by 1/r); a rate of 0 sends nothing. Timing
// is never sampled: its rate only tells receivers how the caller sampled.
// Gauges ignore rates. Aggregated mode counts every call and sends rate 1.
func Rate(r float64) CallOption { return CallOption{rate: clampRate(r), kind: optRate} }

// Tag adds a string field to the call: an extra field of the Metlog
// message, a DogStatsD tag in statsd lines. In Aggregated mode each
// distinct list of tags (in the order given) is a series of its own.
func Tag(name, value string) CallOption {
	return CallOption{field: core.String(name, value), kind: optField}
}

// Field adds any field to the call (see Tag). Statsd lines carry only
// scalar fields (strings, numbers, booleans) as tags; groups and lists are
// left out of them.
func Field(f core.Field) CallOption { return CallOption{field: f, kind: optField} }

// callRate returns the last Rate among opts, or def, and whether opts hold
// any field.
func callRate(opts []CallOption, def float64) (rate float64, fields bool) {
	rate = def
	for i := range opts {
		switch opts[i].kind {
		case optRate:
			rate = opts[i].rate
		case optField:
			fields = true
		}
	}
	return rate, fields
}
