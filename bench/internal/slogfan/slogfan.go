// Package slogfan is a slog.Handler that hands every record to several
// handlers, as zapcore.NewTee does for zap: the benchmarks use it to run
// slog's JSON handler and another handler side by side.
package slogfan

import (
	"context"
	"errors"
	"log/slog"
)

// Handler passes each record to every one of its handlers that is enabled
// for the record's level. The zero value has no handlers and drops
// everything.
type Handler struct {
	hs []slog.Handler
}

// New returns a handler fanning out to hs.
func New(hs ...slog.Handler) *Handler {
	return &Handler{hs: append([]slog.Handler(nil), hs...)}
}

// Enabled reports whether any handler is enabled for l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h.hs {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

// Handle passes r to every handler enabled for its level, each with its
// own clone of r (a handler may keep or change the record's attributes),
// and joins their errors.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for i, x := range h.hs {
		if !x.Enabled(ctx, r.Level) {
			continue
		}
		rr := r
		if i < len(h.hs)-1 {
			rr = r.Clone()
		}
		if err := x.Handle(ctx, rr); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WithAttrs returns a handler whose handlers each hold attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.each(func(x slog.Handler) slog.Handler { return x.WithAttrs(attrs) })
}

// WithGroup returns a handler whose handlers each open the group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return h.each(func(x slog.Handler) slog.Handler { return x.WithGroup(name) })
}

func (h *Handler) each(f func(slog.Handler) slog.Handler) *Handler {
	out := make([]slog.Handler, len(h.hs))
	for i, x := range h.hs {
		out[i] = f(x)
	}
	return &Handler{hs: out}
}
