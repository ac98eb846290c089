package slogmetlog

import (
	"encoding/json"
	"log/slog"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
)

// badKey is the key slog gives a value passed without one
// (slog.Error("failed", err)).
const badKey = "!BADKEY"

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
	if tooDeep(e, depth) {
		e.Add(core.String(a.Key, jsontext.DepthMarker))
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

// tooDeep reports whether a group opened now would nest deeper than core's
// one limit, jsontext.MaxDepth, counting the entry's open groups and the
// groups and LogValuers being resolved (inlined groups too, so that a
// value that contains itself ends in the marker, not a stack overflow).
func tooDeep(e *core.Entry, depth int) bool {
	return max(depth, e.Depth()) >= jsontext.MaxDepth
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
		e.Add(core.Int64(key, v.Int64()))
	case slog.KindUint64:
		e.Add(core.Uint64(key, v.Uint64()))
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
		if tooDeep(e, depth) {
			e.Add(core.String(key, jsontext.DepthMarker))
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

// addAny adds a field for a value of slog.KindAny. Maps of any values
// are converted here so that LogValuers among their values are resolved
// (slog's own handlers do not do this; it is this handler's choice); an
// error keyed "" or "!BADKEY" gets the key "error"; every other value goes
// through core's conversion (core.Entry.AddAny), whose rules the maps
// here follow too: a nil map is null, and a map that would hold values
// deeper than jsontext.MaxDepth is jsontext.DepthMarker.
func addAny(e *core.Entry, key string, x any, depth int) {
	switch v := x.(type) {
	case map[string]any:
		if v == nil {
			break
		}
		if e.Depth()+1 > jsontext.MaxDepth { // the map's depth: see jsontext.MaxDepth
			e.Add(core.String(key, jsontext.DepthMarker))
			return
		}
		keys := core.SortedKeys(e, v)
		e.OpenGroup(key)
		for _, k := range keys {
			switch mv := v[k].(type) {
			case slog.Value, slog.LogValuer, []slog.Attr: // slog's own values
				sv := slog.AnyValue(mv)
				addValue(e, k, sv, sv.Kind(), depth+1)
			default: // as AddAny converts it (a float32 as its shortest decimal)
				addAny(e, k, mv, depth+1)
			}
		}
		e.CloseGroup(false)
		return
	case error:
		// Unless MarshalJSON writes it, as in slog's JSON handler.
		if _, jm := x.(json.Marshaler); !jm && (key == "" || key == badKey) {
			key = "error"
		}
	}
	e.AddAny(key, x)
}
