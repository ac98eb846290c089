package logrusmetlog_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

type ctxKey struct{}

func TestDefaultSeverity(t *testing.T) {
	for l, want := range wantSeverity {
		if got := logrusmetlog.DefaultSeverity(l); got.Number() != want {
			t.Errorf("%s: %d, want %d", l, got.Number(), want)
		}
	}
	if got := logrusmetlog.DefaultSeverity(logrus.TraceLevel + 1); got != core.Debug {
		t.Errorf("level beyond trace: %d, want debug", got)
	}
}

func TestLevels(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	if got := logrusmetlog.NewHook(c).Levels(); !slices.Equal(got, logrus.AllLevels) {
		t.Errorf("default levels %v, want all", got)
	}
	h := logrusmetlog.NewHook(c, logrusmetlog.WithLevels(logrus.ErrorLevel, logrus.WarnLevel))
	if got := h.Levels(); !slices.Equal(got, []logrus.Level{logrus.ErrorLevel, logrus.WarnLevel}) {
		t.Errorf("levels %v", got)
	}
	logger := newLogger()
	logger.AddHook(h)
	logger.Info("info")
	logger.Warn("warn")
	logger.Debug("debug")
	logger.Error("error")
	var got []string
	for _, m := range metlogtest.Messages(t, c, capt) {
		got = append(got, m.Payload)
	}
	if strings.Join(got, ",") != "warn,error" {
		t.Errorf("sent %v, want warn and error", got)
	}
}

func TestOptions(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f, core.WithSeverity(core.Notice))
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c,
				logrusmetlog.WithType("audit"),
				logrusmetlog.WithLogger("billing"),
				logrusmetlog.WithSeverity(func(l logrus.Level) core.Severity {
					if l == logrus.InfoLevel {
						return core.DefaultSeverity // the client's: Notice
					}
					return core.Critical
				})))
			logger.Info("a")
			logger.Warn("b")
			msgs := metlogtest.Messages(t, c, capt)
			if len(msgs) != 2 {
				t.Fatalf("%d messages", len(msgs))
			}
			for i, want := range []core.Severity{core.Notice, core.Critical} {
				m := msgs[i]
				if m.Type != "audit" || m.Logger != "billing" || m.Severity != want {
					t.Errorf("message %d: type %q logger %q severity %d, want audit billing %d", i, m.Type, m.Logger, m.Severity, want)
				}
			}
		})
	}
}

// A client that filters a severity gets no message built for it.
func TestClientFilter(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON, core.WithMaxSeverity(core.Warning))
	logger := newLogger()
	logger.AddHook(logrusmetlog.NewHook(c))
	logger.Info("filtered")
	logger.Error("kept")
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 1 || msgs[0].Payload != "kept" {
		t.Fatalf("got %d messages", len(msgs))
	}
}

// Data keys come out sorted whatever the map's order.
func TestFieldOrder(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			keys := []string{"m", "c", "x", "a", "q", "b", "z", "k", "d", "y", "e", "w", "f", "v", "g"}
			data := logrus.Fields{}
			nested := map[string]any{}
			for i, k := range keys {
				data[k] = i
				nested[k] = i
			}
			data["n"] = nested
			for range 5 {
				logger.WithFields(data).Info("x")
			}
			wantNested := slices.Sorted(slices.Values(keys))
			want := slices.Sorted(slices.Values(append(keys, "n")))
			for _, m := range metlogtest.Messages(t, c, capt) {
				var got, gotNested []string
				for _, fl := range m.Fields {
					name, sub, ok := strings.Cut(fl.Name, ".")
					switch {
					case ok:
						gotNested = append(gotNested, sub)
						if len(gotNested) == 1 {
							got = append(got, name)
						}
					case fl.Name == "n":
						got = append(got, "n")
						for _, g := range fl.GroupValue() {
							gotNested = append(gotNested, g.Name)
						}
					default:
						got = append(got, fl.Name)
					}
				}
				if !slices.Equal(got, want) || !slices.Equal(gotNested, wantNested) {
					t.Fatalf("order %v / %v", got, gotNested)
				}
			}
		})
	}
}

func TestContextFields(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			calls := 0
			logger.AddHook(logrusmetlog.NewHook(c, logrusmetlog.WithContextFields(func(ctx context.Context, e *core.Entry) {
				calls++
				if id, ok := ctx.Value(ctxKey{}).(string); ok {
					e.Add(core.String("request_id", id))
				}
				if ctx.Value(ctxKey{}) == "boom" {
					e.OpenGroup("half")
					e.Add(core.Int("x", 1))
					panic("context broke")
				}
			})))
			logger.WithField("a", 1).Info("no context")
			logger.WithContext(context.WithValue(context.Background(), ctxKey{}, "r-42")).WithField("a", 1).Info("with context")
			logger.WithContext(context.WithValue(context.Background(), ctxKey{}, "boom")).Info("panicking context")
			msgs := metlogtest.Messages(t, c, capt)
			if calls != 2 || len(msgs) != 3 {
				t.Fatalf("%d calls, %d messages, want 2 and 3", calls, len(msgs))
			}
			if got := metlogtest.DecodedFields(msgs[0]); len(got) != 1 {
				t.Errorf("no context: fields %v", got)
			}
			got := metlogtest.DecodedFields(msgs[1])
			if got["request_id"] != "r-42" || got["a"] != metlogtest.Num("1") {
				t.Errorf("with context: fields %v", got)
			}
			got = metlogtest.DecodedFields(msgs[2])
			if got["request_id"] != "boom" || got["half.x"] != metlogtest.Num("1") || got["context"] != "%!v(PANIC=context fields: context broke)" {
				t.Errorf("panicking context: fields %v", got)
			}
		})
	}
}

func TestCaller(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			logger.WithField("source", "mine").Info("no caller")
			logger.ReportCaller = true
			logger.WithField("source", "mine").Info("caller")
			msgs := metlogtest.Messages(t, c, capt)
			if got := metlogtest.DecodedFields(msgs[0]); len(got) != 1 || got["source"] != "mine" {
				t.Errorf("fields without ReportCaller: %v", got)
			}
			got := metlogtest.DecodedFields(msgs[1])
			if len(got) != 4 || got["fields.source"] != "mine" {
				t.Errorf("fields with ReportCaller: %v", got)
			}
			if fn, _ := got["source.function"].(string); !strings.HasSuffix(fn, ".TestCaller.func1") {
				t.Errorf("source.function %q", fn)
			}
			if file, _ := got["source.file"].(string); !strings.HasSuffix(file, "/options_test.go") {
				t.Errorf("source.file %q", file)
			}
			if _, ok := got["source.line"].(metlogtest.Num); !ok {
				t.Errorf("source.line %#v", got["source.line"])
			}
		})
	}
}

// Fire returns nil and logging goes on when the client drops the message.
func TestFireNeverFails(t *testing.T) {
	c, _ := metlogtest.NewClient(t, core.FormatJSON)
	h := logrusmetlog.NewHook(c)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	logger := newLogger()
	logger.AddHook(h)
	logger.Info("after close")
	if err := h.Fire(logrus.NewEntry(logger)); err != nil {
		t.Errorf("Fire: %v", err)
	}
	if st := c.Stats(); st.Drops.Closed != 2 {
		t.Errorf("closed drops %d, want 2", st.Drops.Closed)
	}
}

// gate is a sender that delivers only once opened.
type gate struct {
	*core.Capture
	open chan struct{}
}

func (g *gate) Send(b *core.Batch) (int, error) {
	<-g.open
	return g.Capture.Send(b)
}

// TestFlushOnFatal: by default Fire waits (within DefaultFatalFlush) for
// a Fatal entry's delivery, since logrus exits right after; with
// WithFlushOnFatal(0) it does not wait.
func TestFlushOnFatal(t *testing.T) {
	for _, flush := range []bool{false, true} {
		g := &gate{Capture: core.NewCapture(), open: make(chan struct{})}
		c, err := core.New("", core.WithSender(g))
		if err != nil {
			t.Fatal(err)
		}
		var opts []logrusmetlog.Option
		if !flush {
			opts = append(opts, logrusmetlog.WithFlushOnFatal(0))
		}
		logger := newLogger()
		logger.ExitFunc = func(int) {}
		logger.AddHook(logrusmetlog.NewHook(c, opts...))
		var once sync.Once
		open := func() { once.Do(func() { close(g.open) }) }
		// Fire must wait for the delivery, which the gate lets through
		// a little later; without flush the gate opens too, later still,
		// so that a Fire that waited is seen (got 1), not a slow machine.
		if flush {
			time.AfterFunc(20*time.Millisecond, open)
		} else {
			time.AfterFunc(300*time.Millisecond, open)
		}
		logger.Fatal("bye")
		got := g.Len()
		open()
		if flush && got != 1 {
			t.Errorf("with flush: %d messages delivered when Fatal returned, want 1", got)
		} else if !flush && got != 0 {
			t.Errorf("without flush: %d messages delivered when Fatal returned, want 0 (Fire waited)", got)
		}
		if err := c.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}
}

func TestDiscardFormatter(t *testing.T) {
	b, err := logrusmetlog.DiscardFormatter{}.Format(&logrus.Entry{Message: "x", Data: logrus.Fields{"a": 1}})
	if b != nil || err != nil {
		t.Fatalf("Format = %q, %v", b, err)
	}
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	var out strings.Builder
	logger := newLogger()
	logger.Out = &out
	logger.Formatter = logrusmetlog.DiscardFormatter{}
	logger.AddHook(logrusmetlog.NewHook(c))
	logger.WithField("a", 1).Info("only the hook")
	if out.Len() != 0 {
		t.Errorf("logger wrote %q", out.String())
	}
	if msgs := metlogtest.Messages(t, c, capt); len(msgs) != 1 || msgs[0].Payload != "only the hook" {
		t.Errorf("hook sent %d messages", len(msgs))
	}
}

func TestConcurrent(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	logger := newLogger()
	logger.AddHook(logrusmetlog.NewHook(c))
	base := logger.WithFields(benchfields.Logrus())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				base.WithField("g", g).WithField("i", i).Info("concurrent")
			}
		}()
	}
	wg.Wait()
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 400 {
		t.Fatalf("%d messages, want 400", len(msgs))
	}
	seen := map[[2]int64]bool{}
	for _, m := range msgs {
		f := metlogtest.DecodedFields(m)
		if f["users.9.name"] != "userj" || f["error"] != "fail" {
			t.Fatalf("fields %v", f)
		}
		g, i := mustInt(t, f["g"]), mustInt(t, f["i"])
		seen[[2]int64{g, i}] = true
	}
	if len(seen) != 400 {
		t.Errorf("%d distinct (g, i), want 400", len(seen))
	}
}
