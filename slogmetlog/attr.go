package slogmetlog

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"time"

	"github.com/metlog-go/metlog/core"
)

// maxDepth bounds the nesting of groups, maps and LogValuers, so that a
// value that contains itself ends in a marker instead of a stack overflow.
const maxDepth = 32

// badKey is the key slog gives a value passed without one
// (slog.Error("failed", err)).
const badKey = "!BADKEY"

var jsonNull = []byte("null")

// addAttr resolves a, applies ReplaceAttr and adds the result to e. groups
// are the names of the groups enclosing a, for ReplaceAttr.
func (h *Handler) addAttr(e *core.Entry, a slog.Attr, groups []string, depth int) {
	k := a.Value.Kind()
	if k == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
		k = a.Value.Kind()
	}
	if h.replace != nil && k != slog.KindGroup {
		a = h.replace(groups, a)
		a.Value = a.Value.Resolve()
		k = a.Value.Kind()
	}
	h.addResolved(e, a, k, groups, depth)
}

// addResolved adds a resolved attribute of kind k to e.
func (h *Handler) addResolved(e *core.Entry, a slog.Attr, k slog.Kind, groups []string, depth int) {
	if k != slog.KindGroup {
		if k == slog.KindAny && a.Key == "" && a.Value.Any() == nil {
			return // the empty Attr
		}
		addValue(e, a.Key, a.Value, k, depth)
		return
	}
	members := a.Value.Group()
	if len(members) == 0 {
		return
	}
	if depth >= maxDepth {
		e.Add(core.String(a.Key, "!ERROR: nested too deeply"))
		return
	}
	if a.Key == "" { // slog's rule: inline the members
		for _, m := range members {
			h.addAttr(e, m, groups, depth+1)
		}
		return
	}
	e.OpenGroup(a.Key)
	if h.replace != nil {
		groups = extendPath(e, groups, a.Key)
	}
	for _, m := range members {
		h.addAttr(e, m, groups, depth+1)
	}
	e.CloseGroup(true)
}

// isEmpty reports whether a is the zero Attr, which slog handlers ignore.
func isEmpty(a slog.Attr) bool {
	return a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil
}

// extendPath returns groups followed by name, in e's scratch memory so that
// ReplaceAttr's group path costs no allocation.
func extendPath(e *core.Entry, groups []string, name string) []string {
	mark := e.StringsMark()
	for _, g := range groups {
		e.PushString(g)
	}
	e.PushString(name)
	return e.StringsSince(mark)
}

// addValue adds a field named key holding the resolved value v of kind k.
func addValue(e *core.Entry, key string, v slog.Value, k slog.Kind, depth int) {
	switch k {
	case slog.KindString:
		e.Add(core.String(key, v.String()))
	case slog.KindInt64:
		e.Add(core.Int(key, v.Int64()))
	case slog.KindUint64:
		e.Add(core.Uint(key, v.Uint64()))
	case slog.KindFloat64:
		e.Add(core.Float(key, v.Float64()))
	case slog.KindBool:
		e.Add(core.Bool(key, v.Bool()))
	case slog.KindDuration:
		e.Add(core.Duration(key, v.Duration()))
	case slog.KindTime:
		e.Add(core.Time(key, v.Time()))
	case slog.KindAny:
		addAny(e, key, v.Any(), depth)
	case slog.KindLogValuer:
		v = v.Resolve()
		addValue(e, key, v, v.Kind(), depth+1)
	case slog.KindGroup:
		// A group value inside a map or slice: no ReplaceAttr there.
		if depth >= maxDepth {
			e.Add(core.String(key, "!ERROR: nested too deeply"))
			return
		}
		if key != "" {
			e.OpenGroup(key)
		}
		for _, m := range v.Group() {
			m.Value = m.Value.Resolve()
			if !isEmpty(m) {
				addValue(e, m.Key, m.Value, m.Value.Kind(), depth+1)
			}
		}
		if key != "" {
			e.CloseGroup(true)
		}
	}
}

// addAny adds a field for a value of slog.KindAny: the common types
// without reflection, the rest through json.Marshal.
func addAny(e *core.Entry, key string, x any, depth int) {
	switch v := x.(type) {
	case nil:
		e.Add(core.RawJSON(key, jsonNull))
	case []byte:
		e.Add(core.Bytes(key, v))
	case []string:
		e.Add(core.Strings(key, v))
	case []int64:
		e.Add(core.Ints(key, v))
	case []float64:
		e.Add(core.Floats(key, v))
	case []bool:
		e.Add(core.Bools(key, v))
	case []int:
		mark := e.IntsMark()
		for _, n := range v {
			e.PushInt(int64(n))
		}
		e.Add(core.Ints(key, e.IntsSince(mark)))
	case []time.Time:
		mark := e.StringsMark()
		for _, t := range v {
			tm := e.TextMark()
			e.AppendText(func(dst []byte) []byte { return t.UTC().AppendFormat(dst, time.RFC3339Nano) })
			e.PushString(e.TextSince(tm))
		}
		e.Add(core.Strings(key, e.StringsSince(mark)))
	case []time.Duration:
		mark := e.IntsMark()
		for _, d := range v {
			e.PushInt(int64(d))
		}
		e.Add(core.Ints(key, e.IntsSince(mark)).WithRepresentation("ns"))
	case map[string]string:
		keys := sortedKeys(e, v)
		e.OpenGroup(key)
		for _, k := range keys {
			e.Add(core.String(k, v[k]))
		}
		e.CloseGroup(false)
	case map[string]any:
		if depth >= maxDepth {
			e.Add(core.String(key, "!ERROR: nested too deeply"))
			return
		}
		keys := sortedKeys(e, v)
		e.OpenGroup(key)
		for _, k := range keys {
			mv := slog.AnyValue(v[k])
			addValue(e, k, mv, mv.Kind(), depth+1)
		}
		e.CloseGroup(false)
	case json.Marshaler:
		// Before error and Stringer, as slog's JSON handler does.
		b, p, err := callMarshalJSON(v)
		addMarshaled(e, key, x, b, p, err)
	case error:
		if key == "" || key == badKey {
			key = "error"
		}
		s, p := callError(v)
		addText(e, key, x, s, p)
	case fmt.Stringer:
		s, p := callString(v)
		addText(e, key, x, s, p)
	default:
		b, p, err := marshalJSON(x)
		addMarshaled(e, key, x, b, p, err)
	}
}

// sortedKeys returns m's keys, sorted, in e's scratch memory.
func sortedKeys[V any](e *core.Entry, m map[string]V) []string {
	mark := e.StringsMark()
	for k := range m {
		e.PushString(k)
	}
	keys := e.StringsSince(mark)
	slices.Sort(keys)
	return keys
}

// addText adds the result of an Error or String method, or the text of its
// panic as slog's own handlers write it.
func addText(e *core.Entry, key string, x any, s string, p any) {
	if p != nil {
		e.Add(core.String(key, panicText(e, x, p)))
		return
	}
	e.Add(core.String(key, s))
}

// addMarshaled adds JSON produced by MarshalJSON or json.Marshal, or the
// error or panic that prevented it.
func addMarshaled(e *core.Entry, key string, x any, b []byte, p any, err error) {
	switch {
	case p != nil:
		e.Add(core.String(key, panicText(e, x, p)))
	case err != nil:
		mark := e.TextMark()
		e.AppendTextString("!ERROR: ")
		e.AppendTextString(err.Error())
		e.Add(core.String(key, e.TextSince(mark)))
	default:
		// The JSON envelope writes invalid JSON as a string.
		e.Add(core.RawJSON(key, b))
	}
}

// panicText is what slog's handlers write for a value whose method
// panicked: "<nil>" for a nil pointer receiver, else "!PANIC: " and the
// panic value.
func panicText(e *core.Entry, x any, p any) string {
	if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "<nil>"
	}
	mark := e.TextMark()
	e.AppendText(func(dst []byte) []byte { return fmt.Appendf(dst, "!PANIC: %v", p) })
	return e.TextSince(mark)
}

func callError(v error) (s string, p any) {
	defer func() { p = recover() }()
	return v.Error(), nil
}

func callString(v fmt.Stringer) (s string, p any) {
	defer func() { p = recover() }()
	return v.String(), nil
}

func callMarshalJSON(v json.Marshaler) (b []byte, p any, err error) {
	defer func() { p = recover() }()
	b, err = v.MarshalJSON()
	return b, nil, err
}

func marshalJSON(x any) (b []byte, p any, err error) {
	defer func() { p = recover() }()
	b, err = json.Marshal(x)
	return b, nil, err
}
