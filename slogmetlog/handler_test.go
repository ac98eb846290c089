package slogmetlog

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// logOne logs through a handler with opts, in format f, and returns the one
// decoded message and its slogtest-style map.
func logOne(t *testing.T, f core.Format, opts *Options, log func(*slog.Logger)) (*core.Message, map[string]any) {
	t.Helper()
	c, cp := metlogtest.NewClient(t, f)
	log(slog.New(NewHandler(c, opts)))
	m := metlogtest.One(t, c, cp)
	got, err := recordMap(m, f)
	if err != nil {
		t.Fatal(err)
	}
	return m, got
}

func TestDefaultSeverity(t *testing.T) {
	tests := []struct {
		l    slog.Level
		want core.Severity
	}{
		{slog.LevelDebug - 4, core.Debug},
		{slog.LevelDebug, core.Debug},
		{slog.LevelInfo - 1, core.Debug},
		{slog.LevelInfo, core.Info},
		{slog.LevelInfo + 1, core.Notice},
		{slog.LevelWarn - 1, core.Notice},
		{slog.LevelWarn, core.Warning},
		{slog.LevelWarn + 1, core.Warning},
		{slog.LevelError, core.Error},
		{slog.LevelError + 1, core.Critical},
		{slog.LevelError + 100, core.Critical},
	}
	for _, tt := range tests {
		if got := DefaultSeverity(tt.l); got != tt.want {
			t.Errorf("DefaultSeverity(%v) = %v, want %v", tt.l, got, tt.want)
		}
	}
	for _, f := range metlogtest.Formats {
		m, _ := logOne(t, f, &Options{Level: slog.LevelDebug}, func(l *slog.Logger) {
			l.Log(context.Background(), slog.LevelInfo+2, "notice")
		})
		if m.Severity != core.Notice {
			t.Errorf("%v: severity %v, want notice", f, m.Severity)
		}
	}
}

func TestSeverityOption(t *testing.T) {
	opts := &Options{Severity: func(l slog.Level) core.Severity {
		if l >= slog.LevelError {
			return core.Alert
		}
		return core.DefaultSeverity // the client's default
	}}
	for _, f := range metlogtest.Formats {
		m, _ := logOne(t, f, opts, func(l *slog.Logger) { l.Error("boom") })
		if m.Severity != core.Alert {
			t.Errorf("%v: severity %v, want alert", f, m.Severity)
		}
		c, cp := metlogtest.NewClient(t, f, core.WithSeverity(core.Notice))
		slog.New(NewHandler(c, opts)).Info("hi")
		if m := metlogtest.One(t, c, cp); m.Severity != core.Notice {
			t.Errorf("%v: severity %v, want the client's default notice", f, m.Severity)
		}
	}
}

func TestEnabled(t *testing.T) {
	ctx := context.Background()
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	c, cp := metlogtest.NewClient(t, core.FormatJSON, core.WithMaxSeverity(core.Error))
	h := NewHandler(c, &Options{Level: &lv})
	for _, tt := range []struct {
		l    slog.Level
		want bool
	}{
		{slog.LevelInfo, false}, // below the handler's level
		{slog.LevelWarn, false}, // warning: filtered by the client
		{slog.LevelError, true}, // error
		{slog.LevelError + 4, true},
	} {
		if got := h.Enabled(ctx, tt.l); got != tt.want {
			t.Errorf("Enabled(%v) = %v, want %v", tt.l, got, tt.want)
		}
	}
	lv.Set(slog.LevelDebug)
	if h.Enabled(ctx, slog.LevelInfo) {
		t.Error("Enabled(Info) with the client filtering below error")
	}
	if !NewHandler(c, nil).Enabled(ctx, slog.LevelError) || NewHandler(c, nil).Enabled(ctx, slog.LevelDebug) {
		t.Error("default level is not Info")
	}
	slog.New(h).Info("dropped")
	slog.New(h).Error("kept")
	msgs := metlogtest.Messages(t, c, cp)
	if len(msgs) != 1 || msgs[0].Payload != "kept" {
		t.Errorf("got %d messages, want only the error", len(msgs))
	}

	c2, _ := metlogtest.NewClient(t, core.FormatJSON, core.WithoutTypes(core.TypeOldstyle))
	if NewHandler(c2, nil).Enabled(ctx, slog.LevelError) {
		t.Error("Enabled for a type the client filters out")
	}
	if !NewHandler(c2, &Options{Type: "app"}).Enabled(ctx, slog.LevelError) {
		t.Error("not Enabled for a type the client lets through")
	}
}

func TestLoggerAndType(t *testing.T) {
	for _, f := range metlogtest.Formats {
		m, _ := logOne(t, f, nil, func(l *slog.Logger) { l.Info("x") })
		if m.Logger != "test" || m.Type != core.TypeOldstyle || m.Payload != "x" {
			t.Errorf("%v: logger %q type %q payload %q, want the client's logger, oldstyle, x", f, m.Logger, m.Type, m.Payload)
		}
		m, _ = logOne(t, f, &Options{Logger: "api", Type: "audit"}, func(l *slog.Logger) { l.Info("x") })
		if m.Logger != "api" || m.Type != "audit" {
			t.Errorf("%v: logger %q type %q, want api, audit", f, m.Logger, m.Type)
		}
	}
}

func TestRecordTime(t *testing.T) {
	for _, f := range metlogtest.Formats {
		before := time.Now().Truncate(time.Microsecond) // the JSON envelope has microseconds
		m, got := logOne(t, f, nil, func(l *slog.Logger) { l.Info("x") })
		if m.Timestamp.Before(before) || m.Timestamp.After(time.Now()) {
			t.Errorf("%v: timestamp %v before the call at %v", f, m.Timestamp, before)
		}
		if _, ok := got[TimeUnsetField]; ok {
			t.Errorf("%v: %s written for a record with a time", f, TimeUnsetField)
		}
	}
}

func TestAddSource(t *testing.T) {
	for _, f := range metlogtest.Formats {
		var line int
		_, got := logOne(t, f, &Options{AddSource: true}, func(l *slog.Logger) {
			_, _, line, _ = runtime.Caller(0)
			l.Info("x") // must be the line after runtime.Caller
		})
		src, ok := got["source"].(map[string]any)
		if !ok {
			t.Fatalf("%v: no source group in %v", f, got)
		}
		if fn, _ := src["function"].(string); !strings.HasSuffix(fn, "TestAddSource.func1") {
			t.Errorf("%v: source.function = %q", f, fn)
		}
		if file, _ := src["file"].(string); !strings.HasSuffix(file, "slogmetlog/handler_test.go") {
			t.Errorf("%v: source.file = %q", f, file)
		}
		if src["line"] != int64(line+1) {
			t.Errorf("%v: source.line = %v, want %d", f, src["line"], line+1)
		}

		_, got = logOne(t, f, nil, func(l *slog.Logger) { l.Info("x") })
		if _, ok := got["source"]; ok {
			t.Errorf("%v: source written without AddSource", f)
		}
	}
}

// Top-level fields (source, context, the zero-time marker) stay at the top
// level when the handler has groups, with the groups' content intact.
func TestTopLevelFieldsWithGroups(t *testing.T) {
	type ctxKey struct{}
	opts := &Options{
		AddSource: true,
		FromContext: func(ctx context.Context, e *core.Entry) {
			if id, ok := ctx.Value(ctxKey{}).(string); ok {
				e.Add(core.String("trace_id", id))
			}
		},
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, "t-1")
	for _, f := range metlogtest.Formats {
		_, got := logOne(t, f, opts, func(l *slog.Logger) {
			l.With("a", 1).WithGroup("G").With("b", 2).WithGroup("H").WithGroup("Empty").InfoContext(ctx, "x", "c", 3)
		})
		if got["trace_id"] != "t-1" {
			t.Errorf("%v: trace_id = %v in %v", f, got["trace_id"], got)
		}
		if _, ok := got["source"].(map[string]any); !ok {
			t.Errorf("%v: no top-level source in %v", f, got)
		}
		want := map[string]any{"b": int64(2), "H": map[string]any{"Empty": map[string]any{"c": int64(3)}}}
		if got["a"] != int64(1) || !reflect.DeepEqual(got["G"], want) {
			t.Errorf("%v: a = %v, G = %#v, want 1 and %#v", f, got["a"], got["G"], want)
		}

		// Without record attributes the empty groups disappear.
		_, got = logOne(t, f, opts, func(l *slog.Logger) {
			l.WithGroup("G").With("b", 2).WithGroup("H").InfoContext(ctx, "x")
		})
		if !reflect.DeepEqual(got["G"], map[string]any{"b": int64(2)}) || got["trace_id"] != "t-1" {
			t.Errorf("%v: got %v", f, got)
		}

		// Without context values the hook adds nothing.
		_, got = logOne(t, f, &Options{FromContext: opts.FromContext}, func(l *slog.Logger) {
			l.WithGroup("G").With("b", 2).Info("x", "c", 3)
		})
		if !reflect.DeepEqual(got["G"], map[string]any{"b": int64(2), "c": int64(3)}) || got["trace_id"] != nil {
			t.Errorf("%v: got %v", f, got)
		}

		// The zero-time marker too stays at the top level.
		_, got = logOne(t, f, nil, func(l *slog.Logger) {
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "x", 0)
			r.Add("c", 3)
			if err := l.Handler().WithGroup("G").Handle(ctx, r); err != nil {
				t.Fatal(err)
			}
		})
		if _, ok := got[slog.TimeKey]; ok || !reflect.DeepEqual(got["G"], map[string]any{"c": int64(3)}) {
			t.Errorf("%v: got %v, want no time and G.c only", f, got)
		}
	}
}

func TestReplaceAttr(t *testing.T) {
	var seen []string
	opts := &Options{
		AddSource: true,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			seen = append(seen, strings.Join(append(groups, a.Key), "."))
			switch a.Key {
			case "secret":
				return slog.Attr{}
			case "rename":
				a.Key = "renamed"
			case slog.SourceKey:
				src := a.Value.Any().(*slog.Source)
				src.File = "file.go"
			case "lv":
				if a.Value.Kind() != slog.KindString {
					t.Errorf("ReplaceAttr got an unresolved LogValuer: %v", a.Value.Kind())
				}
			}
			return a
		},
	}
	for _, f := range metlogtest.Formats {
		seen = nil
		_, got := logOne(t, f, opts, func(l *slog.Logger) {
			l.With("w", 1).WithGroup("G").With("secret", "x").Info("msg",
				"rename", 2, "lv", stringValuer("v"), slog.Group("H", "secret", "y", "k", "z"))
		})
		wantSeen := []string{"w", "G.secret", "source", "G.rename", "G.lv", "G.H.secret", "G.H.k"}
		if !reflect.DeepEqual(seen, wantSeen) {
			t.Errorf("%v: ReplaceAttr saw %q, want %q", f, seen, wantSeen)
		}
		want := map[string]any{"renamed": int64(2), "lv": "v", "H": map[string]any{"k": "z"}}
		if !reflect.DeepEqual(got["G"], want) {
			t.Errorf("%v: G = %#v, want %#v", f, got["G"], want)
		}
		if src, _ := got["source"].(map[string]any); src["file"] != "file.go" {
			t.Errorf("%v: source = %v, want file.go from ReplaceAttr", f, got["source"])
		}
	}

	// Source replaced by another value, or dropped.
	for _, f := range metlogtest.Formats {
		_, got := logOne(t, f, &Options{AddSource: true, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.SourceKey {
				return slog.String("caller", "here")
			}
			return a
		}}, func(l *slog.Logger) { l.Info("x") })
		if got["caller"] != "here" || got["source"] != nil {
			t.Errorf("%v: got %v, want caller=here and no source", f, got)
		}
		_, got = logOne(t, f, &Options{AddSource: true, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			return slog.Attr{}
		}}, func(l *slog.Logger) { l.Info("x", "a", 1) })
		if len(got) != 3 { // level, msg, time
			t.Errorf("%v: got %v, want no fields", f, got)
		}
	}
}

type stringValuer string

func (s stringValuer) LogValue() slog.Value { return slog.StringValue(string(s)) }

// countingValuer counts its LogValue calls.
type countingValuer struct{ n *int }

func (c countingValuer) LogValue() slog.Value { *c.n++; return slog.IntValue(*c.n) }

func TestWithAttrsEncodedOnce(t *testing.T) {
	for _, f := range metlogtest.Formats {
		c, cp := metlogtest.NewClient(t, f)
		var n int
		l := slog.New(NewHandler(c, nil)).With("calls", countingValuer{&n})
		for i := 0; i < 3; i++ {
			l.Info("x")
		}
		msgs := metlogtest.Messages(t, c, cp)
		if n != 1 || len(msgs) != 3 {
			t.Fatalf("%v: LogValue called %d times for %d messages, want once for 3", f, n, len(msgs))
		}
		for _, m := range msgs {
			got, err := recordMap(m, f)
			if err != nil || got["calls"] != int64(1) {
				t.Errorf("%v: %v %v", f, got, err)
			}
		}
	}
}

func TestWithAttrsAndGroupReturnSelf(t *testing.T) {
	c, _ := metlogtest.NewClient(t, core.FormatJSON)
	h := NewHandler(c, nil)
	if h.WithGroup("") != slog.Handler(h) || h.WithAttrs(nil) != slog.Handler(h) {
		t.Error("WithGroup(\"\") or WithAttrs(nil) made a new handler")
	}
	if h.WithAttrs([]slog.Attr{{}, slog.Group("g")}) != slog.Handler(h) {
		t.Error("WithAttrs of attributes that write nothing made a new handler")
	}
}

func TestHandleAfterClose(t *testing.T) {
	c, err := core.New("", core.WithSender(core.NewCapture()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(c, nil)
	var r slog.Record
	r.Message = "late"
	if err := h.Handle(context.Background(), r); !errors.Is(err, core.ErrClosed) {
		t.Errorf("Handle after Close = %v, want ErrClosed", err)
	}
	if st := c.Stats(); st.Drops.Closed != 1 {
		t.Errorf("Stats().Drops.Closed = %d, want 1", st.Drops.Closed)
	}
}

// Handlers and the handlers derived from them are safe for concurrent use.
func TestConcurrent(t *testing.T) {
	for _, f := range metlogtest.Formats {
		c, cp := metlogtest.NewClient(t, f)
		root := slog.New(NewHandler(c, &Options{AddSource: true}))
		const workers, each = 8, 50
		done := make(chan struct{})
		for w := 0; w < workers; w++ {
			go func() {
				defer func() { done <- struct{}{} }()
				l := root.With("worker", w).WithGroup("g")
				for i := 0; i < each; i++ {
					l.Info("x", "i", i)
				}
			}()
		}
		for w := 0; w < workers; w++ {
			<-done
		}
		msgs := metlogtest.Messages(t, c, cp)
		if len(msgs) != workers*each {
			t.Fatalf("%v: %d messages, want %d (stats %+v)", f, len(msgs), workers*each, c.Stats())
		}
		seen := map[[2]int64]bool{}
		for _, m := range msgs {
			got, err := recordMap(m, f)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := got["g"].(map[string]any)
			w, _ := got["worker"].(int64)
			i, _ := g["i"].(int64)
			seen[[2]int64{w, i}] = true
		}
		if len(seen) != workers*each {
			t.Errorf("%v: %d distinct (worker, i) pairs, want %d", f, len(seen), workers*each)
		}
	}
}
