package core

import (
	"fmt"
	"testing"
	"time"
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

// TestFieldString: fields print readably with %v.
func TestFieldString(t *testing.T) {
	for _, c := range []struct {
		f    Field
		want string
	}{
		{String("s", "a b"), "s=a b"},
		{Int("i", -3), "i=-3"},
		{Uint64("u", 1<<63), "u=9223372036854775808"},
		{Float("f", 0.5), "f=0.5"},
		{Bool("b", true), "b=true"},
		{Bytes("x", []byte{1, 2}), "x=AQI="},
		{RawJSON("j", []byte(`{"a":[1]}`)), `j={"a":[1]}`},
		{Time("t", time.Unix(1, 5e8)), "t=1970-01-01T00:00:01.5Z"},
		{Ints("is", []int64{1, 2}), "is=[1 2]"},
		{Strings("ss", []string{"a", "b"}), "ss=[a b]"},
		{Group("g", Int("a", 1), Group("h", Bool("b", false))), "g={a=1 h={b=false}}"},
		{String("", "v"), "_=v"},
	} {
		if got := fmt.Sprintf("%v", c.f); got != c.want {
			t.Errorf("%%v = %q, want %q", got, c.want)
		}
	}
}
