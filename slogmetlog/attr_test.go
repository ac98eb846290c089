package slogmetlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

type point struct {
	X, Y int
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type marshaler struct{}

func (marshaler) MarshalJSON() ([]byte, error) { return []byte(`{"m": [1, 2]}`), nil }

// marshalErr is an error that is also a json.Marshaler: MarshalJSON wins,
// as in slog's JSON handler.
type marshalErr struct{}

func (marshalErr) Error() string                { return "as error" }
func (marshalErr) MarshalJSON() ([]byte, error) { return []byte(`"as json"`), nil }

func TestValues(t *testing.T) {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 3600))
	t0s := "2024-05-06T06:08:09.123456789Z"
	args := []any{
		"s", "str",
		"i", -3,
		"u", uint64(math.MaxUint64),
		"f", 1.5,
		"b", true,
		"d", 1500 * time.Millisecond,
		"t", t0,
		"bytes", []byte("hi"),
		"strs", []string{"a", "b"},
		"ints", []int{1, -2},
		"i64s", []int64{3, 4},
		"floats", []float64{0.5, 2},
		"bools", []bool{true, false},
		"times", []time.Time{t0, t0.Add(time.Second)},
		"durs", []time.Duration{time.Second, 2},
		"mss", map[string]string{"b": "2", "a": "1"},
		"msa", map[string]any{"z": 1, "n": map[string]any{"k": "v"}, "lv": stringValuer("resolved")},
		"struct", point{1, 2},
		"marshaler", marshaler{},
		"marshalErr", marshalErr{},
		"stringer", stringer{"S"},
		"err", errors.New("boom"),
		"nil", nil,
		"lv", stringValuer("lv"),
		"slice", []any{1, "a"},
	}
	for _, f := range metlogtest.Formats {
		_, got := logOne(t, f, nil, func(l *slog.Logger) { l.Info("x", args...) })
		want := map[string]any{
			"s":        "str",
			"i":        int64(-3),
			"f":        1.5,
			"b":        true,
			"d":        int64(1500 * time.Millisecond),
			"t":        t0s,
			"strs":     []string{"a", "b"},
			"ints":     []int64{1, -2},
			"i64s":     []int64{3, 4},
			"floats":   []float64{0.5, 2},
			"bools":    []bool{true, false},
			"times":    []string{t0s, "2024-05-06T06:08:10.123456789Z"},
			"durs":     []int64{1e9, 2},
			"mss":      map[string]any{"a": "1", "b": "2"},
			"msa":      map[string]any{"z": int64(1), "n": map[string]any{"k": "v"}, "lv": "resolved"},
			"stringer": "S",
			"err":      "boom",
			"lv":       "lv",
			// Structs and lists of non-scalars are groups (core's
			// conversion), nested in JSON and dotted names in Heka.
			"struct": map[string]any{"X": int64(1), "Y": int64(2)},
			"slice":  map[string]any{"0": int64(1), "1": "a"},
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%v: %s = %#v, want %#v", f, k, got[k], w)
			}
		}
		// Formats differ where the JSON envelope has no type for a value.
		if f == core.FormatJSON {
			checkJSONOnly(t, got)
		} else {
			checkHekaOnly(t, got)
		}
	}
}

func checkJSONOnly(t *testing.T, got map[string]any) {
	t.Helper()
	// Raw JSON is inlined: the decoder gives objects back as groups, other
	// values of no single field type as raw JSON.
	decoded := map[string]any{
		"marshaler":  map[string]any{"m": []int64{1, 2}},
		"marshalErr": "as json",
	}
	for k, w := range decoded {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("json: %s = %#v, want %#v", k, got[k], w)
		}
	}
	if got["nil"] != nil {
		// The decoder gives null as raw JSON.
		if b, _ := got["nil"].([]byte); string(b) != "null" {
			t.Errorf("json: nil = %#v", got["nil"])
		}
	}
	if got["bytes"] != base64.StdEncoding.EncodeToString([]byte("hi")) {
		t.Errorf("json: bytes = %#v, want base64", got["bytes"])
	}
	if got["u"] != uint64(math.MaxUint64) {
		t.Errorf("json: u = %#v", got["u"])
	}
}

func checkHekaOnly(t *testing.T, got map[string]any) {
	t.Helper()
	str := map[string]string{ // raw JSON becomes a string in Heka
		"marshaler":  `{"m": [1, 2]}`,
		"marshalErr": `"as json"`,
		"nil":        "null",
		"u":          "18446744073709551615",
	}
	for k, w := range str {
		if got[k] != w {
			t.Errorf("heka: %s = %#v, want %q", k, got[k], w)
		}
	}
	if !bytes.Equal(got["bytes"].([]byte), []byte("hi")) {
		t.Errorf("heka: bytes = %#v", got["bytes"])
	}
}

// Maps are written with sorted keys, whatever Go's iteration order.
func TestMapKeysSorted(t *testing.T) {
	m := map[string]string{}
	for i := 0; i < 20; i++ {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	slog.New(NewHandler(c, nil)).Info("x", "m", m)
	metlogtest.One(t, c, cp)
	frame := string(cp.Frames()[0])
	last := -1
	for i := 0; i < 20; i++ {
		at := strings.Index(frame, fmt.Sprintf(`"k%02d"`, i))
		if at < last {
			t.Fatalf("k%02d out of order in %s", i, frame)
		}
		last = at
	}
}

func TestErrorKeys(t *testing.T) {
	for _, f := range metlogtest.Formats {
		_, got := logOne(t, f, nil, func(l *slog.Logger) {
			lone := []any{errors.New("lone")} // slog keys a lone value !BADKEY
			l.Error("failed", lone...)
		})
		if got["error"] != "lone" || got["!BADKEY"] != nil {
			t.Errorf("%v: got %v, want error=lone", f, got)
		}
		_, got = logOne(t, f, nil, func(l *slog.Logger) {
			l.Info("x", "err", errors.New("kept"), slog.Any("", errors.New("empty")))
		})
		if got["err"] != "kept" || got["error"] != "empty" {
			t.Errorf("%v: got %v, want err=kept, error=empty", f, got)
		}
	}
}

type panicky struct{ p any }

func (p panicky) String() string { panic(p.p) }

type panicErr struct{}

func (*panicErr) Error() string { panic("error panicked") }

type panicMarshaler struct{}

func (panicMarshaler) MarshalJSON() ([]byte, error) { panic("marshal panicked") }

type failMarshaler struct{}

func (failMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

type ptrStringer struct{ s string }

func (p *ptrStringer) String() string { return p.s }

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("valuer panicked") }

type loopValuer struct{}

func (l loopValuer) LogValue() slog.Value { return slog.GroupValue(slog.Any("again", l)) }

func TestBadValues(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	args := []any{
		"panicString", panicky{"s panicked"},
		"panicNil", panicky{nil},
		"panicErr", &panicErr{},
		"nilErr", (*panicErr)(nil),
		"nilStringer", (*ptrStringer)(nil),
		"panicJSON", panicMarshaler{},
		"failJSON", failMarshaler{},
		"chan", make(chan int),
		"cyclic", cyclic,
		"panicValuer", panicValuer{},
		"loop", loopValuer{},
		"badUTF8", "a\xffb",
		"nan", math.NaN(),
		"inf", math.Inf(-1),
		"huge", strings.Repeat("x", 30000),
	}
	for _, f := range metlogtest.Formats {
		_, got := logOne(t, f, nil, func(l *slog.Logger) { l.Info("x", args...) })
		// Panics and errors of methods as fmt writes them (core's
		// conversion); values without a field type by their type's name.
		prefixes := map[string]string{
			"panicString": "%!v(PANIC=String method: s panicked)",
			"panicNil":    "%!v(PANIC=String method: panic called with nil argument",
			"panicErr":    "%!v(PANIC=Error method: error panicked)",
			"nilErr":      "<nil>",
			"nilStringer": "<nil>",
			"panicJSON":   "%!v(PANIC=MarshalJSON method: marshal panicked)",
			"failJSON":    "%!v(ERROR=MarshalJSON method: no)",
			"chan":        "chan int",
			"badUTF8":     "a\ufffdb",
		}
		for k, w := range prefixes {
			if s, _ := got[k].(string); !strings.HasPrefix(s, w) {
				t.Errorf("%v: %s = %#v, want %q...", f, k, got[k], w)
			}
		}
		if s := fmt.Sprint(got["panicValuer"]); !strings.Contains(s, "LogValue panicked") {
			t.Errorf("%v: panicValuer = %v, want slog's LogValue panicked error", f, s)
		}
		depth := 0
		for v := got["cyclic"]; ; depth++ {
			m, ok := v.(map[string]any)
			if !ok {
				// A map follows core's depth rule, as in the other
				// adapters (this test once expected slog's group marker
				// "!ERROR: nested too deeply" here).
				if v != jsontext.DepthMarker {
					t.Errorf("%v: cyclic map ends in %#v", f, v)
				}
				break
			}
			v = m["self"]
		}
		if depth != jsontext.MaxDepth { // groups MaxDepth deep, the marker at MaxDepth+1
			t.Errorf("%v: cyclic map written %d deep", f, depth)
		}
		if _, ok := got["loop"]; !ok {
			t.Errorf("%v: self-resolving LogValuer not written", f)
		}
		if f == core.FormatJSON {
			if got["nan"] != "NaN" || got["inf"] != "-Inf" {
				t.Errorf("json: nan = %#v, inf = %#v", got["nan"], got["inf"])
			}
		} else if v, _ := got["nan"].(float64); !math.IsNaN(v) {
			t.Errorf("heka: nan = %#v", got["nan"])
		}
		if s, _ := got["huge"].(string); len(s) != 30000 {
			t.Errorf("%v: huge string has %d bytes", f, len(s))
		}
	}
}

// A record too big for the client's size limit is dropped, counted, and
// reported by Handle; it does not panic or block.
func TestOversize(t *testing.T) {
	for _, f := range metlogtest.Formats {
		c, cp := metlogtest.NewClient(t, f)
		h := NewHandler(c, nil)
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "x", 0)
		r.AddAttrs(slog.String("huge", strings.Repeat("x", 200000)))
		if err := h.Handle(context.Background(), r); !errors.Is(err, core.ErrOversize) {
			t.Errorf("%v: Handle = %v, want ErrOversize", f, err)
		}
		if n := len(metlogtest.Messages(t, c, cp)); n != 0 {
			t.Errorf("%v: %d messages sent", f, n)
		}
		if st := c.Stats(); st.Drops.Oversize != 1 {
			t.Errorf("%v: Drops.Oversize = %d, want 1", f, st.Drops.Oversize)
		}
	}
}
