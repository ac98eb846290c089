package logrusmetlog_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

type stringerStruct struct{ A int }

func (stringerStruct) String() string { return "stringer" }

type ptrStringer struct{ A int }

func (*ptrStringer) String() string { return "ptr-stringer" }

type hasPtrStringer struct {
	P ptrStringer `json:"p"`
}

type panicStringer struct{}

func (panicStringer) String() string { panic("boom") }

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

type omit struct {
	A int       `json:",omitzero"`
	T time.Time `json:"t,omitzero"`
	S []int     `json:"s,omitempty"`
	P *int      `json:"p,omitempty"`
	M string    `json:"m,omitempty"`
}

type holder struct {
	V    any             `json:"v"`
	F    func()          `json:"f"`
	Arr  [2]byte         `json:"arr"`
	Durs []time.Duration `json:"durs"`
}

// TestConversions checks values encoding/json cannot serve as an oracle
// for: methods, panics, cycles, special numbers.
func TestConversions(t *testing.T) {
	cycle := &node{V: 1}
	cycle.Next = cycle
	data := logrus.Fields{
		"stringer":     stringerStruct{A: 1},
		"ptr_addr":     &hasPtrStringer{},                    // addressable: the pointer method runs
		"ptr_value":    hasPtrStringer{P: ptrStringer{A: 3}}, // not addressable: fields, as encoding/json
		"panic_string": panicStringer{},
		"nil_error":    (*panicError)(nil),
		"error_value":  &panicError{msg: "plain"},
		"json_panic":   panicJSON{},
		"json_error":   errJSON{},
		"json_invalid": invalidJSON{},
		"text":         textual{},
		"text_panic":   panicText{},
		"f32":          float32(0.1),
		"complex":      complex(1, 2),
		"chan":         make(chan int),
		"levels":       []logrus.Level{logrus.InfoLevel, logrus.ErrorLevel},
		"anys":         []any{1, "a", nil},
		"map_bool":     map[bool]int{true: 1, false: 0},
		"embedded":     outer{inner: inner{Y: 2, T: t0}, X: 1},
		"omitted":      omit{},
		"kept":         omit{A: 1, M: "m"},
		"holder":       holder{V: oneUser, F: func() {}, Arr: [2]byte{1, 2}, Durs: []time.Duration{1, 2}},
		"bytes_array":  [4]byte{1, 2, 3, 4},
		"uints":        []uint{1, 2},
		"nil_map":      map[string]any(nil),
		"nil_fields":   logrus.Fields(nil),
		"k\xff":        "bad key",
		"cycle":        cycle,
	}
	common := map[string]any{
		"stringer":            "stringer",
		"ptr_addr.p":          "ptr-stringer",
		"ptr_value.p.A":       num("3"),
		"panic_string":        "%!v(PANIC=String method: boom)",
		"nil_error":           "<nil>",
		"error_value":         "plain",
		"json_panic":          "%!v(PANIC=MarshalJSON method: json boom)",
		"json_error":          "%!v(ERROR=MarshalJSON method: no json)",
		"json_invalid":        "{nope",
		"text":                "as text",
		"text_panic":          "%!v(PANIC=MarshalText method: text boom)",
		"f32":                 num("0.1"),
		"complex":             "(1+2i)",
		"chan":                "chan int",
		"levels":              []any{"info", "error"},
		"anys.0":              num("1"),
		"anys.1":              "a",
		"anys.2":              nil,
		"map_bool.false":      num("0"),
		"map_bool.true":       num("1"),
		"embedded.Y":          num("2"),
		"embedded.t":          "2024-05-06T07:08:09.123456789Z",
		"embedded.x":          num("1"),
		"kept.A":              num("1"),
		"kept.m":              "m",
		"holder.v.name":       "Jane Doe",
		"holder.v.email":      "jane@example.com",
		"holder.v.created_at": "2024-05-06T07:08:09.123456789Z",
		"holder.f":            "func()",
		"holder.arr":          "AQI=",
		"holder.durs":         []any{num("1"), num("2")},
		"bytes_array":         "AQIDBA==",
		"uints":               []any{num("1"), num("2")},
		"nil_map":             nil,
		"nil_fields":          nil,
		"k\ufffd":             "bad key",
	}
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := newClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			logger.WithFields(data).Info("conversions")
			got := decodedFields(messages(t, c, capt)[0])
			depth := 0
			for k, v := range got {
				if strings.HasPrefix(k, "cycle.") {
					if v == "<max depth exceeded>" {
						depth = strings.Count(k, "next")
					}
					delete(got, k)
				}
			}
			if depth < 5 || depth > 16 {
				t.Errorf("cycle cut after %d levels", depth)
			}
			compareFlat(t, "conversions", got, common, f == core.FormatHeka)
		})
	}
}

// TestSpecialNumbers: NaN and infinities are strings in JSON and doubles
// in Heka; unsigned integers above MaxInt64 are exact numbers in JSON and
// decimal strings in Heka.
func TestSpecialNumbers(t *testing.T) {
	data := logrus.Fields{"nan": math.NaN(), "inf": math.Inf(1), "ninf": float32(math.Inf(-1)), "big": uint64(math.MaxUint64)}
	want := map[core.Format]map[string]any{
		core.FormatJSON: {"nan": "NaN", "inf": "+Inf", "ninf": "-Inf", "big": num("18446744073709551615")},
		core.FormatHeka: {"nan": num("NaN"), "inf": num("+Inf"), "ninf": num("-Inf"), "big": "18446744073709551615"},
	}
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := newClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			logger.WithFields(data).Info("numbers")
			compareFlat(t, "numbers", decodedFields(messages(t, c, capt)[0]), want[f], false)
		})
	}
}

// A value too big for a message is dropped and counted; logging goes on.
func TestHugeValue(t *testing.T) {
	c, capt := newClient(t, core.FormatJSON, core.WithMaxMessageSize(4096))
	logger := newLogger()
	logger.AddHook(logrusmetlog.NewHook(c))
	logger.WithField("huge", strings.Repeat("x", 1<<20)).Info("huge")
	logger.Info("after")
	msgs := messages(t, c, capt)
	if len(msgs) != 1 || msgs[0].Payload != "after" {
		t.Fatalf("%d messages", len(msgs))
	}
	if st := c.Stats(); st.Drops.Oversize != 1 {
		t.Errorf("oversize drops %d, want 1", st.Drops.Oversize)
	}
}
