package metlogtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
)

// Flat values compare decoded messages with what was logged: every field
// is flattened to a dotted name, as Heka writes groups, and every value is
// normalised to one of
//
//	nil, bool, string, Num (a canonical number), []any of those.

// Num is a number in canonical text, so that an int64 from one decoder and
// a float64 or json.Number of the same value from another compare equal.
type Num string

// CanonFloat returns f as a Num: integral values below 2^53 as integers,
// others in shortest 'g' form.
func CanonFloat(f float64) Num {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return Num(strconv.FormatInt(int64(f), 10))
	}
	return Num(strconv.FormatFloat(f, 'g', -1, 64))
}

// CanonNumber returns a json.Number as a Num.
func CanonNumber(n json.Number) Num {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return Num(strconv.FormatInt(i, 10))
	}
	if strings.ContainsAny(string(n), ".eE") {
		if f, err := n.Float64(); err == nil {
			return CanonFloat(f)
		}
	}
	return Num(n)
}

// DecodedFields returns m's fields flattened (see FlattenFields).
func DecodedFields(m *core.Message) map[string]any {
	out := map[string]any{}
	FlattenFields(out, "", m.Fields)
	return out
}

// FlattenFields adds decoded fields to out under prefix: groups as dotted
// names (an unnamed group inline), raw JSON (and strings with
// representation "json") decoded and flattened with FlattenJSON, other
// values normalised.
func FlattenFields(out map[string]any, prefix string, fields []core.Field) {
	for _, f := range fields {
		name := prefix + f.Name
		if f.Kind() == core.KindGroup {
			p := prefix
			if f.Name != "" {
				p = name + "."
			}
			FlattenFields(out, p, f.GroupValue())
			continue
		}
		if f.Kind() == core.KindJSON || f.Representation == "json" {
			raw := f.BytesValue()
			if f.Kind() == core.KindString {
				raw = []byte(f.Str())
			}
			FlattenJSON(out, name, DecodeJSONValue(raw))
			continue
		}
		out[name] = fieldValue(f)
	}
}

func fieldValue(f core.Field) any {
	switch v := f.Value().(type) {
	case string:
		return v
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case int64:
		return Num(strconv.FormatInt(v, 10))
	case uint64:
		return Num(strconv.FormatUint(v, 10))
	case float64:
		return CanonFloat(v)
	case bool:
		return v
	case []string:
		return toList(v, func(s string) any { return s })
	case [][]byte:
		return toList(v, func(b []byte) any { return base64.StdEncoding.EncodeToString(b) })
	case []int64:
		return toList(v, func(i int64) any { return Num(strconv.FormatInt(i, 10)) })
	case []float64:
		return toList(v, func(f float64) any { return CanonFloat(f) })
	case []bool:
		return toList(v, func(b bool) any { return b })
	}
	return fmt.Sprintf("unexpected %T", f.Value())
}

func toList[T any](vs []T, f func(T) any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return out
}

// DecodeJSONValue decodes raw with UseNumber; text that is not JSON comes
// back as a string, as core writes invalid raw JSON.
func DecodeJSONValue(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return string(raw)
	}
	return v
}

// FlattenJSON adds a value decoded by DecodeJSONValue to out under name.
// Objects flatten to dotted names; arrays of scalars of one type stay
// lists; other arrays flatten by index.
func FlattenJSON(out map[string]any, name string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			FlattenJSON(out, name+"."+k, x)
		}
	case []any:
		if scalarList(v) {
			l := make([]any, len(v))
			for i, x := range v {
				l[i] = jsonScalar(x)
			}
			out[name] = l
			return
		}
		for i, x := range v {
			FlattenJSON(out, name+"."+strconv.Itoa(i), x)
		}
	default:
		out[name] = jsonScalar(v)
	}
}

func scalarList(v []any) bool {
	var kind reflect.Type
	for _, x := range v {
		switch x.(type) {
		case map[string]any, []any, nil:
			return false
		}
		if kind != nil && reflect.TypeOf(x) != kind {
			return false
		}
		kind = reflect.TypeOf(x)
	}
	return true
}

func jsonScalar(v any) any {
	if n, ok := v.(json.Number); ok {
		return CanonNumber(n)
	}
	return v
}

// JSONOracle returns what encoding/json makes of v, flattened: the fields
// a conversion of v's top-level members should produce. An empty member
// name becomes "_", core's name for it.
func JSONOracle(t testing.TB, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	out := map[string]any{}
	m, ok := DecodeJSONValue(raw).(map[string]any)
	if !ok {
		t.Fatalf("oracle: %s is not an object", raw)
	}
	for k, x := range m {
		if k == "" {
			k = "_"
		}
		FlattenJSON(out, k, x)
	}
	return out
}

// CompareFlat reports every difference between got and want, prefixed by
// what unless it is empty. Heka decodes a repeated field of one value as
// a scalar, so with loose a scalar matches a list of one; an empty list
// matches an empty list of any type.
func CompareFlat(t testing.TB, what string, got, want map[string]any, loose bool) {
	t.Helper()
	if what != "" {
		what += ": "
	}
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			t.Errorf("%sfield %q missing, want %#v", what, k, w)
		case !wok:
			t.Errorf("%sunexpected field %q = %#v", what, k, g)
		case !reflect.DeepEqual(g, w):
			if l, ok := w.([]any); loose && ok && len(l) == 1 && reflect.DeepEqual(g, l[0]) {
				continue
			}
			if l, ok := w.([]any); ok && len(l) == 0 {
				if gl, ok := g.([]any); ok && len(gl) == 0 {
					continue
				}
			}
			t.Errorf("%sfield %q = %#v, want %#v", what, k, g, w)
		}
	}
}
