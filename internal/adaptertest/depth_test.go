package adaptertest_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestDepthLimit nests a field 1,000 levels deep through the ways there
// are to nest (groups, entries, scopes, raw JSON, zap namespaces, slog's
// WithGroup), in both formats, through a real client, and decodes every frame
// with core's decoders: each decodes, its groups nest exactly
// jsontext.MaxDepth deep, and at depth MaxDepth+1 is the marker.
func TestDepthLimit(t *testing.T) {
	const levels = 1000
	nested := func(name string, leaf core.Field) core.Field {
		f := leaf
		for range levels {
			f = core.Group(name, f)
		}
		return f
	}
	leaf := core.Int("leaf", 1)
	deepMap := map[string]any{"leaf": 1}
	for range levels {
		deepMap = map[string]any{"m": deepMap}
	}
	sources := []struct {
		name string
		send func(c *core.Client)
	}{
		{"core.Group", func(c *core.Client) {
			c.Send(&core.Message{Type: "t", Fields: []core.Field{nested("g", leaf)}})
		}},
		{"core.Entry.OpenGroup", func(c *core.Client) {
			e := core.GetEntry()
			e.Type = "t"
			for range levels {
				e.OpenGroup("e")
			}
			e.Add(leaf)
			c.SendEntry(e)
			e.Free()
		}},
		{"core.Scope.WithGroup", func(c *core.Client) {
			s := core.NewScope(c.Format())
			for range levels {
				s = s.WithGroup("s")
			}
			c.Send(&core.Message{Type: "t", Scope: s, Fields: []core.Field{leaf}})
		}},
		{"core.Scope.WithGroup+With", func(c *core.Client) {
			s := core.NewScope(c.Format())
			for range levels / 2 {
				s = s.WithGroup("s")
			}
			s = s.With(leaf).With(core.Int("more", 2))
			c.Send(&core.Message{Type: "t", Scope: s, Fields: []core.Field{leaf}})
		}},
		{"core.Scope.With(Group)", func(c *core.Client) {
			s := core.NewScope(c.Format()).With(nested("w", leaf))
			c.Send(&core.Message{Type: "t", Scope: s, Fields: []core.Field{leaf}})
		}},
		{"core.Scope.WithGroup+Group", func(c *core.Client) {
			s := core.NewScope(c.Format())
			for range 20 {
				s = s.WithGroup("s")
			}
			c.Send(&core.Message{Type: "t", Scope: s, Fields: []core.Field{nested("g", leaf)}})
		}},
		{"core.RawJSON", func(c *core.Client) {
			raw := strings.Repeat(`{"r":`, 500) + "1" + strings.Repeat("}", 500)
			c.Send(&core.Message{Type: "t", Fields: []core.Field{core.Group("g", core.RawJSON("raw", []byte(raw)))}})
		}},
		{"zap.Namespace", func(c *core.Client) {
			l := zap.New(zapmetlog.NewCore(c, zapcore.DebugLevel))
			fs := make([]zap.Field, 0, levels+1)
			for range levels {
				fs = append(fs, zap.Namespace("z"))
			}
			l.Info("m", append(fs, zap.Int("leaf", 1))...)
		}},
		{"zap.With(Namespace)", func(c *core.Client) {
			l := zap.New(zapmetlog.NewCore(c, zapcore.DebugLevel))
			for range levels {
				l = l.With(zap.Namespace("z"))
			}
			l.Info("m", zap.Int("leaf", 1))
		}},
		{"slog.WithGroup", func(c *core.Client) {
			l := slog.New(slogmetlog.NewHandler(c, nil))
			for range levels {
				l = l.WithGroup("s")
			}
			l.Info("m", "leaf", 1)
		}},
		// Reflected values: a map nested 1,000 deep through each
		// framework's way of logging any value, and core's AddAny.
		{"core.Entry.AddAny", func(c *core.Client) {
			e := core.GetEntry()
			e.Type = "t"
			e.AddAny("m", deepMap)
			c.SendEntry(e)
			e.Free()
		}},
		{"zap.Any", func(c *core.Client) {
			zap.New(zapmetlog.NewCore(c, zapcore.DebugLevel)).Info("m", zap.Any("m", deepMap))
		}},
		{"slog.Any", func(c *core.Client) {
			slog.New(slogmetlog.NewHandler(c, nil)).Info("m", "m", deepMap)
		}},
		{"logrus.WithField", func(c *core.Client) {
			l := logrus.New()
			l.SetOutput(io.Discard)
			l.AddHook(logrusmetlog.NewHook(c))
			l.WithField("m", deepMap).Info("m")
		}},
		{"slog.Group", func(c *core.Client) {
			a := slog.Int("leaf", 1)
			for range levels {
				a = slog.Group("g", a)
			}
			slog.New(slogmetlog.NewHandler(c, nil)).Info("m", a)
		}},
	}
	for _, src := range sources {
		for _, f := range metlogtest.Formats {
			t.Run(src.name+"/"+f.String(), func(t *testing.T) {
				c, capt := metlogtest.NewClient(t, f)
				src.send(c)
				ms := metlogtest.Messages(t, c, capt) // flushed, decoded by core's decoders
				if st := c.Stats(); len(ms) != 1 || st.Dropped != 0 {
					t.Fatalf("got %d messages (stats %+v), want 1", len(ms), st)
				}
				var depth, marker int
				if f == core.FormatHeka {
					depth, marker = flatDepth(ms[0].Fields)
				} else {
					depth, marker = groupDepth(ms[0].Fields, 1)
				}
				if src.name == "core.RawJSON" && f == core.FormatHeka {
					// Heka carries raw JSON as a string, which does not nest.
					if g := ms[0].Fields; depth != 2 || marker != 0 || len(g) != 1 || !strings.HasPrefix(g[0].Str(), `{"r":{"r":`) {
						t.Fatalf("raw JSON in Heka: %d deep, marker at %d, %d fields", depth, marker, len(g))
					}
					return
				}
				if depth != jsontext.MaxDepth+1 || marker != jsontext.MaxDepth+1 {
					t.Fatalf("values nest %d deep, the marker at depth %d; want both %d (groups %d deep)",
						depth, marker, jsontext.MaxDepth+1, jsontext.MaxDepth)
				}
			})
		}
	}
}

// groupDepth returns the depth of the deepest field (fields being at
// depth d) and the depth of the deepest depth marker (0 for none).
func groupDepth(fields []core.Field, d int) (depth, marker int) {
	for _, f := range fields {
		depth = max(depth, d)
		if f.Kind() == core.KindGroup {
			gd, gm := groupDepth(f.GroupValue(), d+1)
			depth, marker = max(depth, gd), max(marker, gm)
		}
		if f.Kind() == core.KindString && f.Str() == jsontext.DepthMarker {
			marker = max(marker, d)
		}
	}
	return depth, marker
}

// flatDepth is groupDepth for Heka's dotted names.
func flatDepth(fields []core.Field) (depth, marker int) {
	for _, f := range fields {
		if f.Kind() == core.KindGroup {
			panic("a group decoded from Heka")
		}
		d := strings.Count(f.Name, ".") + 1
		depth = max(depth, d)
		if f.Kind() == core.KindString && f.Str() == jsontext.DepthMarker {
			marker = max(marker, d)
		}
	}
	return depth, marker
}
