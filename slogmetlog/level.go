package slogmetlog

import (
	"log/slog"

	"github.com/metlog-go/metlog/core"
)

// DefaultSeverity maps a slog level to a syslog severity:
//
//	level < Info            7 debug
//	level == Info           6 info
//	Info < level < Warn     5 notice
//	Warn <= level < Error   4 warning
//	level == Error          3 error
//	level > Error           2 critical
//
// Options.Severity replaces it.
func DefaultSeverity(l slog.Level) core.Severity {
	switch {
	case l < slog.LevelInfo:
		return core.Debug
	case l == slog.LevelInfo:
		return core.Info
	case l < slog.LevelWarn:
		return core.Notice
	case l < slog.LevelError:
		return core.Warning
	case l == slog.LevelError:
		return core.Error
	}
	return core.Critical
}
