package jsontext

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
		{strings.Repeat("[", maxCheckDepth+2) + strings.Repeat("]", maxCheckDepth+2), ``, false},
	} {
		out, ok := AppendRawJSON([]byte("prefix:"), []byte(tc.in), 0)
		if ok != tc.ok {
			t.Errorf("%q: ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && string(out) != "prefix:"+tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, out, "prefix:"+tc.want)
		}
	}
}

// FuzzRawJSON checks AppendRawJSON against encoding/json: it accepts what
// json.Valid accepts (within its depth limit), its output is valid compact
// JSON in valid UTF-8 that nests at most MaxDepth+1 containers that are
// not empty (it starts at depth 0), and equals json.Compact's for valid UTF-8 input that
// nests no deeper than MaxDepth.
func FuzzRawJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}]}`, ` [ 1 , "x" ] `, `"\u0041\n"`, "\"\xff\"", `-1.5e+10`, `{"a" 1}`, `[[[[]]]]`,
		strings.Repeat(`{"a":[`, 20) + "\"\xff\"" + strings.Repeat(`]}`, 20)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		open := bytes.Count(in, []byte("[")) + bytes.Count(in, []byte("{"))
		if open > maxCheckDepth {
			return // beyond our depth limit json.Valid still accepts
		}
		out, ok := AppendRawJSON(nil, in, 0)
		if ok != json.Valid(in) {
			t.Fatalf("%q: ok = %v, json.Valid = %v", in, ok, !ok)
		}
		if !ok {
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("%q: output %q is not valid JSON in UTF-8", in, out)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if n := nesting(v); n > MaxDepth+1 {
			t.Fatalf("%q: output %q nests %d deep", in, out, n)
		}
		if utf8.Valid(in) && open <= MaxDepth {
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

// nesting returns how many containers that are not empty v nests (0 for
// a scalar or an empty object or array): an empty one deeper than MaxDepth
// is kept, as it holds nothing to nest further.
func nesting(v any) int {
	n := 0
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return 0
		}
		for _, e := range v {
			n = max(n, nesting(e))
		}
	case map[string]any:
		if len(v) == 0 {
			return 0
		}
		for _, e := range v {
			n = max(n, nesting(e))
		}
	default:
		return 0
	}
	return n + 1
}

// TestAppendRawJSONDepth: objects and arrays that are not empty and sit
// deeper than MaxDepth are replaced by the marker, counting from the depth
// given; their content is still checked.
func TestAppendRawJSONDepth(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat(`{"a":[`, n) + inner + strings.Repeat(`]}`, n)
	}
	m := `"` + DepthMarker + `"`
	for _, tc := range []struct {
		in    string
		depth int
		want  string
		ok    bool
	}{
		{`[1]`, MaxDepth, `[1]`, true},
		{`[1]`, MaxDepth + 1, m, true},
		{`[]`, MaxDepth + 1, `[]`, true},
		{` { } `, MaxDepth + 5, `{}`, true},
		{`[[1],2]`, MaxDepth, `[` + m + `,2]`, true},
		{`{"k" : [ [ ] , [ "x" ] ] }`, MaxDepth - 1, `{"k":[[],` + m + `]}`, true},
		{`[[1,]]`, MaxDepth, ``, false}, // the replaced part is still checked
		{"[[\"\xff\"],\"\xff\"]", MaxDepth, `[` + m + `,"\ufffd"]`, true},
		{nest(16, `1`), 1, nest(16, `1`), true},
		{nest(16, `[1]`), 1, nest(16, m), true},
		{nest(16, `{}`), 1, nest(16, `{}`), true},
	} {
		out, ok := AppendRawJSON([]byte("p:"), []byte(tc.in), tc.depth)
		if ok != tc.ok || ok && string(out) != "p:"+tc.want {
			t.Errorf("%q at %d: got %q, %v; want %q, %v", tc.in, tc.depth, out, ok, "p:"+tc.want, tc.ok)
		}
	}
}

// TestPlainCompact: the fast way is taken for plain text, and not for
// escapes, non-ASCII text or nesting beyond MaxDepth.
func TestPlainCompact(t *testing.T) {
	for _, tc := range []struct {
		in    string
		depth int
		want  bool
	}{
		{`[{"a":"b c"},1,null]`, 1, true},
		{`"a\"b"`, 1, false},
		{`"é"`, 1, false},
		{"\"\x01\"", 1, false},
		{strings.Repeat("[", 32) + strings.Repeat("]", 32), 1, true},
		{strings.Repeat("[", 33) + strings.Repeat("]", 33), 1, false},
		{`["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]`, 1, true}, // brackets in a string do not nest
		{`[[]]`, MaxDepth, false},
	} {
		if got := PlainCompact([]byte(tc.in), tc.depth); got != tc.want {
			t.Errorf("PlainCompact(%q, %d) = %v, want %v", tc.in, tc.depth, got, tc.want)
		}
	}
}
