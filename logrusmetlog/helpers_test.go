package logrusmetlog_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/sirupsen/logrus"
)

var formats = []core.Format{core.FormatJSON, core.FormatHeka}

// newClient returns a client capturing its messages in format f, closed
// when the test ends.
func newClient(t testing.TB, f core.Format, opts ...core.Option) (*core.Client, *core.Capture) {
	t.Helper()
	capt := core.NewCapture()
	c, err := core.New("", append([]core.Option{core.WithSender(capt), core.WithFormat(f), core.WithLogger("test")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return c, capt
}

// messages flushes c and decodes what it sent.
func messages(t testing.TB, c *core.Client, capt *core.Capture) []*core.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := capt.Messages()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// newLogger returns a logrus logger writing nothing, at Trace level.
func newLogger() *logrus.Logger {
	l := logrus.New()
	l.Out = io.Discard
	l.Level = logrus.TraceLevel
	return l
}

// Flat values compare decoded messages with what was logged: every field
// is flattened to a dotted name, as Heka writes groups, and every value is
// normalised to one of
//
//	nil, bool, string, num (a canonical number), []any of those.
type num string

func canonFloat(f float64) num {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return num(strconv.FormatInt(int64(f), 10))
	}
	return num(strconv.FormatFloat(f, 'g', -1, 64))
}

func canonNumber(n json.Number) num {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return num(strconv.FormatInt(i, 10))
	}
	if strings.ContainsAny(string(n), ".eE") {
		f, err := n.Float64()
		if err == nil {
			return canonFloat(f)
		}
	}
	return num(n)
}

// flattenFields flattens decoded fields.
func flattenFields(out map[string]any, prefix string, fields []core.Field) {
	for _, f := range fields {
		name := prefix + f.Name
		if f.Kind() == core.KindGroup {
			p := prefix
			if f.Name != "" {
				p = name + "."
			}
			flattenFields(out, p, f.GroupValue())
			continue
		}
		if f.Kind() == core.KindJSON || f.Representation == "json" {
			raw := f.BytesValue()
			if f.Kind() == core.KindString {
				raw = []byte(f.Str())
			}
			flattenJSON(out, name, decodeJSONValue(raw))
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
		return num(strconv.FormatInt(v, 10))
	case uint64:
		return num(strconv.FormatUint(v, 10))
	case float64:
		return canonFloat(v)
	case bool:
		return v
	case []string:
		return toList(v, func(s string) any { return s })
	case [][]byte:
		return toList(v, func(b []byte) any { return base64.StdEncoding.EncodeToString(b) })
	case []int64:
		return toList(v, func(i int64) any { return num(strconv.FormatInt(i, 10)) })
	case []float64:
		return toList(v, func(f float64) any { return canonFloat(f) })
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

func decodeJSONValue(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return string(raw) // core writes invalid raw JSON as a string
	}
	return v
}

// flattenJSON flattens a value decoded with UseNumber. Arrays of scalars
// of one type stay lists; other arrays flatten by index.
func flattenJSON(out map[string]any, name string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			flattenJSON(out, name+"."+k, x)
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
			flattenJSON(out, name+"."+strconv.Itoa(i), x)
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
		return canonNumber(n)
	}
	return v
}

// expectedFields is the oracle: the fields an entry should produce,
// derived from the entry by encoding/json (as logrus's JSONFormatter
// writes Data: errors as their text) and from its Caller.
func expectedFields(t testing.TB, e *logrus.Entry) map[string]any {
	t.Helper()
	data := make(map[string]any, len(e.Data))
	for k, v := range e.Data {
		if err, ok := v.(error); ok {
			v = err.Error()
		}
		data[k] = v
	}
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	out := map[string]any{}
	for k, v := range decodeJSONValue(raw).(map[string]any) {
		if k == "" {
			k = "_" // core's name for an empty one
		}
		flattenJSON(out, k, v)
	}
	if c := e.Caller; c != nil {
		out["source.file"] = c.File
		out["source.line"] = num(strconv.Itoa(c.Line))
		out["source.function"] = c.Function
	}
	return out
}

func decodedFields(m *core.Message) map[string]any {
	out := map[string]any{}
	flattenFields(out, "", m.Fields)
	return out
}

// compareFlat reports differences between got and want. Heka decodes a
// repeated field of one value as a scalar, so with loose a scalar matches
// a list of one.
func compareFlat(t testing.TB, what string, got, want map[string]any, loose bool) {
	t.Helper()
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
			t.Errorf("%s: field %q missing, want %#v", what, k, w)
		case !wok:
			t.Errorf("%s: unexpected field %q = %#v", what, k, g)
		case !reflect.DeepEqual(g, w):
			if l, ok := w.([]any); loose && ok && len(l) == 1 && reflect.DeepEqual(g, l[0]) {
				continue
			}
			if l, ok := w.([]any); ok && len(l) == 0 {
				if gl, ok := g.([]any); ok && len(gl) == 0 {
					continue
				}
			}
			t.Errorf("%s: field %q = %#v, want %#v", what, k, g, w)
		}
	}
}

func mustInt(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(num)
	if !ok {
		t.Fatalf("%#v is not a number", v)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return i
}
