package slogfan

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestFanOut(t *testing.T) {
	var debug, warn bytes.Buffer
	h := New(
		slog.NewJSONHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}),
		slog.NewJSONHandler(&warn, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: dropTime}),
	)
	l := slog.New(h).With("a", 1).WithGroup("g")
	l.Debug("quiet", "b", 2)
	l.Warn("loud", "b", 3)

	wantDebug := `{"level":"DEBUG","msg":"quiet","a":1,"g":{"b":2}}` + "\n" +
		`{"level":"WARN","msg":"loud","a":1,"g":{"b":3}}` + "\n"
	if debug.String() != wantDebug {
		t.Errorf("debug handler got\n%s\nwant\n%s", debug.String(), wantDebug)
	}
	wantWarn := `{"level":"WARN","msg":"loud","a":1,"g":{"b":3}}` + "\n"
	if warn.String() != wantWarn {
		t.Errorf("warn handler got\n%s\nwant\n%s", warn.String(), wantWarn)
	}
	if slog.New(h).Enabled(context.Background(), slog.LevelDebug-1) {
		t.Error("enabled below every handler's level")
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// A handler adding attributes to its record must not change what the
// others see.
func TestRecordsIndependent(t *testing.T) {
	var buf bytes.Buffer
	h := New(adder{}, slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	slog.New(h).Info("m", "k", "v")
	if got := buf.String(); got != "level=INFO msg=m k=v\n" {
		t.Fatalf("second handler saw %q", got)
	}
}

type adder struct{}

func (adder) Enabled(context.Context, slog.Level) bool { return true }
func (adder) Handle(_ context.Context, r slog.Record) error {
	r.AddAttrs(slog.String("added", "x"))
	return nil
}
func (a adder) WithAttrs([]slog.Attr) slog.Handler { return a }
func (a adder) WithGroup(string) slog.Handler      { return a }

func TestErrorsJoined(t *testing.T) {
	e1, e2 := errors.New("one"), errors.New("two")
	h := New(failing{e1}, failing{e2})
	err := h.Handle(context.Background(), slog.Record{Level: slog.LevelInfo})
	if !errors.Is(err, e1) || !errors.Is(err, e2) || !strings.Contains(err.Error(), "two") {
		t.Fatalf("err = %v", err)
	}
}

type failing struct{ err error }

func (failing) Enabled(context.Context, slog.Level) bool    { return true }
func (f failing) Handle(context.Context, slog.Record) error { return f.err }
func (f failing) WithAttrs([]slog.Attr) slog.Handler        { return f }
func (f failing) WithGroup(string) slog.Handler             { return f }

func TestZeroValue(t *testing.T) {
	var h Handler
	if h.Enabled(context.Background(), slog.LevelError) {
		t.Error("zero handler enabled")
	}
	if err := h.Handle(context.Background(), slog.Record{}); err != nil {
		t.Error(err)
	}
	if h.WithAttrs(nil) == nil || h.WithGroup("g") == nil {
		t.Error("nil handler from the zero value")
	}
}
