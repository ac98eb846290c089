package core

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/valyala/fastjson"
)

// FuzzJSONText: the raw JSON text of a parsed value is the same whether
// fastjson's marshalling is kept (appendJSONOf's fast way) or every value
// is written by the rules, at any depth; for valid input it is valid JSON
// in valid UTF-8, nesting no deeper than MaxDepth.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`[{"a":"b c","d":[1,2.5,null,true]},"\u00e9"]`, `{"k\"":"\x01"}`, "[\"\xff\"]", `"plain"`,
		`[` + strings.Repeat(`{"a":[`, 20) + strings.Repeat(`]}`, 20) + `]`, `{"a":{}}`, `[nan,1e400,-0]`} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, in []byte, depth uint8) {
		d := int(depth%40) + 1
		var p1, p2 fastjson.Parser
		v1, err := p1.ParseBytes(in)
		if err != nil {
			return
		}
		v2, _ := p2.ParseBytes(in)
		fast := appendJSONOf(nil, v1, d)
		rules := appendJSONRules(nil, v2, d)
		if !bytes.Equal(fast, rules) {
			t.Fatalf("%q at depth %d: %q, by the rules %q", in, d, fast, rules)
		}
		if json.Valid(in) {
			if !json.Valid(fast) || !utf8.Valid(fast) {
				t.Fatalf("%q: %q is not valid JSON in UTF-8", in, fast)
			}
			dec := json.NewDecoder(bytes.NewReader(fast))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if n := deepestContainer(v, d); n > jsontext.MaxDepth {
				t.Fatalf("%q at depth %d: %q holds a container that is not empty at depth %d", in, d, fast, n)
			}
		}
	})
}

// deepestContainer returns the depth of the deepest object or array in v
// (at depth d) that is not empty; 0 when there is none.
func deepestContainer(v any, d int) int {
	n := 0
	switch v := v.(type) {
	case []any:
		if len(v) > 0 {
			n = d
		}
		for _, e := range v {
			n = max(n, deepestContainer(e, d+1))
		}
	case map[string]any:
		if len(v) > 0 {
			n = d
		}
		for _, e := range v {
			n = max(n, deepestContainer(e, d+1))
		}
	}
	return n
}
