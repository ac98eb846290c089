package jsontext

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want Number
	}{
		{"0", Number{Kind: NumInt}},
		{"-0", Number{Kind: NumInt}},
		{"42", Number{Kind: NumInt, Int: 42}},
		{"-42", Number{Kind: NumInt, Int: -42}},
		{"9223372036854775807", Number{Kind: NumInt, Int: math.MaxInt64}},
		{"-9223372036854775808", Number{Kind: NumInt, Int: math.MinInt64}},
		{"9223372036854775808", Number{Kind: NumUint, Uint: 1 << 63}},
		{"18446744073709551615", Number{Kind: NumUint, Uint: math.MaxUint64}},
		{"18446744073709551616", Number{Kind: NumFloat, Float: 18446744073709551616}},
		{"-9223372036854775809", Number{Kind: NumFloat, Float: -9223372036854775809}},
		{"123456789012345678901234", Number{Kind: NumFloat, Float: 123456789012345678901234}},
		{"1.5", Number{Kind: NumFloat, Float: 1.5}},
		{"-2.5e-3", Number{Kind: NumFloat, Float: -2.5e-3}},
		{"1E3", Number{Kind: NumFloat, Float: 1000}},
		{"NaN", Number{Kind: NumFloat, Float: math.NaN()}},
		{"-inf", Number{Kind: NumFloat, Float: math.Inf(-1)}},
		{"1-2", Number{}},
		{"-", Number{}},
		{"", Number{}},
		{"1e400", Number{}},
	}
	for _, tc := range cases {
		got := ParseNumber([]byte(tc.in))
		same := got.Kind == tc.want.Kind && got.Int == tc.want.Int && got.Uint == tc.want.Uint &&
			(got.Float == tc.want.Float || math.IsNaN(got.Float) && math.IsNaN(tc.want.Float))
		if !same {
			t.Errorf("ParseNumber(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		_, err := strconv.ParseFloat(tc.in, 64)
		lit := err == nil && tc.in != "" && tc.in != "-" && allDigits([]byte(tc.in)[min(1, len(tc.in)):]) && (tc.in[0] == '-' || tc.in[0] >= '0' && tc.in[0] <= '9')
		if got.IntLiteral != lit {
			t.Errorf("ParseNumber(%q).IntLiteral = %v, want %v", tc.in, got.IntLiteral, lit)
		}
	}
}

// FuzzParseNumber: ParseNumber agrees with strconv on every JSON number.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-9223372036854775808", "18446744073709551616", "1.5e3", "1e400", "-", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) || s[0] != '-' && (s[0] < '0' || s[0] > '9') {
			return // ParseNumber reads JSON numbers
		}
		n := ParseNumber([]byte(s))
		i, ierr := strconv.ParseInt(s, 10, 64)
		u, uerr := strconv.ParseUint(s, 10, 64)
		x, ferr := strconv.ParseFloat(s, 64)
		plain := len(s) > 0 && allDigits([]byte(s)[min(len(s), boolInt(s[0] == '-')):]) && s != "-"
		switch {
		case plain && ierr == nil:
			if n.Kind != NumInt || n.Int != i || !n.IntLiteral {
				t.Fatalf("%q: %+v, want int %d", s, n, i)
			}
		case plain && uerr == nil:
			if n.Kind != NumUint || n.Uint != u || !n.IntLiteral {
				t.Fatalf("%q: %+v, want uint %d", s, n, u)
			}
		case ferr == nil:
			if n.Kind != NumFloat || !(n.Float == x || math.IsNaN(n.Float) && math.IsNaN(x)) || n.IntLiteral != plain {
				t.Fatalf("%q: %+v, want float %v (literal %v)", s, n, x, plain)
			}
		default:
			if n.Kind != NumInvalid {
				t.Fatalf("%q: %+v, want invalid", s, n)
			}
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
