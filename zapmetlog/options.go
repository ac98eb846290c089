package zapmetlog

import (
	"time"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/zap/zapcore"
)

// DefaultSyncTimeout bounds how long Sync waits for the client to deliver
// what is queued.
const DefaultSyncTimeout = time.Second

// Option configures a core made by NewCore.
type Option func(*config)

type config struct {
	typ         string
	logger      string
	syncTimeout time.Duration
	severity    func(zapcore.Level) core.Severity
}

// WithType sets the Metlog type of the messages (default core.TypeOldstyle).
func WithType(typ string) Option { return func(c *config) { c.typ = typ } }

// WithLogger sets the logger name of every message, replacing the default:
// zap's logger name when the logger is Named, else the client's logger.
func WithLogger(name string) Option { return func(c *config) { c.logger = name } }

// WithSyncTimeout bounds how long Sync waits for delivery (default
// DefaultSyncTimeout). A value <= 0 keeps the default.
func WithSyncTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.syncTimeout = d
		}
	}
}

// WithSeverity replaces the level mapping (default DefaultSeverity). f is called
// once per possible zap level when the core is made, never while logging.
func WithSeverity(f func(zapcore.Level) core.Severity) Option {
	return func(c *config) {
		if f != nil {
			c.severity = f
		}
	}
}

// DefaultSeverity is the default mapping of zap levels to syslog severities:
// Debug 7, Info 6, Warn 4, Error 3, DPanic 2, Panic 1, Fatal 0. Levels below
// Debug are 7 and levels above Fatal are 0.
func DefaultSeverity(l zapcore.Level) core.Severity {
	switch {
	case l <= zapcore.DebugLevel:
		return core.Debug
	case l == zapcore.InfoLevel:
		return core.Info
	case l == zapcore.WarnLevel:
		return core.Warning
	case l == zapcore.ErrorLevel:
		return core.Error
	case l == zapcore.DPanicLevel:
		return core.Critical
	case l == zapcore.PanicLevel:
		return core.Alert
	}
	return core.Emergency
}
