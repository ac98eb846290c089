package core

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendRawJSON(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`{"a": [1, 2.5e-3, -0, true, false, null], "b" : {"c":"d\n"}}`, `{"a":[1,2.5e-3,-0,true,false,null],"b":{"c":"d\n"}}`, true},
		{" \t\n\"x y\"\r\n", `"x y"`, true},
		{`"\u00e9\/\b\f\r\t\\\""`, `"\u00e9\/\b\f\r\t\\\""`, true},
		{"\"bad \xff byte\"", `"bad \ufffd byte"`, true},
		{`[]`, `[]`, true},
		{`{}`, `{}`, true},
		{`0`, `0`, true},
		{``, ``, false},
		{`{`, ``, false},
		{`{"a" 1}`, ``, false},
		{`{"a":1,}`, ``, false},
		{`[1,]`, ``, false},
		{`[1 2]`, ``, false},
		{`01`, ``, false},
		{`1.`, ``, false},
		{`1e`, ``, false},
		{`-`, ``, false},
		{`.5`, ``, false},
		{`tru`, ``, false},
		{`nul`, ``, false},
		{`"\x"`, ``, false},
		{`"\u12"`, ``, false},
		{"\"ctl \x01\"", ``, false},
		{`"open`, ``, false},
		{`{1:2}`, ``, false},
		{`1 2`, ``, false},
		{"\xff", ``, false},
		{strings.Repeat("[", maxJSONDepth+2) + strings.Repeat("]", maxJSONDepth+2), ``, false},
	} {
		out, ok := appendRawJSON([]byte("prefix:"), []byte(tc.in))
		if ok != tc.ok {
			t.Errorf("%q: ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && string(out) != "prefix:"+tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, out, "prefix:"+tc.want)
		}
	}
}

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

// FuzzRawJSON checks appendRawJSON against encoding/json: it accepts what
// json.Valid accepts (within its depth limit), its output is valid compact
// JSON in valid UTF-8, and equals json.Compact's for valid UTF-8 input.
func FuzzRawJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}]}`, ` [ 1 , "x" ] `, `"\u0041\n"`, "\"\xff\"", `-1.5e+10`, `{"a" 1}`, `[[[[]]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.Count(in, []byte("["))+bytes.Count(in, []byte("{")) > maxJSONDepth {
			return // beyond our depth limit json.Valid still accepts
		}
		out, ok := appendRawJSON(nil, in)
		if ok != json.Valid(in) {
			t.Fatalf("%q: ok = %v, json.Valid = %v", in, ok, !ok)
		}
		if !ok {
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("%q: output %q is not valid JSON in UTF-8", in, out)
		}
		if utf8.Valid(in) {
			var want bytes.Buffer
			if err := json.Compact(&want, in); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want.Bytes()) {
				t.Fatalf("%q: got %q, json.Compact gives %q", in, out, want.Bytes())
			}
		}
	})
}
