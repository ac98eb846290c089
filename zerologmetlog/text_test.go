package zerologmetlog

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want number
	}{
		{"0", number{kind: numInt}},
		{"-0", number{kind: numInt}},
		{"42", number{kind: numInt, i: 42}},
		{"-42", number{kind: numInt, i: -42}},
		{"9223372036854775807", number{kind: numInt, i: math.MaxInt64}},
		{"-9223372036854775808", number{kind: numInt, i: math.MinInt64}},
		{"9223372036854775808", number{kind: numUint, u: 1 << 63}},
		{"18446744073709551615", number{kind: numUint, u: math.MaxUint64}},
		{"18446744073709551616", number{kind: numFloat, f: 18446744073709551616}},
		{"-9223372036854775809", number{kind: numFloat, f: -9223372036854775809}},
		{"123456789012345678901234", number{kind: numFloat, f: 123456789012345678901234}},
		{"1.5", number{kind: numFloat, f: 1.5}},
		{"-2.5e-3", number{kind: numFloat, f: -2.5e-3}},
		{"1E3", number{kind: numFloat, f: 1000}},
		{"NaN", number{kind: numFloat, f: math.NaN()}},
		{"-inf", number{kind: numFloat, f: math.Inf(-1)}},
		{"1-2", number{}},
		{"-", number{}},
		{"", number{}},
	}
	for _, tc := range cases {
		got := parseNumber([]byte(tc.in))
		same := got.kind == tc.want.kind && got.i == tc.want.i && got.u == tc.want.u &&
			(got.f == tc.want.f || math.IsNaN(got.f) && math.IsNaN(tc.want.f))
		if !same {
			t.Errorf("parseNumber(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestParseRFC3339 compares parseRFC3339 with time.Parse.
func TestParseRFC3339(t *testing.T) {
	inputs := []string{
		"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.1Z", "2024-05-06T07:08:09.123456789Z",
		"2024-05-06T07:08:09.1234567891Z", "2024-05-06T07:08:09+05:30", "2024-05-06T07:08:09.5-07:00",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T23:59:59Z",
		"2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
		"2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00",
		"2024-01-01T00:00:00.Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0100",
		"2024-01-01T00:00:00ZZ", "24-01-01T00:00:00Z", "2024-01-01T00:00:0xZ", "0001-01-01T00:00:00Z",
		"0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z", "0000-03-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
	}
	for _, in := range inputs {
		want, err := time.Parse(time.RFC3339Nano, in)
		got, ok := parseRFC3339(in)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Errorf("parseRFC3339(%q) = %v, %v; time.Parse: %v, %v", in, got, ok, want, err)
		}
	}
	// And on what zerolog writes for random times in several zones.
	r := rand.New(rand.NewPCG(3, 4))
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -(9*3600 + 30*60))}
	for i := 0; i < 1000; i++ {
		at := time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9)).In(zones[i%len(zones)])
		for _, layout := range []string{time.RFC3339, time.RFC3339Nano} {
			s := at.Format(layout)
			want, _ := time.Parse(layout, s)
			if got, ok := parseRFC3339(s); !ok || !got.Equal(want) {
				t.Errorf("parseRFC3339(%q) = %v, %v; want %v", s, got, ok, want)
			}
		}
	}
}

func TestParseLevelNumbers(t *testing.T) {
	for _, n := range []int{-128, -5, 0, 6, 127} {
		if l, ok := parseLevel(strconv.Itoa(n)); !ok || int(l) != n {
			t.Errorf("parseLevel(%d) = %d, %v", n, l, ok)
		}
	}
	for _, s := range []string{"128", "-129", "", "1.0", "x"} {
		if _, ok := parseLevel(s); ok {
			t.Errorf("parseLevel(%q) succeeded", s)
		}
	}
}
