package core_test

import (
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// Tests of Entry.AddAny, the conversion of arbitrary values the adapters
// share. Each value is added to an entry, sent in both formats through a
// Capture and decoded; the decoded fields are flattened to dotted names
// (as Heka writes groups) and compared with what was expected, or with
// what encoding/json makes of the same value.

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

var oneUser = &metlogtest.User{Name: "Jane Doe", Email: "jane@example.com", CreatedAt: t0}

// named is a string-keyed map of another name, as logrus.Fields is.
type named map[string]any

// addAll adds values (sorted by key) to an entry, sends it with a capture
// client in format f and returns the decoded message.
func addAll(t *testing.T, f core.Format, values map[string]any) *core.Message {
	t.Helper()
	c, capt := metlogtest.NewClient(t, f)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e := core.GetEntry()
	e.Payload = "any"
	for _, k := range keys {
		e.AddAny(k, values[k])
	}
	if err := c.SendEntry(e); err != nil {
		t.Fatal(err)
	}
	e.Free()
	return metlogtest.One(t, c, capt)
}

// TestAddAnyMatchesEncodingJSON checks structs, maps, slices and scalars
// against encoding/json, the oracle for every value without methods.
func TestAddAnyMatchesEncodingJSON(t *testing.T) {
	values := map[string]any{
		"req": named{"method": "GET", "status": 200, "hdr": map[string]any{"ua": "x/1", "n": 2.5}},
		"by_value": metlogtest.Audit{By: oneUser, At: t0, Note: "n", Skip: "s", Took: time.Second,
			Tags: []string{"a"}, Raw: json.RawMessage(`{"a":[1,2]}`), Base: metlogtest.Base{ID: 7, Kind: "k"}}.WithHidden("h"),
		"by_ptr": &metlogtest.Audit{At: t0, Tags: []string{}, Raw: json.RawMessage(`"x"`)},
		"bytes":  []byte{0, 1, 2, 255}, "dur": 1500 * time.Millisecond, "f32": float32(0.1), "f64": 2.5,
		"neg": -7, "u8": uint8(200), "u64": uint64(1 << 40), "bad": "a\xffb\x00c\"", "nilval": nil,
		"nilptr": (*metlogtest.User)(nil), "arr": [3]int{1, 2, 3}, "grid": [][]int{{1, 2}, {3}},
		"m_int": map[int]string{2: "b", 1: "a"}, "m_si": map[string]int{"x": 1, "y": -1},
		"ms": map[string]string{"k": "v", "a": "b"}, "empty": []string{}, "raw": json.RawMessage(`{"a":[1,2]}`),
		"bools": []bool{true, false}, "floats": []float64{1.5, -2}, "i64s": []int64{-1, 1 << 40},
		"bs": [][]byte{{1}, {2, 3}}, "": "empty key", "named": []uint16{1, 2},
		"users_by_value": []metlogtest.User{*oneUser, {Name: "b"}},
		"users_by_ptr":   []*metlogtest.User{oneUser, oneUser},
		"nil_b":          []byte(nil),
		"nil_i":          []int(nil),
		"nil_t":          []time.Time(nil),
		"users_with_nil": []*metlogtest.User{oneUser, nil},
		"user_array":     [2]metlogtest.User{*oneUser},
		"omit_ptr":       &metlogtest.Omit{A: 0, S: []int{1}, M: "m"},
		"omit_zero_ptr":  &metlogtest.Omit{},
		"nested_named":   &struct{ F named }{F: named{"b": 1, "a": map[string]string{"y": "1", "x": "2"}}},
		"all_scalars":    &metlogtest.Scalars{I8: -8, I16: -16, I32: -32, I64: -64, U: 1, U8: 8, U16: 16, U32: 32, U64: 64, UP: 7, F32: 0.25, F64: -1.5, B: true, D: time.Millisecond, T: t0, S: "s", N: metlogtest.Level(3)},
		"all_zero":       &metlogtest.Scalars{},
		"times":          []time.Time{t0, t0.Add(time.Second), {}},
		"ints":           []int{0, 1, 2},
	}
	want := metlogtest.JSONOracle(t, values)
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			metlogtest.CompareFlat(t, "", metlogtest.DecodedFields(addAll(t, f, values)), want, f == core.FormatHeka)
		})
	}
}

type stringerStruct struct{ A int }

func (stringerStruct) String() string { return "stringer" }

type ptrStringer struct{ A int }

func (*ptrStringer) String() string { return "ptr-stringer" }

// derefStringer's String reads its receiver: it panics on a nil pointer.
type derefStringer struct{ s string }

func (d *derefStringer) String() string { return d.s }

type hasPtrStringer struct {
	P ptrStringer `json:"p"`
}

type panicStringer struct{ p any }

func (p panicStringer) String() string { panic(p.p) }

type panicError struct{ msg string }

func (e *panicError) Error() string { return e.msg } // panics on a nil pointer

type panicJSON struct{}

func (panicJSON) MarshalJSON() ([]byte, error) { panic("json boom") }

type errJSON struct{}

func (errJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("no json") }

type invalidJSON struct{}

func (invalidJSON) MarshalJSON() ([]byte, error) { return []byte("{nope"), nil }

type textual struct{}

func (textual) MarshalText() ([]byte, error) { return []byte("as text"), nil }

type panicText struct{}

func (panicText) MarshalText() ([]byte, error) { panic(errors.New("text boom")) }

// marshalErr is an error that is also a json.Marshaler: MarshalJSON wins,
// as with encoding/json and slog's JSON handler.
type marshalErr struct{}

func (marshalErr) Error() string                { return "as error" }
func (marshalErr) MarshalJSON() ([]byte, error) { return []byte(`"as json"`), nil }

// color is an integer type with a String method.
type color int

func (c color) String() string { return [...]string{"red", "green"}[c] }

type node struct {
	V    int   `json:"v"`
	Next *node `json:"next"`
}

type inner struct {
	Y int
	T time.Time `json:"t"`
}

type outer struct {
	inner
	X int `json:"x"`
}

type holder struct {
	V    any             `json:"v"`
	F    func()          `json:"f"`
	Arr  [2]byte         `json:"arr"`
	Durs []time.Duration `json:"durs"`
}

// TestAddAnyConversions checks values encoding/json cannot serve as an
// oracle for: methods, panics, cycles, special values.
func TestAddAnyConversions(t *testing.T) {
	cycle := &node{V: 1}
	cycle.Next = cycle
	cyclic := map[string]any{}
	inZone := t0.In(time.FixedZone("X", 3600)).Add(-time.Hour)
	cyclic["self"] = cyclic
	values := map[string]any{
		"stringer":     stringerStruct{A: 1},
		"ptr_addr":     &hasPtrStringer{},                    // addressable: the pointer method runs
		"ptr_value":    hasPtrStringer{P: ptrStringer{A: 3}}, // not addressable: fields, as encoding/json
		"panic_string": panicStringer{"boom"},
		"panic_nil":    panicStringer{nil},
		"nil_error":    (*panicError)(nil),
		"nil_stringer": (*derefStringer)(nil),
		"error_value":  &panicError{msg: "plain"},
		"errors":       []error{errors.New("a"), (*panicError)(nil)},
		"json_panic":   panicJSON{},
		"json_error":   errJSON{},
		"json_invalid": invalidJSON{},
		"marshal_err":  marshalErr{},
		"text":         textual{},
		"text_panic":   panicText{},
		"f32":          float32(0.1),
		"complex":      complex(1, 2),
		"chan":         make(chan int),
		"colors":       []color{0, 1},
		"anys":         []any{1, "a", nil},
		"map_bool":     map[bool]int{true: 1, false: 0},
		"embedded":     outer{inner: inner{Y: 2, T: t0}, X: 1},
		"omitted":      metlogtest.Omit{},
		"kept":         metlogtest.Omit{A: 1, M: "m"},
		"holder":       holder{V: oneUser, F: func() {}, Arr: [2]byte{1, 2}, Durs: []time.Duration{1, 2}},
		"bytes_array":  [4]byte{1, 2, 3, 4},
		"uints":        []uint{1, 2},
		"big_uints":    []uint64{1, math.MaxUint64},
		"nil_map":      map[string]any(nil),
		"nil_named":    named(nil),
		"k\xff":        "bad key",
		"zero_time":    time.Time{},
		"time_ptr":     &inZone,
		"nil_time_ptr": (*time.Time)(nil),
		"cycle":        cycle,
		"cyclic":       cyclic,
	}
	want := map[string]any{
		"stringer":            "stringer",
		"ptr_addr.p":          "ptr-stringer",
		"ptr_value.p.A":       metlogtest.Num("3"),
		"panic_string":        "%!v(PANIC=String method: boom)",
		"panic_nil":           "%!v(PANIC=String method: panic called with nil argument)",
		"nil_error":           "<nil>",
		"nil_stringer":        "<nil>",
		"error_value":         "plain",
		"errors":              []any{"a", "<nil>"},
		"json_panic":          "%!v(PANIC=MarshalJSON method: json boom)",
		"json_error":          "%!v(ERROR=MarshalJSON method: no json)",
		"json_invalid":        "{nope",
		"marshal_err":         "as json",
		"text":                "as text",
		"text_panic":          "%!v(PANIC=MarshalText method: text boom)",
		"f32":                 metlogtest.Num("0.1"),
		"complex":             "(1+2i)",
		"chan":                "chan int",
		"colors":              []any{"red", "green"},
		"anys.0":              metlogtest.Num("1"),
		"anys.1":              "a",
		"anys.2":              nil,
		"map_bool.false":      metlogtest.Num("0"),
		"map_bool.true":       metlogtest.Num("1"),
		"embedded.Y":          metlogtest.Num("2"),
		"embedded.t":          "2024-05-06T07:08:09.123456789Z",
		"embedded.x":          metlogtest.Num("1"),
		"kept.A":              metlogtest.Num("1"),
		"kept.m":              "m",
		"holder.v.name":       "Jane Doe",
		"holder.v.email":      "jane@example.com",
		"holder.v.created_at": "2024-05-06T07:08:09.123456789Z",
		"holder.f":            "func()",
		"holder.arr":          "AQI=",
		"holder.durs":         []any{metlogtest.Num("1"), metlogtest.Num("2")},
		"bytes_array":         "AQIDBA==",
		"uints":               []any{metlogtest.Num("1"), metlogtest.Num("2")},
		"big_uints.0":         metlogtest.Num("1"),
		"big_uints.1":         metlogtest.Num("18446744073709551615"),
		"nil_map":             nil,
		"nil_named":           nil,
		"k\ufffd":             "bad key",
		"zero_time":           "0001-01-01T00:00:00Z",
		"time_ptr":            "2024-05-06T06:08:09.123456789Z",
		"nil_time_ptr":        nil,
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			got := metlogtest.DecodedFields(addAll(t, f, values))
			for _, prefix := range []string{"cycle.", "cyclic."} {
				depth := 0
				for k, v := range got {
					if strings.HasPrefix(k, prefix) {
						if v == "<max depth exceeded>" {
							depth = strings.Count(k, ".")
						}
						delete(got, k)
					}
				}
				// The marker is the field at jsontext.MaxDepth+1 (groups
				// nest MaxDepth deep): its dotted name has MaxDepth+1
				// parts. (This test checked for the earlier limit of 16
				// levels, counted from the value rather than the message,
				// which the one limit replaced.)
				if depth != jsontext.MaxDepth {
					t.Errorf("%s cut after %d levels, want %d", prefix, depth, jsontext.MaxDepth)
				}
			}
			// Heka writes a big unsigned number as its decimal string.
			if f == core.FormatHeka && got["big_uints.1"] == "18446744073709551615" {
				got["big_uints.1"] = metlogtest.Num("18446744073709551615")
			}
			metlogtest.CompareFlat(t, "", got, want, f == core.FormatHeka)
		})
	}
}

// TestAddAnySpecialNumbers: NaN and infinities are strings in JSON and
// doubles in Heka; unsigned integers above MaxInt64 are exact numbers in
// JSON and decimal strings in Heka.
func TestAddAnySpecialNumbers(t *testing.T) {
	values := map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "ninf": float32(math.Inf(-1)), "big": uint64(math.MaxUint64)}
	want := map[core.Format]map[string]any{
		core.FormatJSON: {"nan": "NaN", "inf": "+Inf", "ninf": "-Inf", "big": metlogtest.Num("18446744073709551615")},
		core.FormatHeka: {"nan": metlogtest.Num("NaN"), "inf": metlogtest.Num("+Inf"), "ninf": metlogtest.Num("-Inf"), "big": "18446744073709551615"},
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			metlogtest.CompareFlat(t, "", metlogtest.DecodedFields(addAll(t, f, values)), want[f], false)
		})
	}
}

// TestAddAnyShape checks the shape of groups: nested objects in JSON,
// dotted names in Heka, struct fields in declaration order, map keys
// sorted.
func TestAddAnyShape(t *testing.T) {
	values := map[string]any{
		"user": oneUser,
		"m":    map[string]any{"z": 1, "a": 2, "m": 3},
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			want := "m.a,m.m,m.z,user.name,user.email,user.created_at"
			if f == core.FormatJSON {
				want = "m,  a,  m,  z,user,  name,  email,  created_at"
			}
			if got := metlogtest.FieldNames(addAll(t, f, values)); got != want {
				t.Errorf("fields %s, want %s", got, want)
			}
		})
	}
}

// TestAddError: an error's text even when it has a MarshalJSON method (as
// logrus's formatters write errors), panics as AddAny writes them, nil as
// null.
func TestAddError(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			e := core.GetEntry()
			e.AddError("a", marshalErr{})
			e.AddError("b", (*panicError)(nil))
			e.AddError("c", nil)
			e.AddError("d", errors.New("plain"))
			if err := c.SendEntry(e); err != nil {
				t.Fatal(err)
			}
			e.Free()
			want := map[string]any{"a": "as error", "b": "<nil>", "c": nil, "d": "plain"}
			metlogtest.CompareFlat(t, "", metlogtest.DecodedFields(metlogtest.One(t, c, capt)), want, false)
		})
	}
}
