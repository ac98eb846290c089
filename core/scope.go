package core

import (
	"sync/atomic"
	"unsafe"
)

// Scope holds fields encoded once for many messages to share: a logger's
// context (slog's WithAttrs and WithGroup, zap's With). A message with a
// Scope carries the scope's fields before its own, and its own fields go
// inside the scope's open groups.
//
// A scope is encoded once, in the format it was made for (NewScope), when
// it is made. A scope used with a client of another format is encoded for
// that format too, once, on first use: a scope keeps its own copy of its
// fields for that.
//
// A Scope is immutable; With and WithGroup return new scopes. A nil *Scope
// and the zero Scope are empty scopes whose With encodes in FormatJSON.
// Safe for concurrent use.
type Scope struct {
	format Format     // the format own is in
	own    *scopeText // the scope encoded in format, when it was made
	src    *scopeSrc  // what it was made of, to encode it in other formats
}

// scopeSrc is what a scope was made of, and its encodings in formats other
// than its own, made on first use. It is apart from Scope so that an
// encoder reading a message's scope in the usual case (its own format) reads
// a plain field: the atomics of the rare case make escape analysis move a
// caller's message contents to the heap, which must not happen on every Send.
type scopeSrc struct {
	parent *Scope
	group  string  // set by WithGroup: later fields go in this group
	fields []Field // set by With: owned copies, inside parent's groups
	enc    [numFormats]atomic.Pointer[scopeText]
}

// scopeText is a scope encoded in one format.
type scopeText struct {
	// JSON
	json      []byte   // members of the "fields" object so far, groups left open
	jsonOpen  int      // groups opened in json
	jsonEmpty bool     // the innermost open group in json has no member yet
	pending   []string // groups named by WithGroup, opened when fields arrive
	// Heka
	heka   []byte // encoded Message.fields entries
	prefix []byte // dotted prefix for later fields ("g.h."), valid UTF-8
}

var emptyScopeText = &scopeText{jsonEmpty: true}

// NewScope returns an empty scope whose fields will be encoded in format f
// as they are added.
func NewScope(f Format) *Scope { return &Scope{format: f} }

// With returns a scope holding s's fields and then fields, inside s's
// groups. With no fields (or only empty groups) it returns s.
func (s *Scope) With(fields ...Field) *Scope {
	if !writesJSONMember(fields) {
		return s
	}
	return s.derive(&scopeSrc{parent: s, fields: cloneFields(fields)})
}

// WithGroup returns a scope whose later fields (its own and messages') go
// in a group named name: nested in JSON, prefixed "name." in Heka. The group
// appears only once it holds a field. An empty name returns s.
func (s *Scope) WithGroup(name string) *Scope {
	if name == "" {
		return s
	}
	return s.derive(&scopeSrc{parent: s, group: cloneString(name)})
}

// derive returns the scope made of src, encoded in s's format (JSON for
// the nil scope).
func (s *Scope) derive(src *scopeSrc) *Scope {
	n := &Scope{format: FormatJSON, src: src}
	if s != nil {
		n.format = s.format
	}
	n.own = src.text(n.format)
	return n
}

// Empty reports whether the scope holds no fields and no groups.
func (s *Scope) Empty() bool { return s == nil || s.src == nil }

// scopeTextOf returns s encoded in format f.
func scopeTextOf(s *Scope, f Format) *scopeText {
	switch {
	case s == nil || s.src == nil: // nil, the zero Scope, NewScope's
		return emptyScopeText
	case s.format == f:
		return s.own
	}
	return s.src.text(f)
}

// text returns the scope made of src encoded in format f, encoding it on
// first use.
func (src *scopeSrc) text(f Format) *scopeText {
	if t := src.enc[f].Load(); t != nil {
		return t
	}
	p := scopeTextOf(src.parent, f)
	t := &scopeText{jsonOpen: p.jsonOpen, prefix: p.prefix}
	if src.group != "" {
		t.json, t.jsonEmpty, t.heka = p.json, p.jsonEmpty, p.heka
		t.pending = append(p.pending[:len(p.pending):len(p.pending)], src.group)
		t.prefix = append(appendValidUTF8String(p.prefix[:len(p.prefix):len(p.prefix)], src.group), '.')
	} else {
		j := append([]byte(nil), p.json...)
		first := p.jsonEmpty || len(p.json) == 0
		for _, g := range p.pending {
			if !first {
				j = append(j, ',')
			}
			j = appendJSONKey(j, g)
			j = append(j, '{')
			t.jsonOpen++
			first = true
		}
		t.json, t.jsonEmpty = appendJSONFields(j, src.fields, first)
		t.heka = appendHekaFields(append([]byte(nil), p.heka...), append([]byte(nil), p.prefix...), src.fields)
	}
	if !src.enc[f].CompareAndSwap(nil, t) {
		return src.enc[f].Load()
	}
	return t
}

// cloneFields returns a deep copy of fields that shares no memory with
// them: every string, byte slice, repeated value and group is copied.
func cloneFields(fields []Field) []Field {
	out := make([]Field, len(fields))
	for i := range fields {
		out[i] = cloneField(&fields[i])
	}
	return out
}

func cloneField(f *Field) Field {
	c := *f
	c.Name = cloneString(f.Name)
	c.Representation = cloneString(f.Representation)
	if f.multi {
		switch f.kind {
		case KindString:
			vs := make([]string, f.n)
			for i, v := range f.StringsValue() {
				vs[i] = cloneString(v)
			}
			c.ptr = unsafe.Pointer(unsafe.SliceData(vs))
		case KindBytes:
			vs := make([][]byte, f.n)
			for i, v := range f.ByteSlicesValue() {
				vs[i] = append([]byte{}, v...)
			}
			c.ptr = unsafe.Pointer(unsafe.SliceData(vs))
		case KindInt:
			c.ptr = unsafe.Pointer(unsafe.SliceData(append([]int64(nil), f.IntsValue()...)))
		case KindFloat:
			c.ptr = unsafe.Pointer(unsafe.SliceData(append([]float64(nil), f.FloatsValue()...)))
		case KindBool:
			c.ptr = unsafe.Pointer(unsafe.SliceData(append([]bool(nil), f.BoolsValue()...)))
		}
		return c
	}
	switch f.kind {
	case KindString, KindBytes, KindJSON:
		c.ptr = unsafe.Pointer(unsafe.SliceData(append([]byte(nil), unsafe.Slice((*byte)(f.ptr), f.n)...)))
	case KindGroup:
		c.ptr = unsafe.Pointer(unsafe.SliceData(cloneFields(f.GroupValue())))
	}
	return c
}

func cloneString(s string) string {
	if s == "" {
		return ""
	}
	return string(append([]byte(nil), s...))
}
