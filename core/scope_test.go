package core

import (
	"testing"
)

// TestScopeOtherFormat: a scope made for one format and used by an encoder
// of the other gives the same decoded fields as one made for that format,
// from its own copy of the fields: changing the caller's memory after With
// changes nothing.
func TestScopeOtherFormat(t *testing.T) {
	for _, made := range []Format{FormatJSON, FormatHeka} {
		for _, used := range []Format{FormatJSON, FormatHeka} {
			ints := []int64{1, 2}
			name := []byte("name")
			s := NewScope(made).With(Ints("ints", ints), String(string(name), "v")).WithGroup("g").
				With(Group("h", Bool("b", true)), Strings("ss", []string{"x"}))
			ref := NewScope(used).With(Ints("ints", []int64{1, 2}), String("name", "v")).WithGroup("g").
				With(Group("h", Bool("b", true)), Strings("ss", []string{"x"}))
			ints[0], name[0] = 99, 'X'
			enc := mustEncoder(t, used, fixedConfig())
			m := &Message{UUID: testUUID, Type: "t", Scope: s, Fields: []Field{Int("own", 1)}}
			got := mustEncode(t, enc, m)
			m.Scope = ref
			want := mustEncode(t, enc, m)
			if string(got) != string(want) {
				t.Errorf("made %s, used %s:\n got %q\nwant %q", made, used, got, want)
			}
		}
	}
	var zero Scope
	if !zero.Empty() || !(*Scope)(nil).Empty() || !NewScope(FormatHeka).Empty() || NewScope(FormatJSON).WithGroup("g").Empty() {
		t.Error("Empty is wrong for the zero, nil, new or grouped scope")
	}
	out := mustEncode(t, mustEncoder(t, FormatJSON, fixedConfig()), &Message{Type: "t", Scope: &zero})
	if _, err := DecodeJSON(out); err != nil {
		t.Errorf("zero scope: %v", err)
	}
}
