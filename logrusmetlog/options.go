package logrusmetlog

import (
	"context"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/sirupsen/logrus"
)

// Option configures a Hook.
type Option func(*Hook)

// WithLevels sets the levels the hook fires for (all levels by default).
func WithLevels(levels ...logrus.Level) Option {
	return func(h *Hook) { h.levels = append([]logrus.Level(nil), levels...) }
}

// WithType sets the message type (core.TypeOldstyle by default).
func WithType(typ string) Option {
	return func(h *Hook) { h.typ = typ }
}

// WithLogger sets the message's logger name (the client's by default).
func WithLogger(name string) Option {
	return func(h *Hook) { h.logger = name }
}

// WithSeverity replaces the level mapping ([DefaultSeverity]). f is called
// for every entry and must be cheap; core.DefaultSeverity (the zero
// Severity) means the client's default severity.
func WithSeverity(f func(logrus.Level) core.Severity) Option {
	return func(h *Hook) {
		if f != nil {
			h.severity = f
		}
	}
}

// WithContextFields sets a function that adds fields taken from an
// entry's context (logger.WithContext(ctx)), such as trace and request ids,
// with e.Add: the shape of slogmetlog's FromContext. It is called only for
// entries whose Context is not nil; the fields go after the entry's Data.
// It must not keep e or call anything but its methods that add fields and
// format text.
//
// A panic in f does not escape: a string field "context" holds its text.
func WithContextFields(f func(ctx context.Context, e *core.Entry)) Option {
	return func(h *Hook) { h.ctxFields = f }
}

// DefaultFatalFlush bounds how long Fire waits, after a Fatal or Panic
// entry, for the client to deliver it and what came before.
const DefaultFatalFlush = time.Second

// WithFlushOnFatal sets how long Fire waits after Fatal and Panic entries
// until they (and everything queued before) have been delivered, since
// logrus exits or panics right after the hooks (DefaultFatalFlush, as zap's
// core syncs on Fatal). 0 turns the wait off: Fire then never waits.
func WithFlushOnFatal(timeout time.Duration) Option {
	return func(h *Hook) { h.fatalFlush = max(timeout, 0) }
}

// DefaultSeverity is the level mapping of the Metlog design: Trace and
// Debug are Debug (7), Info is Info (6), Warn is Warning (4), Error is
// Error (3), Panic is Alert (1) and Fatal is Emergency (0). Levels beyond
// Trace are Debug.
func DefaultSeverity(l logrus.Level) core.Severity {
	switch l {
	case logrus.PanicLevel:
		return core.Alert
	case logrus.FatalLevel:
		return core.Emergency
	case logrus.ErrorLevel:
		return core.Error
	case logrus.WarnLevel:
		return core.Warning
	case logrus.InfoLevel:
		return core.Info
	}
	return core.Debug
}
