package core

import (
	"encoding/json"
	"testing"
)

// TestRawJSONFieldFallback: a RawJSON field that is not one JSON value is
// written as a string, so the envelope stays valid.
func TestRawJSONFieldFallback(t *testing.T) {
	enc := mustEncoder(t, FormatJSON, EncoderConfig{})
	for _, raw := range []string{`{"a":`, "", "1 2", "\"\x01\""} {
		frame := mustEncode(t, enc, &Message{Type: "t", Fields: []Field{RawJSON("r", []byte(raw))}})
		if !json.Valid(frame) {
			t.Fatalf("%q: invalid envelope %q", raw, frame)
		}
		m, err := DecodeJSON(frame)
		if err != nil || len(m.Fields) != 1 || m.Fields[0].Str() != raw {
			t.Fatalf("%q: decoded %v, %s; want the raw text as a string", raw, err, dumpFields(m.Fields))
		}
	}
}
