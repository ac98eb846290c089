package zerologmetlog

import (
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

type stackErr struct{ msg string }

func (e stackErr) Error() string { return e.msg }

type point struct{ X, Y int }

func (p point) MarshalZerologObject(e *zerolog.Event) { e.Int("x", p.X).Int("y", p.Y) }

type points []point

func (ps points) MarshalZerologArray(a *zerolog.Array) {
	for _, p := range ps {
		a.Object(p)
	}
}

// TestVocabulary logs one event using every kind of zerolog field and
// compares the decoded message, in both wire formats, with the values
// written.
func TestVocabulary(t *testing.T) {
	setGlobal(t, &zerolog.ErrorStackMarshaler, func(err error) any {
		return []map[string]string{
			{"func": "main.f", "line": "12", "source": "main.go"},
			{"func": "main.main", "line": "3", "source": "main.go"},
		}
	})
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	const esc = "q\"b\\s/\n\t\x01 é \u2028 😀 <&>"
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			l := zerolog.New(NewWriter(c))
			start := time.Now()
			ev := l.Warn().
				Str("str", "hello").
				Str("esc", esc).
				Str("", "empty key").
				Int("int", -1).
				Int8("i8", math.MinInt8).
				Int16("i16", math.MinInt16).
				Int32("i32", math.MinInt32).
				Int64("i64", math.MinInt64).
				Int64("i64max", math.MaxInt64).
				Uint("uint", 1).
				Uint8("u8", math.MaxUint8).
				Uint16("u16", math.MaxUint16).
				Uint32("u32", math.MaxUint32).
				Uint64("u64", math.MaxUint64).
				Float32("f32", 1.5).
				Float64("f64", -2.25e-7).
				Float64("fbig", 1e300).
				Float64("fint", 2).
				Float64("nan", math.NaN()).
				Float64("inf", math.Inf(1)).
				Float64("ninf", math.Inf(-1)).
				Bool("yes", true).
				Bool("no", false).
				Time("when", when).
				Times("whens", []time.Time{when, when.Add(time.Second)}).
				Dur("dur", 1500*time.Microsecond).
				Ints("ints", []int{1, -2, 3}).
				Uints64("bigu", []uint64{1, math.MaxUint64}).
				Strs("strs", []string{"a", esc}).
				Floats64("floats", []float64{0.5, 2, -3.25}).
				Bools("bools", []bool{true, false}).
				Errs("errs", []error{errors.New("e1"), errors.New("e2")}).
				Errs("errsnil", []error{errors.New("e1"), nil}).
				Dict("dict", zerolog.Dict().Str("a", "b").Int("n", 7).Dict("inner", zerolog.Dict().Bool("ok", true))).
				Object("obj", point{1, 2}).
				Array("arr", zerolog.Arr().Int(1).Int(2)).
				Array("mixed", zerolog.Arr().Str("a").Int(1)).
				Array("objs", points{{1, 2}, {3, 4}}).
				Array("emptyarr", zerolog.Arr()).
				RawJSON("raw", []byte(`{"k":[1,2],"s":"v\u00e9","n":null}`)).
				Interface("iface", struct {
					A int
					B []string
				}{1, []string{"x", "y"}}).
				Interface("nil", nil).
				Bytes("bytes", []byte("xyz")).
				Hex("hex", []byte{0xde, 0xad}).
				Stack().
				Err(stackErr{"boom"})
			ev.Caller().Msg("the message")
			_, file, line, _ := runtime.Caller(0)
			line--

			m := metlogtest.One(t, c, capt)
			if m.Type != core.TypeOldstyle || m.Severity != core.Warning || m.Payload != "the message" {
				t.Errorf("type %q severity %d payload %q, want oldstyle, 4, %q", m.Type, m.Severity, m.Payload, "the message")
			}
			if m.Timestamp.Before(start.Truncate(time.Microsecond)) || m.Timestamp.After(time.Now()) {
				t.Errorf("timestamp %v, want the time of the call (%v)", m.Timestamp, start)
			}
			u64 := any(uint64(math.MaxUint64))
			if f == core.FormatHeka {
				u64 = "18446744073709551615" // Heka integers are signed
			}
			want := map[string]any{
				"str":           "hello",
				"esc":           esc,
				"_":             "empty key",
				"int":           int64(-1),
				"i8":            int64(math.MinInt8),
				"i16":           int64(math.MinInt16),
				"i32":           int64(math.MinInt32),
				"i64":           int64(math.MinInt64),
				"i64max":        int64(math.MaxInt64),
				"uint":          int64(1),
				"u8":            int64(math.MaxUint8),
				"u16":           int64(math.MaxUint16),
				"u32":           int64(math.MaxUint32),
				"u64":           u64,
				"f32":           1.5,
				"f64":           -2.25e-7,
				"fbig":          1e300,
				"fint":          int64(2), // zerolog writes 2, an integer literal
				"nan":           "NaN",    // zerolog writes non-finite floats as strings
				"inf":           "+Inf",
				"ninf":          "-Inf",
				"yes":           true,
				"no":            false,
				"when":          "2024-05-06T07:08:09Z",
				"whens":         []string{"2024-05-06T07:08:09Z", "2024-05-06T07:08:10Z"},
				"dur":           1.5, // milliseconds, zerolog's DurationFieldUnit
				"ints":          []int64{1, -2, 3},
				"bigu":          jsonText(`[1,18446744073709551615]`),
				"strs":          []string{"a", esc},
				"floats":        []float64{0.5, 2, -3.25},
				"bools":         []bool{true, false},
				"errs":          []string{"e1", "e2"},
				"errsnil":       jsonText(`["e1",null]`),
				"dict.a":        "b",
				"dict.n":        int64(7),
				"dict.inner.ok": true,
				"obj.x":         int64(1),
				"obj.y":         int64(2),
				"arr":           []int64{1, 2},
				"mixed":         jsonText(`["a",1]`),
				"objs":          jsonText(`[{"x":1,"y":2},{"x":3,"y":4}]`),
				"emptyarr":      jsonText(`[]`),
				"raw.k":         []int64{1, 2},
				"raw.s":         "vé",
				"raw.n":         jsonText(`null`),
				"iface.A":       int64(1),
				"iface.B":       []string{"x", "y"},
				"nil":           jsonText(`null`),
				"bytes":         "xyz",
				"hex":           "dead",
				"error":         "boom",
				"stacktrace":    jsonText(`[{"func":"main.f","line":"12","source":"main.go"},{"func":"main.main","line":"3","source":"main.go"}]`),
				"source.file":   file,
				"source.line":   int64(line),
			}
			metlogtest.CompareFlat(t, "", flat(m.Fields), want, false)
		})
	}
}
