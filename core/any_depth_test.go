package core_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// nestedMaps returns n maps, each the value "m" of the one before; the
// innermost holds leaf's members.
func nestedMaps(n int, leaf map[string]any) map[string]any {
	m := leaf
	for range n - 1 {
		m = map[string]any{"m": m}
	}
	return m
}

// sendGrouped adds v as the field k inside the open groups groups, sends
// the entry in format f and returns the decoded fields, flattened.
func sendGrouped(t *testing.T, f core.Format, groups []string, k string, v any) map[string]any {
	t.Helper()
	c, capt := metlogtest.NewClient(t, f)
	e := core.GetEntry()
	for _, g := range groups {
		e.OpenGroup(g)
	}
	e.AddAny(k, v)
	if err := c.SendEntry(e); err != nil {
		t.Fatal(err)
	}
	e.Free()
	return metlogtest.DecodedFields(metlogtest.One(t, c, capt))
}

// depthOf returns the depth of a flattened field name: its number of parts.
func depthOf(name string) int { return strings.Count(name, ".") + 1 }

// checkCut checks that got holds exactly one field deeper than depth
// MaxDepth, the marker, at MaxDepth+1, named want: groups nest MaxDepth
// deep, as jsontext.MaxDepth states for every path.
func checkCut(t *testing.T, what string, got map[string]any, want string) {
	t.Helper()
	if got[want] != jsontext.DepthMarker {
		t.Errorf("%s: %s = %#v, want the marker", what, want, got[want])
	}
	if d := depthOf(want); d != jsontext.MaxDepth+1 {
		t.Fatalf("%s: test wants the marker at depth %d", what, d)
	}
	for k, v := range got {
		if d := depthOf(k); d > jsontext.MaxDepth+1 || d == jsontext.MaxDepth+1 && k != want {
			t.Errorf("%s: field %s = %#v at depth %d", what, k, v, d)
		}
	}
}

// TestAddAnyDepthLimit: a cycle of pointers and a map nested 1,000
// levels deep end in the marker at jsontext.MaxDepth+1, counted from the top
// of the message (also when the value is added inside open groups), in
// both formats, and what is sent decodes.
func TestAddAnyDepthLimit(t *testing.T) {
	cycle := &node{V: 1}
	cycle.Next = cycle
	deep := nestedMaps(1000, map[string]any{"end": true})
	path := func(first, each string, groups ...string) string {
		parts := append(groups, first)
		for len(parts) < jsontext.MaxDepth+1 {
			parts = append(parts, each)
		}
		return strings.Join(parts, ".")
	}
	for _, f := range metlogtest.Formats {
		for _, groups := range [][]string{nil, {"a", "b", "c"}} {
			where := f.String() + " in " + strings.Join(groups, ".")
			got := sendGrouped(t, f, groups, "cycle", cycle)
			for k := range got {
				if strings.HasSuffix(k, ".v") {
					delete(got, k) // the cycle's values, one per level
				}
			}
			checkCut(t, where+": cycle", got, path("cycle", "next", groups...))
			got = sendGrouped(t, f, groups, "deep", deep)
			checkCut(t, where+": map", got, path("deep", "m", groups...))
			if len(got) != 1 {
				t.Errorf("%s: map: %d fields, want the marker alone: %v", where, len(got), got)
			}
		}
	}
}

// TestAddAnyDepthLimitKinds: at depth MaxDepth+1 a value holding others (a
// group, a JSON object or array) is the marker; a single value, and a list
// of scalars (a repeated field, one value), is itself.
func TestAddAnyDepthLimitKinds(t *testing.T) {
	users := []metlogtest.User{{Name: "a"}}
	leaf := map[string]any{
		"int": 5, "str": "s", "bytes": []byte{1}, "time": t0, "nil": nil, "err": errTest("e"),
		"ints": []int{1, 2}, "strs": []string{"a"}, "struct": metlogtest.User{Name: "u"}, "ptr": oneUser,
		"map": map[string]any{"x": 1}, "smap": map[string]string{"x": "y"}, "obj": json.RawMessage(`{"a":1}`),
		"arr": json.RawMessage(` [1]`), "num": json.RawMessage(`3`), "marshal": jsonObject{},
		"named": []uint16{1}, "anys": []any{1}, "empty": []int{}, "users": users, "byptr": []*metlogtest.User{&users[0]},
	}
	// At depth MaxDepth, users holds its elements at MaxDepth+1.
	mid := map[string]any{"users": users, "byptr": []*metlogtest.User{&users[0]}, "ints": []int{1}}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			prefix := strings.Repeat("m.", jsontext.MaxDepth)
			got := sendGrouped(t, f, nil, "m", nestedMaps(jsontext.MaxDepth, leaf))
			want := map[string]any{}
			for k := range leaf {
				want[prefix+k] = jsontext.DepthMarker
			}
			one := metlogtest.Num("1")
			for k, v := range map[string]any{"int": metlogtest.Num("5"), "str": "s", "bytes": "AQ==", "nil": nil,
				"time": "2024-05-06T07:08:09.123456789Z", "err": "e", "num": metlogtest.Num("3"),
				"ints": []any{one, metlogtest.Num("2")}, "strs": []any{"a"}, "named": []any{one}, "empty": []any{}} {
				want[prefix+k] = v
			}
			metlogtest.CompareFlat(t, "leaf", got, want, f == core.FormatHeka)

			prefix = strings.Repeat("m.", jsontext.MaxDepth-1)
			got = sendGrouped(t, f, nil, "m", nestedMaps(jsontext.MaxDepth-1, mid))
			want = map[string]any{prefix + "users.0": jsontext.DepthMarker, prefix + "byptr.0": jsontext.DepthMarker,
				prefix + "ints": []any{metlogtest.Num("1")}}
			metlogtest.CompareFlat(t, "mid", got, want, f == core.FormatHeka)
		})
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

type jsonObject struct{}

func (jsonObject) MarshalJSON() ([]byte, error) { return []byte(`{"a":1}`), nil }
