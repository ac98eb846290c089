package router

import (
	"testing"

	"github.com/metlog-go/metlog/core"
)

// BenchmarkMatch measures Match with a few typical routes on a message
// decoded from Heka framing (flat dotted fields) and from the JSON envelope
// (groups).
func BenchmarkMatch(b *testing.B) {
	heka, json := decodedSamples(b)
	for _, bc := range []struct{ name, expr string }{
		{"type", `Type == "db.query"`},
		{"type-severity", `Type == "db.query" && Severity <= 4`},
		{"regexp", `Type =~ /^db\./ && Logger !~ /^test/`},
		{"field", `Fields[http.status] >= 500`},
		{"repeated", `Fields[tags][0][2] == "c"`},
		{"miss", `Fields[absent] != NIL || Hostname == "db-1"`},
		{"route", `Type == "db.query" && Severity <= 4 && Fields[user] =~ /^al/ && Fields[http.status] >= 500`},
	} {
		m := mustParse(b, bc.expr)
		for name, msg := range map[string]*core.Message{"heka": heka, "json": json} {
			b.Run(bc.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.Match(msg)
				}
			})
		}
	}
}

// BenchmarkParseMatcher measures compiling a typical route.
func BenchmarkParseMatcher(b *testing.B) {
	const expr = `Type == "db.query" && Severity <= 4 && Fields[user] =~ /^al/ && Fields[http.status] >= 500`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMatcher(expr); err != nil {
			b.Fatal(err)
		}
	}
}
