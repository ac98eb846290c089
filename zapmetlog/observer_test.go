package zapmetlog_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/multierr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestMatchesObserver logs a matrix of calls through a tee of zap's
// observer core and ours, and checks, entry by entry and field by field,
// that what our messages decode to equals what the observer saw, in both
// wire formats. The comparison (compareValue) only bridges representations
// the package documents: bytes as base64 in JSON, times as RFC 3339 strings,
// durations as nanoseconds, complex numbers as strings, arrays as repeated
// fields or raw JSON, reflected values as JSON, dotted names in Heka, and
// empty namespaces (which Heka cannot carry) as optional.
func TestMatchesObserver(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			obs, logs := observer.New(zap.DebugLevel)
			tee := zapcore.NewTee(obs, zapmetlog.NewCore(c, zap.DebugLevel))
			l := zap.New(tee, zap.WithFatalHook(noHook{}))
			lc := l.WithOptions(zap.AddCaller(), zap.AddStacktrace(zap.ErrorLevel))

			for _, call := range matrix(l, lc) {
				call()
			}
			msgs := metlogtest.Messages(t, c, capt)
			entries := logs.All()
			if len(msgs) != len(entries) || len(entries) == 0 {
				t.Fatalf("observer saw %d entries, we sent %d", len(entries), len(msgs))
			}
			for i, ent := range entries {
				checkEntry(t, f, ent, msgs[i])
			}
		})
	}
}

// noHook lets Fatal return, so that the matrix can log at that level.
type noHook struct{}

func (noHook) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {}

func matrix(l, lc *zap.Logger) []func() {
	far := time.Date(3000, 1, 2, 3, 4, 5, 6, time.UTC) // beyond int64 nanoseconds: TimeFullType
	loc := time.FixedZone("UTC+5", 5*3600)
	when := time.Date(2024, 5, 6, 7, 8, 9, 123456789, loc)
	n := 42
	return []func(){
		func() { l.Info("static") },
		func() {
			l.Debug("scalars",
				zap.String("string", "héllo \"q\" \n"), zap.Int("int", -1), zap.Int64("int64", math.MinInt64),
				zap.Int32("int32", math.MaxInt32), zap.Int16("int16", -7), zap.Int8("int8", 8),
				zap.Uint("uint", 9), zap.Uint64("uint64", math.MaxUint64), zap.Uint64("uint64small", 10),
				zap.Uint32("uint32", math.MaxUint32), zap.Uint16("uint16", 11), zap.Uint8("uint8", 12),
				zap.Uintptr("uintptr", 0xdead), zap.Float64("float64", 1.5), zap.Float64("whole", 2),
				zap.Float32("float32", 0.1), zap.Bool("bool", true), zap.Bool("false", false),
				zap.Complex128("complex128", 1+2i), zap.Complex128("creal", 3), zap.Complex64("complex64", -1.5-0.25i),
				zap.Duration("duration", 1500*time.Millisecond), zap.Time("time", when),
				zap.Time("far", far), zap.Binary("binary", []byte{0, 1, 2, 0xff}),
				zap.ByteString("bytestring", []byte("bytes")), zap.Float64("nan", math.NaN()),
				zap.Float64("inf", math.Inf(1)), zap.Float64("ninf", math.Inf(-1)),
				zap.Intp("intp", &n), zap.Stringp("nilp", nil))
		},
		func() {
			l.Warn("stringers and errors",
				zap.Stringer("stringer", &ptrStringer{"s"}), zap.Stringer("panics", panicStringer{}),
				zap.Stringer("nilptr", (*ptrStringer)(nil)), zap.Error(errors.New("plain")),
				zap.NamedError("verbose", verboseError{}),
				zap.NamedError("group", multierr.Combine(errors.New("a"), errors.New("b"))),
				zap.Errors("errs", []error{errors.New("c"), nil, verboseError{}}))
		},
		func() {
			l.Info("objects",
				zap.Object("user", testUser), zap.Object("every", everyObject{}),
				zap.Dict("dict", zap.String("a", "b"), zap.Namespace("dns"), zap.Int("c", 1)),
				zap.Object("failing", failingObject{}), zap.Inline(inlineObject{}))
		},
		func() {
			l.Info("arrays",
				zap.Strings("strings", []string{"a", "b"}), zap.Ints("ints", []int{1, -2}),
				zap.Int64s("int64s", []int64{math.MaxInt64}), zap.Int32s("int32s", []int32{3}),
				zap.Int16s("int16s", []int16{4, 5}), zap.Int8s("int8s", []int8{-6}),
				zap.Uints("uints", []uint{7}), zap.Uint64s("uint64s", []uint64{8, math.MaxUint64}),
				zap.Uint32s("uint32s", []uint32{9}), zap.Uint16s("uint16s", []uint16{10}),
				zap.Uint8s("uint8s", []uint8{11, 12}), zap.Uintptrs("uintptrs", []uintptr{13}),
				zap.Float64s("float64s", []float64{1.5, 2}), zap.Float64s("nans", []float64{math.NaN(), 1}),
				zap.Float32s("float32s", []float32{0.1, 0.2}), zap.Bools("bools", []bool{true, false}),
				zap.Complex128s("complex128s", []complex128{1 + 1i}), zap.Complex64s("complex64s", []complex64{2 - 2i}),
				zap.Durations("durations", []time.Duration{time.Second, -1}),
				zap.Times("times", []time.Time{when, far}), zap.ByteStrings("bytestrings", [][]byte{[]byte("x")}),
				zap.Stringers("stringers", []*ptrStringer{{"p"}, {"q"}}),
				zap.Objects("objects", []*user{testUser, testUser}), zap.Ints("empty", nil),
				zap.Array("every", everyArray{}), zap.Array("mixed", mixedArray{}),
				zap.Array("nested", nestedArray{}), zap.Array("failingArray", failingArray{}))
		},
		func() {
			l.Info("reflected",
				zap.Any("map", map[string]int{"a": 1}), zap.Any("struct", struct {
					A int
					B string
				}{1, "<b>&"}), zap.Reflect("slice", []int{1, 2}), zap.Any("nil", nil),
				zap.Any("anyint", 5), zap.Any("anyints", []int{5, 6}))
		},
		func() {
			l.Info("namespaces", zap.Int("a", 1), zap.Namespace("ns"), zap.Int("b", 2),
				zap.Object("user", testUser), zap.Namespace("n2"), zap.Int("c", 3))
		},
		func() {
			l.With(zap.String("ctx", "v"), zap.Namespace("cns"), zap.Int("ci", 1)).
				With(zap.Int("more", 2), zap.Object("cobj", testUser)).
				Info("with", zap.Int("w", 3), zap.Namespace("wns"), zap.Bool("deep", true))
		},
		func() { l.With(zap.Namespace("empty")).Info("empty namespace") },
		func() { l.With(zap.Int("a", 1)).With().Info("with nothing") },
		func() { l.Named("svc").Named("sub").Warn("named", zap.Int("x", 1)) },
		func() { l.Info("skip", zap.Skip(), zap.Int("after", 1)) },
		func() { l.Error("error level") },
		func() { l.DPanic("dpanic level") },
		func() {
			defer func() { _ = recover() }()
			l.Panic("panic level")
		},
		func() { l.Fatal("fatal level") },
		func() { lc.Warn("caller", zap.Int("x", 1)) },
		func() { lc.With(zap.Int("y", 2)).Error("caller and stack") },
		func() {
			lc.With(zap.Int("y", 2), zap.Namespace("cns")).Error("caller and stack outside a namespace", zap.Int("z", 3))
		},
	}
}

// checkEntry compares the envelope and fields of one message with the
// observed entry.
func checkEntry(t *testing.T, f core.Format, ent observer.LoggedEntry, m *core.Message) {
	t.Helper()
	where := fmt.Sprintf("entry %q", ent.Message)
	if m.Payload != ent.Message {
		t.Errorf("%s: payload %q", where, m.Payload)
	}
	if want := map[zapcore.Level]int{ // syslog numbers
		zap.DebugLevel: 7, zap.InfoLevel: 6, zap.WarnLevel: 4, zap.ErrorLevel: 3,
		zap.DPanicLevel: 2, zap.PanicLevel: 1, zap.FatalLevel: 0,
	}[ent.Level]; m.Severity.Number() != want {
		t.Errorf("%s: severity %d, want %d for %v", where, m.Severity.Number(), want, ent.Level)
	}
	wantLogger := ent.LoggerName
	if wantLogger == "" {
		wantLogger = "test"
	}
	if m.Logger != wantLogger || m.Type != core.TypeOldstyle {
		t.Errorf("%s: logger %q type %q, want %q %q", where, m.Logger, m.Type, wantLogger, core.TypeOldstyle)
	}
	wantTime := ent.Time
	if f == core.FormatJSON { // the envelope has microseconds
		wantTime = wantTime.Truncate(time.Microsecond)
	}
	if !m.Timestamp.Equal(wantTime) {
		t.Errorf("%s: timestamp %v, want %v", where, m.Timestamp, wantTime)
	}

	got := fieldMap(m.Fields)
	want := ent.ContextMap()
	// The caller and stack trace are at the top level, outside the
	// namespaces of With.
	if ent.Caller.Defined {
		want["source"] = map[string]any{
			"file": ent.Caller.File, "line": ent.Caller.Line, "function": ent.Caller.Function,
		}
	}
	if ent.Stack != "" {
		want["stacktrace"] = ent.Stack
	}
	if f == core.FormatHeka {
		// Reflected structs and maps are groups, dotted names in Heka
		// (this test once expected them as one JSON string there).
		want = flatten("", reflectedAsMaps(t, want), map[string]any{})
	}
	compareMap(t, where, want, got)
}

// reflectedAsMaps replaces the structs and maps among m's values (as the
// observer keeps reflected values) by the objects encoding/json makes of
// them, so that flatten turns them into dotted names.
func reflectedAsMaps(t *testing.T, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch rv := reflect.ValueOf(v); {
		case rv.Kind() == reflect.Map && rv.Type() != reflect.TypeFor[map[string]any](),
			rv.Kind() == reflect.Struct && rv.Type() != reflect.TypeFor[time.Time]():
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			v = jsonValue(b)
		}
		if vm, ok := v.(map[string]any); ok {
			v = reflectedAsMaps(t, vm)
		}
		out[k] = v
	}
	return out
}

// flatten turns nested maps into dotted names, as Heka carries groups.
func flatten(prefix string, m, out map[string]any) map[string]any {
	for k, v := range m {
		if vm, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", vm, out)
			continue
		}
		out[prefix+k] = v
	}
	return out
}

func compareMap(t *testing.T, path string, want, got map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			if !emptyMap(w) {
				t.Errorf("%s.%s: missing, want %#v", path, k, w)
			}
			continue
		}
		compareValue(t, path+"."+k, w, g)
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s.%s: unexpected field %#v", path, k, g)
		}
	}
}

// emptyMap reports whether v is a map holding nothing but empty maps.
func emptyMap(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, x := range m {
		if !emptyMap(x) {
			return false
		}
	}
	return true
}

// compareValue compares an observed value (want) with what our message
// holds (got): a decoded field value, or a value decoded from raw JSON.
func compareValue(t *testing.T, path string, want, got any) {
	t.Helper()
	if raw, ok := got.(json.RawMessage); ok {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		got = nil
		if err := d.Decode(&got); err != nil {
			t.Errorf("%s: raw JSON %q: %v", path, raw, err)
			return
		}
	}
	bad := func() { t.Errorf("%s: got %#v (%T), want %#v (%T)", path, got, got, want, want) }
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			bad()
			return
		}
		compareMap(t, path, w, g)
	case []any:
		g, ok := asSlice(got, len(w))
		if !ok || len(g) != len(w) {
			bad()
			return
		}
		for i := range w {
			compareValue(t, fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	case string, bool, nil:
		if got != want {
			bad()
		}
	case []byte:
		switch g := got.(type) {
		case string:
			if g != base64.StdEncoding.EncodeToString(w) {
				bad()
			}
		case []byte:
			if !bytes.Equal(g, w) {
				bad()
			}
		default:
			bad()
		}
	case int, int8, int16, int32, int64, time.Duration:
		if g, ok := asInt(got); !ok || g != reflect.ValueOf(w).Int() {
			bad()
		}
	case uint, uint8, uint16, uint32, uint64, uintptr:
		if g, ok := asUint(got); !ok || g != reflect.ValueOf(w).Uint() {
			bad()
		}
	case float64:
		if g, ok := asFloat(got); !ok || !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
			bad()
		}
	case float32:
		if g, ok := asFloat(got); !ok || float32(g) != w {
			bad()
		}
	case complex128, complex64:
		bits := 128
		if _, ok := w.(complex64); ok {
			bits = 64
		}
		g, _ := got.(string)
		c, err := strconv.ParseComplex(g, bits)
		if err != nil || c != reflect.ValueOf(w).Complex() {
			bad()
		}
	case time.Time:
		g, _ := got.(string)
		tm, err := time.Parse(time.RFC3339Nano, g)
		if err != nil || !tm.Equal(w) || !strings.HasSuffix(g, "Z") {
			bad()
		}
	case json.Number: // from a reflected value's JSON, which the JSON envelope inlines
		switch g := got.(type) {
		case json.Number:
			if g != w {
				bad()
			}
		case int64:
			if i, err := w.Int64(); err != nil || i != g {
				bad()
			}
		case float64:
			if f, err := w.Float64(); err != nil || f != g {
				bad()
			}
		default:
			bad()
		}
	default: // a reflected value: compare its encoding/json form
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		compareValue(t, path, jsonValue(b), got)
	}
}

// jsonValue decodes JSON as compareValue reads raw JSON.
func jsonValue(b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

// asSlice returns a repeated field's values, or a raw JSON array, as []any.
// Heka gives a one-element array back as a scalar.
func asSlice(v any, n int) ([]any, bool) {
	if s, ok := v.([]any); ok {
		return s, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out, true
	}
	if n == 1 && v != nil {
		return []any{v}, true
	}
	return nil, false
}

func asInt(v any) (int64, bool) {
	switch g := v.(type) {
	case int64:
		return g, true
	case json.Number:
		i, err := g.Int64()
		return i, err == nil
	}
	return 0, false
}

func asUint(v any) (uint64, bool) {
	switch g := v.(type) {
	case int64:
		return uint64(g), g >= 0
	case uint64:
		return g, true
	case json.Number, string: // JSON numbers; Heka's decimal strings above MaxInt64
		u, err := strconv.ParseUint(fmt.Sprint(g), 10, 64)
		return u, err == nil
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch g := v.(type) {
	case float64:
		return g, true
	case json.Number:
		f, err := g.Float64()
		return f, err == nil
	case string: // JSON's names of non-finite floats
		switch g {
		case "NaN":
			return math.NaN(), true
		case "+Inf":
			return math.Inf(1), true
		case "-Inf":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

// Marshalers of the matrix.

type user struct {
	Name, Email string
	Created     time.Time
	Tags        []string
}

var testUser = &user{"Jane", "jane@example.com", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), []string{"a", "b"}}

func (u *user) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddTime("created", u.Created)
	return enc.AddArray("tags", zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
		for _, s := range u.Tags {
			a.AppendString(s)
		}
		return nil
	}))
}

// everyObject calls every ObjectEncoder method, a namespace last.
type everyObject struct{}

func (everyObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddBinary("binary", []byte("bin"))
	enc.AddByteString("bytestring", []byte("bs"))
	enc.AddBool("bool", true)
	enc.AddComplex128("c128", 3+4i)
	enc.AddComplex64("c64", 5-6i)
	enc.AddDuration("duration", time.Minute)
	enc.AddFloat64("f64", 0.5)
	enc.AddFloat32("f32", 0.3)
	enc.AddInt("int", 1)
	enc.AddInt64("i64", 2)
	enc.AddInt32("i32", 3)
	enc.AddInt16("i16", 4)
	enc.AddInt8("i8", 5)
	enc.AddString("string", "s")
	enc.AddTime("time", time.Unix(1700000000, 5).In(time.FixedZone("X", -3600)))
	enc.AddUint("uint", 6)
	enc.AddUint64("u64", math.MaxUint64)
	enc.AddUint32("u32", 7)
	enc.AddUint16("u16", 8)
	enc.AddUint8("u8", 9)
	enc.AddUintptr("uptr", 10)
	if err := enc.AddReflected("reflected", map[string]bool{"r": true}); err != nil {
		return err
	}
	if err := enc.AddObject("inner", testUser); err != nil {
		return err
	}
	if err := enc.AddArray("arr", mixedArray{}); err != nil {
		return err
	}
	enc.OpenNamespace("ons")
	enc.AddString("in_ns", "x")
	return nil
}

// everyArray calls every ArrayEncoder method.
type everyArray struct{}

func (everyArray) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendBool(true)
	a.AppendByteString([]byte("bs"))
	a.AppendComplex128(1 - 1i)
	a.AppendComplex64(2 + 2i)
	a.AppendFloat64(math.Inf(-1))
	a.AppendFloat32(0.7)
	a.AppendInt(1)
	a.AppendInt64(-2)
	a.AppendInt32(3)
	a.AppendInt16(4)
	a.AppendInt8(5)
	a.AppendString("s")
	a.AppendUint(6)
	a.AppendUint64(math.MaxUint64)
	a.AppendUint32(7)
	a.AppendUint16(8)
	a.AppendUint8(9)
	a.AppendUintptr(10)
	a.AppendDuration(time.Hour)
	a.AppendTime(time.Unix(0, 1))
	if err := a.AppendReflected([]string{"r"}); err != nil {
		return err
	}
	if err := a.AppendArray(zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
		a.AppendInt(1)
		return nil
	})); err != nil {
		return err
	}
	return a.AppendObject(everyObject{})
}

// mixedArray holds an integer, then a string.
type mixedArray struct{}

func (mixedArray) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendInt(1)
	a.AppendInt(2)
	a.AppendString("three")
	a.AppendTime(time.Unix(3, 0))
	return nil
}

// nestedArray holds arrays.
type nestedArray struct{}

func (nestedArray) MarshalLogArray(a zapcore.ArrayEncoder) error {
	for i := 0; i < 2; i++ {
		err := a.AppendArray(zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
			a.AppendInt(i)
			a.AppendString("x")
			return nil
		}))
		if err != nil {
			return err
		}
	}
	return nil
}

// failingObject adds a field and then fails: zap records "<key>Error".
type failingObject struct{}

func (failingObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddInt("before", 1)
	return errors.New("object failed")
}

// failingArray appends elements and then fails.
type failingArray struct{}

func (failingArray) MarshalLogArray(a zapcore.ArrayEncoder) error {
	a.AppendInt(1)
	return errors.New("array failed")
}

type inlineObject struct{}

func (inlineObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("inlined", "yes")
	return nil
}

type ptrStringer struct{ s string }

func (p *ptrStringer) String() string { return p.s }

type panicStringer struct{}

func (panicStringer) String() string { panic("stringer boom") }

// verboseError formats differently with %+v: zap adds "<key>Verbose".
type verboseError struct{}

func (verboseError) Error() string { return "short" }

func (verboseError) Format(s fmt.State, verb rune) {
	if verb == 'v' && s.Flag('+') {
		io.WriteString(s, "short\nwith details")
		return
	}
	io.WriteString(s, "short")
}
