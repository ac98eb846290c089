package core

import (
	"sync/atomic"

	"github.com/metlog-go/metlog/internal/jsontext"
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
//
// depth counts the scope's groups (open or pending), at most
// jsontext.MaxDepth: its later fields are at depth+1. A WithGroup group
// deeper than that is deep: the first thing put in it (by With or by a
// message) is written as the marker field deep: jsontext.DepthMarker, once
// (deepDone), and nothing else goes in it.
type scopeText struct {
	depth    int
	deep     string
	deepDone bool

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
	t := &scopeText{jsonOpen: p.jsonOpen, prefix: p.prefix, depth: p.depth, deep: p.deep, deepDone: p.deepDone}
	switch {
	case p.deepDone || p.deep != "" && src.group != "":
		// Deeper than MaxDepth: nothing more goes in the scope.
		t.json, t.jsonEmpty, t.heka, t.pending = p.json, p.jsonEmpty, p.heka, p.pending
	case src.group != "" && p.depth >= jsontext.MaxDepth:
		t.json, t.jsonEmpty, t.heka, t.pending = p.json, p.jsonEmpty, p.heka, p.pending
		t.deep = src.group
	case src.group != "":
		t.json, t.jsonEmpty, t.heka = p.json, p.jsonEmpty, p.heka
		t.pending = append(p.pending[:len(p.pending):len(p.pending)], src.group)
		t.prefix = append(appendValidUTF8String(p.prefix[:len(p.prefix):len(p.prefix)], src.group), '.')
		t.depth++
	default:
		j, first := openPending(append([]byte(nil), p.json...), p.pending, p.jsonEmpty || len(p.json) == 0)
		t.jsonOpen += len(p.pending)
		h, prefix := append([]byte(nil), p.heka...), append([]byte(nil), p.prefix...)
		if p.deep != "" {
			t.json, t.jsonEmpty = appendJSONMarker(j, p.deep, first), false
			t.heka = appendHekaMarker(h, prefix, p.deep)
			t.deepDone = true
		} else {
			t.json, t.jsonEmpty = appendJSONFields(j, src.fields, first, p.depth+1)
			t.heka = appendHekaFields(h, prefix, src.fields, p.depth+1)
		}
	}
	if !src.enc[f].CompareAndSwap(nil, t) {
		return src.enc[f].Load()
	}
	return t
}
