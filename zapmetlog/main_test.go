package zapmetlog_test

import (
	"encoding/json"
	"testing"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fieldMap returns fields by name: groups as nested maps, raw JSON (and
// Heka strings with representation "json") as json.RawMessage, every other
// field as core.Field.Value returns it.
func fieldMap(fields []core.Field) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f.Name] = fieldValue(f)
	}
	return m
}

func fieldValue(f core.Field) any {
	switch {
	case f.Kind() == core.KindGroup:
		return fieldMap(f.GroupValue())
	case f.Kind() == core.KindJSON:
		return json.RawMessage(f.BytesValue())
	case f.Kind() == core.KindString && f.Representation == "json" && !f.Repeated():
		return json.RawMessage(f.Str())
	}
	return f.Value()
}
