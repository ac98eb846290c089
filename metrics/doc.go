// Package metrics records counters, gauges and timers and sends them,
// without ever making the caller wait, either as Metlog messages through
// a core.Client (sharing its ring buffer and transport with the logging
// adapters) or as statsd lines straight to a statsd server.
//
//	m := metrics.New(c)                  // c: a *core.Client
//	defer m.Close(ctx)                   // before c.Close: Metrics does not own c
//	m.Incr("req.count", 1, metrics.Tag("route", "/api"))
//	defer m.StartTimer("req.time").Stop()
//	m.Gauge("queue.depth", 12)
//
// # Metlog messages
//
// As metlog-py sent them: a counter is a message of type "counter" whose
// payload is the count as a decimal string, with fields name and rate
// (float); a timer is type "timer", payload the elapsed milliseconds as a
// decimal string ("1.5"), fields name and rate. metlog-go adds gauges:
// type "gauge", payload the value, field name. Tags and other per-call
// fields (Tag, Field) follow as extra fields. Severity is Info unless
// WithSeverity; the logger is the client's unless WithLogger.
//
// # Modes
//
// Direct mode sends one message per call. A counter or a started timer
// with sample rate r < 1 (Rate, WithRate) is sent with probability r and
// carries rate r; Timing (Metlog's timer_send) is never sampled.
//
// Aggregated mode, the default, keeps per-series state in memory (a series
// is a kind, a name and a list of tags) and sends one message per series
// every interval (WithInterval), on Flush and on Close: the sum of a
// counter, the last value of a gauge, and a timer's summary — payload the
// mean in milliseconds, fields count, sum, min, max and up to
// WithTimerSamples individual timings. Every call is counted: sample rates
// do not apply (sampling exists to thin per-call traffic, which
// aggregation already removes), so totals are exact, and messages carry
// rate 1. When the client's ring buffer is full, a counter's or timer's
// interval is kept and added to the next one rather than lost. A series
// left idle for a whole interval is dropped from memory and re-created by
// its next call.
//
// Calls allocate nothing once their series exists: a counter is one
// sync.Map lookup and one atomic add, a gauge an atomic store; a timer's
// Stop takes the first free stripe of its series without waiting, so
// concurrent timers never park on a lock.
//
// # OpenTelemetry
//
// Through a client of an otlp:// address (core.FormatOTLP) the same
// messages arrive as OTLP log records, until a metrics pipeline is asked
// for: the kind ("counter", "timer", "gauge") as the record's event_name,
// the payload as its body, the fields (name, rate, tags, and an aggregated
// timer's count, sum, min, max and samples) as attributes, and the value as
// the double attribute metric.value.
//
// # Statsd
//
// NewStatsd writes statsd lines over UDP or TCP instead: name:n|c[|@r],
// name:ms|ms[|@r], name:v|g, with tags as DogStatsD "|#k:v" suffixes. See
// NewStatsd for the rules it follows (negative gauges, reserved
// characters, packet size, the bounded buffer).
//
// # Disabled timers
//
// WithDisabledTimers("db.query") or WithDisabledTimers("*") turns timers
// off by name or all at once, as metlog-py's disabled_timers did; the
// check happens when a timer starts (or on Timing), and costs nothing
// more.
package metrics
