package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"github.com/valyala/fastjson"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// BenchmarkParts splits what one log call costs into its parts, every
// part of a framework in the same run, with nothing leaving the process:
// native JSON is written to io.Discard and our adapter's client sends to a
// writer that discards. Each part runs under b.RunParallel and reports
// cpu-ns/op (the process's CPU per call, delivery of the client's backlog
// included) and drops/op (metlogtest.RunParallel).
//
// Parts, named by what the logger writes to:
//
//   - native-discard: the framework's JSON to io.Discard;
//
//   - frontend: the framework with a sink that does nothing (slog's no-op
//     handler, zap's no-op core): its own share, which no sink changes;
//
//   - metlog-json, metlog-heka: our adapter as the only sink (logrus with
//     DiscardFormatter);
//
//   - native-discard+metlog-json, -heka: ours beside the native JSON: what
//     adding the adapter to a logger costs (a tee, a fan-out handler, a
//     hook, a MultiLevelWriter);
//
//   - logrus native-discard+noop-hook: logrus's own cost of having a hook
//     (it copies its hooks under the logger's mutex);
//
//   - logrus native-discard+metlog-convert-only: the hook converting each
//     entry, which its client's filter then rejects before encoding;
//
//   - zerolog native-discard+fastjson-only: parsing each event and nothing
//     else, the floor under any writer that reads zerolog's JSON;
//
//   - zerolog native-discard+metlog-json-nocache: the writer without its
//     cache of the logger's context.
//
//     go test -run '^$' -bench 'Parts/zap/10fields' -count 10 | benchstat -col /part -
func BenchmarkParts(b *testing.B) {
	clients := map[core.Format]*core.Client{}
	for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
		clients[f] = metlogtest.BenchClient(b, f)
	}
	// Its filter rejects every message the hook has built, before encoding
	// (metlogtest.BenchClient's warm-up would never fill its ring).
	convertOnly, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
		core.WithFilter(func(*core.Message) bool { return false }))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := convertOnly.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	parts := func(fw framework, sc string) []part {
		ps := []part{{"native-discard", nil, fw.call(sinks{w: io.Discard}, sc)}}
		switch fw.name {
		case "slog":
			ps = append(ps, part{"frontend", nil, slogScenario(slog.New(noopHandler{}), sc)})
		case "zap":
			ps = append(ps, part{"frontend", nil, zapScenario(zap.New(noopCore{}), sc)})
		}
		for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
			c := clients[f]
			ps = append(ps,
				part{"metlog-" + f.String(), c, fw.call(sinks{c: c}, sc)},
				part{"native-discard+metlog-" + f.String(), c, fw.call(sinks{w: io.Discard, c: c}, sc)})
		}
		switch fw.name {
		case "logrus":
			ps = append(ps,
				part{"native-discard+noop-hook", nil, logrusScenario(logrusJSON(noopHook{}), sc)},
				part{"native-discard+metlog-convert-only", nil,
					logrusScenario(logrusJSON(logrusmetlog.NewHook(convertOnly)), sc)})
		case "zerolog":
			c := clients[core.FormatJSON]
			ps = append(ps,
				part{"native-discard+fastjson-only", nil,
					zerologScenario(zerolog.MultiLevelWriter(io.Discard, &parseOnly{}), sc)},
				part{"native-discard+metlog-json-nocache", c, zerologScenario(zerolog.MultiLevelWriter(io.Discard,
					zerologmetlog.NewWriter(c, zerologmetlog.WithContextCache(0))), sc)})
		}
		return ps
	}
	for _, fw := range frameworks {
		b.Run(fw.name, func(b *testing.B) {
			for _, sc := range scenarios {
				b.Run(sc, func(b *testing.B) {
					for _, p := range parts(fw, sc) {
						b.Run("part="+p.name, func(b *testing.B) {
							metlogtest.RunParallel(b, p.client, p.call)
						})
					}
				})
			}
		})
	}
	if st := convertOnly.Stats(); st.Enqueued != 0 {
		b.Errorf("convert-only: %d messages enqueued, want none", st.Enqueued)
	}
}

// part is one logging call of BenchmarkParts; client, when not nil, is
// flushed inside the timed region.
type part struct {
	name   string
	client *core.Client
	call   func()
}

// logrusJSON returns a logger writing logrus's JSON to io.Discard, with
// hooks.
func logrusJSON(hooks ...logrus.Hook) *logrus.Logger {
	l := &logrus.Logger{Out: io.Discard, Formatter: &logrus.JSONFormatter{}, Hooks: make(logrus.LevelHooks), Level: logrus.InfoLevel}
	for _, h := range hooks {
		l.AddHook(h)
	}
	return l
}

// noopHandler takes every record and does nothing with it.
type noopHandler struct{}

func (noopHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (noopHandler) Handle(context.Context, slog.Record) error    { return nil }
func (h noopHandler) WithAttrs([]slog.Attr) slog.Handler         { return h }
func (h noopHandler) WithGroup(string) slog.Handler              { return h }

// noopCore takes every entry at Info and above and does nothing with it.
type noopCore struct{}

func (noopCore) Enabled(l zapcore.Level) bool        { return l >= zapcore.InfoLevel }
func (c noopCore) With([]zapcore.Field) zapcore.Core { return c }
func (c noopCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}
func (noopCore) Write(zapcore.Entry, []zapcore.Field) error { return nil }
func (noopCore) Sync() error                                { return nil }

// noopHook fires on every level and does nothing.
type noopHook struct{}

func (noopHook) Levels() []logrus.Level   { return logrus.AllLevels }
func (noopHook) Fire(*logrus.Entry) error { return nil }

// parseOnly is a zerolog.LevelWriter that parses each event with a pooled
// fastjson parser and does nothing else.
type parseOnly struct{ pool fastjson.ParserPool }

func (w *parseOnly) Write(p []byte) (int, error) { return w.WriteLevel(zerolog.NoLevel, p) }

func (w *parseOnly) WriteLevel(_ zerolog.Level, p []byte) (int, error) {
	ps := w.pool.Get()
	_, err := ps.ParseBytes(p)
	w.pool.Put(ps)
	return len(p), err
}
