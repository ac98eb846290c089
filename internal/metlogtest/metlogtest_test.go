package metlogtest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/metlog-go/metlog/core"
)

// recorder is a testing.TB that records Errorf calls instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCompareFlat(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want map[string]any
		loose     bool
		errs      int
	}{
		{"equal", map[string]any{"a": Num("1"), "b": "x"}, map[string]any{"a": Num("1"), "b": "x"}, false, 0},
		{"missing", map[string]any{}, map[string]any{"a": Num("1")}, false, 1},
		{"unexpected", map[string]any{"a": Num("1")}, map[string]any{}, false, 1},
		{"differs", map[string]any{"a": Num("1")}, map[string]any{"a": Num("2")}, false, 1},
		{"scalar for list of one, strict", map[string]any{"a": "x"}, map[string]any{"a": []any{"x"}}, false, 1},
		{"scalar for list of one, loose", map[string]any{"a": "x"}, map[string]any{"a": []any{"x"}}, true, 0},
		{"empty lists", map[string]any{"a": []any{}}, map[string]any{"a": []any{}}, false, 0},
	} {
		r := &recorder{TB: t}
		CompareFlat(r, "w", c.got, c.want, c.loose)
		if len(r.errs) != c.errs {
			t.Errorf("%s: %d errors %q, want %d", c.name, len(r.errs), r.errs, c.errs)
		}
	}
}

func TestCanonNumbers(t *testing.T) {
	for in, want := range map[string]Num{"1": "1", "1.0": "1", "1e3": "1000", "0.1": "0.1", "18446744073709551615": "18446744073709551615"} {
		if got := CanonNumber(json.Number(in)); got != want {
			t.Errorf("CanonNumber(%s) = %s, want %s", in, got, want)
		}
	}
	if got := CanonFloat(2.5); got != "2.5" {
		t.Errorf("CanonFloat(2.5) = %s", got)
	}
}

func TestFlattenAndOracle(t *testing.T) {
	m := &core.Message{Fields: []core.Field{
		core.Group("g", core.Int("i", 3), core.Group("", core.Bool("b", true))),
		core.Ints("is", []int64{1, 2}),
		core.RawJSON("raw", []byte(`{"x":[1,{"y":2}]}`)),
		core.Bytes("by", []byte{1}),
	}}
	want := map[string]any{
		"g.i": Num("3"), "g.b": true, "is": []any{Num("1"), Num("2")},
		"raw.x.0": Num("1"), "raw.x.1.y": Num("2"), "by": "AQ==",
	}
	if got := DecodedFields(m); !reflect.DeepEqual(got, want) {
		t.Errorf("DecodedFields = %#v, want %#v", got, want)
	}
	got := JSONOracle(t, map[string]any{"": 1, "u": User{Name: "n"}, "a": []string{"p", "q"}})
	want = map[string]any{"_": Num("1"), "u.name": "n", "u.email": "", "u.created_at": "0001-01-01T00:00:00Z", "a": []any{"p", "q"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSONOracle = %#v, want %#v", got, want)
	}
}

func TestClientHelpers(t *testing.T) {
	for _, f := range Formats {
		c, capt := NewClient(t, f)
		if err := c.Send(&core.Message{Type: "t", Payload: "p", Fields: []core.Field{core.Group("u", core.String("n", "v"))}}); err != nil {
			t.Fatal(err)
		}
		m := One(t, c, capt)
		if m.Logger != "test" || m.Payload != "p" {
			t.Errorf("%v: logger %q payload %q", f, m.Logger, m.Payload)
		}
		want := "u.n"
		if f == core.FormatJSON {
			want = "u,  n"
		}
		if got := FieldNames(m); got != want {
			t.Errorf("%v: FieldNames %q, want %q", f, got, want)
		}
	}
}
