package zerologmetlog

import (
	"io"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/rs/zerolog"
)

// jsonText marks a raw JSON value: core.RawJSON in the JSON envelope, a
// string with representation "json" in Heka.
type jsonText string

// flat returns the fields by dotted name (JSON decoding nests groups, Heka
// decoding gives dotted names already), their values normalised by norm.
// A repeated name collects its values in a []any.
func flat(fields []core.Field) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, fs []core.Field)
	walk = func(prefix string, fs []core.Field) {
		for _, f := range fs {
			name := prefix + f.Name
			if f.Kind() == core.KindGroup {
				walk(name+".", f.GroupValue())
				continue
			}
			v := norm(f)
			if old, ok := out[name]; ok {
				if l, ok := old.([]any); ok {
					out[name] = append(l, v)
				} else {
					out[name] = []any{old, v}
				}
				continue
			}
			out[name] = v
		}
	}
	walk("", fields)
	return out
}

func norm(f core.Field) any {
	switch {
	case f.Kind() == core.KindJSON:
		return jsonText(f.BytesValue())
	case f.Kind() == core.KindString && f.Representation == "json":
		return jsonText(f.Str())
	}
	return f.Value()
}

// plainWriter hides Writer's WriteLevel, so that zerolog calls Write.
type plainWriter struct{ io.Writer }

// setGlobal sets a zerolog package variable for the test's duration.
func setGlobal[T any](t *testing.T, p *T, v T) {
	old := *p
	*p = v
	t.Cleanup(func() { *p = old })
}

// lg makes a logger addressable, for one-line calls.
func lg(l zerolog.Logger) *zerolog.Logger { return &l }
