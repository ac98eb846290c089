package zerologmetlog

import (
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/rs/zerolog"
)

// RawType is the default message type of writes that are not a zerolog
// JSON event.
const RawType = "zerolog.raw"

// Option configures a Writer.
type Option func(*config)

type config struct {
	logger       string
	typ          string
	rawType      string
	severity     func(zerolog.Level) core.Severity
	contexts     int
	closeTimeout time.Duration
}

// DefaultCloseTimeout bounds how long Close waits for the client to deliver
// what is queued.
const DefaultCloseTimeout = time.Second

// WithCloseTimeout sets how long Close, which zerolog calls after a Fatal
// event, waits for the client to deliver what is queued
// (DefaultCloseTimeout); 0 or less: Close does not wait.
func WithCloseTimeout(d time.Duration) Option { return func(c *config) { c.closeTimeout = d } }

// WithLogger sets the logger name of the messages (default: the client's).
func WithLogger(name string) Option { return func(c *config) { c.logger = name } }

// WithType sets the message type of events (default core.TypeOldstyle).
func WithType(typ string) Option { return func(c *config) { c.typ = typ } }

// WithRawType sets the message type of writes that are not a JSON object
// (default RawType).
func WithRawType(typ string) Option { return func(c *config) { c.rawType = typ } }

// WithSeverity replaces the level mapping (DefaultSeverity). f is called
// once for each of the 256 zerolog levels when the Writer is made; a
// result of core.DefaultSeverity (the zero Severity) means the client's
// default.
func WithSeverity(f func(zerolog.Level) core.Severity) Option {
	return func(c *config) {
		if f != nil {
			c.severity = f
		}
	}
}

// WithContextCache sets how many logger contexts the writer remembers (8
// by default; 0 turns the cache off). A zerolog logger's context
// (logger.With()...Logger()) is the same bytes at the start of each of its
// events; the writer learns it from two events and then converts and
// encodes it once (see the package documentation). Each remembered context
// holds about three times its size (at most 16 KiB): its bytes and its JSON
// and Heka encodings.
func WithContextCache(n int) Option { return func(c *config) { c.contexts = n } }

// DefaultSeverity is the default level mapping: Trace, Debug (and the
// numbered levels below Trace) are Debug (7); Info and NoLevel Info (6);
// Warn Warning (4); Error Error (3); Panic Alert (1); Fatal Emergency (0).
// Any other level is Info.
func DefaultSeverity(l zerolog.Level) core.Severity {
	switch {
	case l <= zerolog.DebugLevel:
		return core.Debug
	case l == zerolog.WarnLevel:
		return core.Warning
	case l == zerolog.ErrorLevel:
		return core.Error
	case l == zerolog.PanicLevel:
		return core.Alert
	case l == zerolog.FatalLevel:
		return core.Emergency
	}
	return core.Info
}
