//go:build !race

package slogmetlog

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// Handle allocates nothing for the benchmark's records, with or without
// context, groups, ReplaceAttr and a context hook. (Not built with -race,
// which allocates on its own.)
func TestHandleAllocs(t *testing.T) {
	type ctxKey struct{}
	ctx := context.WithValue(context.Background(), ctxKey{}, "id")
	full := &Options{
		AddSource:   false,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return a },
		FromContext: func(ctx context.Context, e *core.Entry) {
			if id, ok := ctx.Value(ctxKey{}).(string); ok {
				e.Add(core.String("trace_id", id))
			}
		},
	}
	var pcs [1]uintptr
	runtime.Callers(1, pcs[:])
	r := slog.NewRecord(time.Now(), slog.LevelInfo, benchfields.SlogMessage, pcs[0])
	r.Add(benchFields...)
	static := slog.NewRecord(time.Now(), slog.LevelInfo, benchfields.SlogMessage, pcs[0])
	r.Add("map", map[string]any{"b": 1, "a": "x"}, "group", slog.GroupValue(slog.Int("n", 1)))
	for _, f := range metlogtest.Formats {
		c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(f))
		if err != nil {
			t.Fatal(err)
		}
		for name, h := range map[string]slog.Handler{
			"plain":   NewHandler(c, nil),
			"source":  NewHandler(c, &Options{AddSource: true}),
			"context": NewHandler(c, nil).WithAttrs(attrsOf(benchFields)),
			"groups":  NewHandler(c, full).WithAttrs(attrsOf(benchFields)).WithGroup("g").WithAttrs([]slog.Attr{slog.Int("n", 1)}),
		} {
			h.Handle(ctx, r) // warm the pools
			if n := testing.AllocsPerRun(100, func() { h.Handle(ctx, r) }); n != 0 {
				t.Errorf("%v/%s: %v allocs per Handle, want 0", f, name, n)
			}
			if n := testing.AllocsPerRun(100, func() { h.Handle(ctx, static) }); n != 0 {
				t.Errorf("%v/%s: %v allocs per Handle of a record without attributes, want 0", f, name, n)
			}
		}
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func attrsOf(args []any) []slog.Attr {
	var r slog.Record
	r.Add(args...)
	var as []slog.Attr
	r.Attrs(func(a slog.Attr) bool { as = append(as, a); return true })
	return as
}
