package zapmetlog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestSeverityMapping(t *testing.T) {
	want := map[zapcore.Level]int{ // syslog numbers
		zap.DebugLevel - 1: 7, zap.DebugLevel: 7, zap.InfoLevel: 6, zap.WarnLevel: 4,
		zap.ErrorLevel: 3, zap.DPanicLevel: 2, zap.PanicLevel: 1, zap.FatalLevel: 0, zap.FatalLevel + 1: 0,
	}
	for l, s := range want {
		if got := zapmetlog.DefaultSeverity(l); got.Number() != s {
			t.Errorf("DefaultSeverity(%v) = %d, want %d", l, got.Number(), s)
		}
	}
}

func TestOptions(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	sev := func(l zapcore.Level) core.Severity {
		if l == zap.WarnLevel {
			return core.Notice
		}
		return zapmetlog.DefaultSeverity(l)
	}
	l := zap.New(zapmetlog.NewCore(c, zap.InfoLevel,
		zapmetlog.WithType("applog"), zapmetlog.WithLogger("fixed"), zapmetlog.WithSeverity(sev)))
	l.Named("ignored").Warn("w")
	l.Error("e")
	l.Debug("filtered by the level enabler")
	d := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
	d.Debug("default")
	d.Named("a").Named("b").Info("named")

	msgs := metlogtest.Messages(t, c, capt)
	got := make([]string, len(msgs))
	for i, m := range msgs {
		got[i] = fmt.Sprintf("%s %s %d %s", m.Type, m.Logger, m.Severity.Number(), m.Payload)
	}
	want := []string{
		"applog fixed 5 w",
		"applog fixed 3 e",
		"oldstyle test 7 default",
		"oldstyle a.b 6 named",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestEnabled(t *testing.T) {
	c, _ := metlogtest.NewClient(t, core.FormatJSON, core.WithMaxSeverity(core.Warning), core.WithoutTypes("off"))
	zc := zapmetlog.NewCore(c, zap.InfoLevel)
	for l, want := range map[zapcore.Level]bool{
		zap.DebugLevel: false, // level enabler
		zap.InfoLevel:  false, // client: severity 6 > max 4
		zap.WarnLevel:  true,
		zap.ErrorLevel: true,
	} {
		if got := zc.Enabled(l); got != want {
			t.Errorf("Enabled(%v) = %v, want %v", l, got, want)
		}
		ce := zc.Check(zapcore.Entry{Level: l}, nil)
		if (ce != nil) != want {
			t.Errorf("Check(%v) added the core: %v, want %v", l, ce != nil, want)
		}
	}
	if off := zapmetlog.NewCore(c, zap.DebugLevel, zapmetlog.WithType("off")); off.Enabled(zap.ErrorLevel) {
		t.Error("a core whose type the client filters out is enabled")
	}
	if got := zapcore.LevelOf(zc); got != zap.InfoLevel {
		t.Errorf("LevelOf = %v, want info", got)
	}
}

// TestSyncBounded checks that Sync, and a Fatal entry's Write, give up
// after the sync timeout when the router is unreachable.
func TestSyncBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial fails
	c, err := core.New("tcp://"+addr, core.WithTimeouts(100*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = c.Close(ctx) // reports the undelivered message
	}()
	l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel, zapmetlog.WithSyncTimeout(50*time.Millisecond)),
		zap.WithFatalHook(noHook{}))
	l.Info("never delivered")
	done := make(chan error, 1)
	go func() {
		l.Fatal("syncs before returning")
		done <- l.Sync()
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "pending") {
			t.Errorf("Sync = %v, want a deadline error with pending messages", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Sync hangs on an unreachable router")
	}
}

func TestSyncDelivers(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
	for i := 0; i < 100; i++ {
		l.Info("m", zap.Int("i", i))
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if n := capt.Len(); n != 100 {
		t.Errorf("after Sync the router has %d messages, want 100", n)
	}
}

// Marshalers that panic, and a value encoding/json cannot encode.
type panicObject struct{}

func (panicObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddInt("before", 1)
	enc.OpenNamespace("ns")
	enc.AddInt("in_ns", 2)
	panic("object boom")
}

type panicArray struct{}

func (panicArray) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendInt(1)
	return a.AppendObject(panicObject{})
}

type panicJSON struct{}

func (panicJSON) MarshalJSON() ([]byte, error) { panic("json boom") }

type wrapper struct{ inner zapcore.ObjectMarshaler }

func (w wrapper) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	if err := enc.AddObject("inner", w.inner); err != nil {
		enc.AddString("recorded", err.Error())
	}
	enc.AddInt("after_inner", 3)
	return nil
}

// TestPanicsRecovered checks that a panicking marshaler is recorded as a
// "<key>Error" field holding "PANIC=<value>", and that the fields around it
// keep their places.
func TestPanicsRecovered(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel)).With(zap.Object("ctx", panicObject{}))
			l.Info("m",
				zap.Object("obj", panicObject{}),
				zap.Object("wrap", wrapper{panicObject{}}),
				zap.Array("arr", panicArray{}),
				zap.Reflect("json", panicJSON{}),
				zap.Reflect("chan", make(chan int)),
				zap.Inline(panicObject{}),
				zap.Int("last", 4))
			msgs := metlogtest.Messages(t, c, capt)
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			want := map[string]any{
				"ctx":      map[string]any{"before": int64(1), "ns": map[string]any{"in_ns": int64(2)}},
				"ctxError": "PANIC=object boom",
				"obj":      map[string]any{"before": int64(1), "ns": map[string]any{"in_ns": int64(2)}},
				"objError": "PANIC=object boom",
				"wrap":     map[string]any{"inner": map[string]any{"before": int64(1), "ns": map[string]any{"in_ns": int64(2)}}, "recorded": "PANIC=object boom", "after_inner": int64(3)},
				"arrError": "PANIC=object boom",
				// Reflected values go through core's conversion, which
				// writes a panicking MarshalJSON and a value encoding/json
				// refuses in the field itself, as for the other adapters
				// (this test once expected zap's "<key>Error" fields
				// from encoding/json here).
				"json":   "%!v(PANIC=MarshalJSON method: json boom)",
				"chan":   "chan int",
				"before": int64(1),
				"ns":     map[string]any{"in_ns": int64(2), "Error": "PANIC=object boom", "last": int64(4)},
			}
			if f == core.FormatHeka {
				want = flatten("", want, map[string]any{})
			}
			if got := fieldMap(msgs[0].Fields); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}

type badUTF8 struct{}

func (badUTF8) String() string { return "bad\xffstring" }

func TestInvalidUTF8(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
			l.Info("payload \xfe",
				zap.ByteString("bytes", []byte("a\xffb")),
				zap.Stringer("stringer", badUTF8{}),
				zap.Strings("strings", []string{"ok", "x\xff"}),
				zap.Array("mixed", mixedBad{}),
				zap.String("key\xff", "v"))
			msgs := metlogtest.Messages(t, c, capt)
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			m := msgs[0]
			if m.Payload != "payload \ufffd" {
				t.Errorf("payload %q", m.Payload)
			}
			got := fieldMap(m.Fields)
			raw, _ := got["mixed"].(json.RawMessage)
			for k, want := range map[string]any{
				"bytes": "a\ufffdb", "stringer": "bad\ufffdstring", "strings": []string{"ok", "x\ufffd"},
				"key\ufffd": "v", "mixed": `[1,{"k\ufffd":"v\ufffd"}]`,
			} {
				g := got[k]
				if k == "mixed" { // the JSON envelope inlines it: compare values
					var gv, wv any
					if !utf8.Valid(raw) || json.Unmarshal(raw, &gv) != nil || json.Unmarshal([]byte(want.(string)), &wv) != nil {
						t.Errorf("mixed = %q", raw)
					}
					g, want = gv, wv
				}
				if !reflect.DeepEqual(g, want) {
					t.Errorf("%q = %#v, want %#v", k, g, want)
				}
			}
		})
	}
}

type mixedBad struct{}

func (mixedBad) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendInt(1)
	return a.AppendObject(zapcore.ObjectMarshalerFunc(func(enc zapcore.ObjectEncoder) error {
		enc.AddString("k\xff", "v\xff")
		return nil
	}))
}

type nilStringer struct{ s *string }

func (n *nilStringer) Error() string { return *n.s }

func TestNilValues(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
	var nilErr *nilStringer
	l.Info("nils",
		zap.Object("obj", nil), zap.Array("arr", nil), zap.NamedError("err", nilErr),
		zap.Any("ptr", (*int)(nil)), zap.Reflect("reflect", nil), zap.Strings("strings", nil),
		zapcore.Field{Key: "badbinary", Type: zapcore.BinaryType, Interface: "not bytes"},
		zapcore.Field{Key: "unknown", Type: zapcore.FieldType(200)},
		zapcore.Field{Key: "noerror", Type: zapcore.ErrorType})
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := fieldMap(msgs[0].Fields)
	want := map[string]string{
		"obj": "null", "arr": "null", "err": "<nil>", "ptr": "null", "reflect": "null", "strings": "[]",
		"badbinary": "", "unknownError": "unknown field type 200", "noerror": "<nil>",
	}
	for k, w := range want {
		g := fmt.Sprintf("%s", got[k])
		if g != w {
			t.Errorf("%s = %q, want %q", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v", got)
	}
}

// TestWithNamespaceHoldsMessageFields shows where message fields go when
// With opened a namespace: inside it, but the caller's source group and
// the stack trace stay at the top level.
func TestWithNamespaceHoldsMessageFields(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel), zap.AddCaller(), zap.AddStacktrace(zap.ErrorLevel)).
		With(zap.Int("top", 1), zap.Namespace("req"))
	l.Error("m", zap.Int("inner", 2))
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := fieldMap(msgs[0].Fields)
	req, _ := got["req"].(map[string]any)
	src, _ := got["source"].(map[string]any)
	stack, _ := got["stacktrace"].(string)
	if got["top"] != int64(1) || req["inner"] != int64(2) || !strings.HasSuffix(fmt.Sprint(src["file"]), "core_test.go") ||
		!strings.Contains(stack, "TestWithNamespaceHoldsMessageFields") {
		t.Errorf("fields %v", got)
	}
	if len(req) != 1 {
		t.Errorf("namespace req holds %v, want only inner", req)
	}
}

func TestOversize(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatHeka, core.WithMaxMessageSize(4096))
	l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
	huge := strings.Repeat("x", 100_000)
	l.Info(huge)                               // payload truncated
	l.Info("big field", zap.String("f", huge)) // dropped, counted
	l.Info("fine")
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 2 || msgs[1].Payload != "fine" || len(msgs[0].Payload) >= len(huge) {
		t.Fatalf("%d messages", len(msgs))
	}
	if st := c.Stats(); st.Drops.Oversize != 1 {
		t.Errorf("oversize drops %d, want 1", st.Drops.Oversize)
	}
}

// TestConcurrent logs from many goroutines through shared cores; run it
// with -race.
func TestConcurrent(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	base := zap.New(zapmetlog.NewCore(c, zap.DebugLevel)).With(zap.String("shared", "s"))
	const workers, each = 4, 200
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := base.With(zap.Int("worker", w))
			for i := 0; i < each; i++ {
				l.Info("m", zap.Int("i", i), zap.Ints("ints", []int{w, i}), zap.Array("mixed", mixedArray{}),
					zap.Object("user", testUser))
			}
		}()
	}
	wg.Wait()
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != workers*each {
		t.Fatalf("%d messages", len(msgs))
	}
	seen := map[[2]int64]bool{}
	for _, m := range msgs {
		f := fieldMap(m.Fields)
		w, _ := f["worker"].(int64)
		i, _ := f["i"].(int64)
		ints, _ := f["ints"].([]int64)
		if f["shared"] != "s" || !reflect.DeepEqual(ints, []int64{w, i}) || f["user.name"] != "Jane" {
			t.Fatalf("fields %v", f)
		}
		seen[[2]int64{w, i}] = true
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct messages", len(seen))
	}
}

// TestNoAllocs checks that our core allocates nothing per entry, for the
// fields of the benchmarks, held as context or not, in both formats.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops objects at random under the race detector")
	}
	for _, f := range metlogtest.Formats {
		c, _ := metlogtest.NewClient(t, f)
		zc := zapmetlog.NewCore(c, zap.DebugLevel)
		fields := benchfields.Zap()
		ctx := zc.With(fields)
		ent := zapcore.Entry{Level: zap.InfoLevel, Time: time.Now(), Message: benchfields.ZapMessage, LoggerName: "n",
			Caller: zapcore.EntryCaller{Defined: true, File: "f.go", Line: 1, Function: "fn"}}
		for name, write := range map[string]func(){
			"static":    func() { _ = zc.Write(zapcore.Entry{Message: benchfields.ZapMessage}, nil) },
			"10fields":  func() { _ = zc.Write(ent, fields) },
			"10context": func() { _ = ctx.Write(ent, nil) },
		} {
			write() // warm the pools
			if n := testing.AllocsPerRun(200, write); n != 0 {
				t.Errorf("%s/%s: %v allocs per entry", f, name, n)
			}
		}
		if st := c.Stats(); st.Drops.Full != 0 || st.Drops.Oversize != 0 {
			t.Errorf("%s: drops %+v", f, st.Drops)
		}
	}
}

// badErrObject fails to marshal with an error whose Error method panics.
type badErrObject struct{}

type panickingError struct{}

func (panickingError) Error() string { panic("error text boom") }

func (badErrObject) MarshalLogObject(zapcore.ObjectEncoder) error { return panickingError{} }

// TestPanickingErrorTextRecovered: the text of a marshaling error is read
// with the panic recovered, so even a broken error type cannot make Write
// panic; the field records the panic instead.
func TestPanickingErrorTextRecovered(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
			l.Info("m", zap.Object("o", badErrObject{}))
			m := metlogtest.One(t, c, capt)
			for _, fl := range m.Fields {
				if fl.Name == "oError" {
					if !strings.Contains(fl.Str(), "PANIC") || !strings.Contains(fl.Str(), "error text boom") {
						t.Fatalf("oError = %q, want the recorded panic", fl.Str())
					}
					return
				}
			}
			t.Fatalf("no oError field in %v", m.Fields)
		})
	}
}
