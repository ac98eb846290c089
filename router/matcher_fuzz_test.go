package router

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// FuzzParseMatcher checks that any expression either fails with a
// *ParseError positioned inside it, or compiles to a Matcher whose String
// is the expression and whose canonical form is no longer, parses, is its
// own canonical form and matches the sample messages as it does; and that
// neither parsing nor matching panics.
func FuzzParseMatcher(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.expr)
	}
	for _, c := range canonicalCases {
		f.Add(c.expr)
	}
	for _, c := range errorCases {
		f.Add(c.expr)
	}
	heka, json := decodedSamples(f)
	samples := []*core.Message{heka, json, {}, {
		Timestamp: time.Unix(0, -1),
		Severity:  core.Debug,
		Fields: []core.Field{
			core.Float("nan", math.NaN()),
			core.Strings("none", nil),
			core.Group("", core.Group("", core.String("deep", "x"))),
			core.Group("a", core.Group("b", core.Int64("c", math.MinInt64))),
			core.String("a.b.c", ""),
		},
	}}
	f.Fuzz(func(t *testing.T, expr string) {
		m, err := ParseMatcher(expr)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseMatcher(%q) error %v is a %T, not a *ParseError", expr, err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(expr) || pe.Line < 1 || pe.Column < 1 || pe.Column > pe.Offset+1 {
				t.Fatalf("ParseMatcher(%q): error position %+v is outside the expression", expr, pe)
			}
			return
		}
		if m.String() != expr {
			t.Fatalf("String() = %q, want %q", m.String(), expr)
		}
		checkCanonical(t, m, samples)
	})
}
