package core

// Scope holds fields encoded once, in both wire formats, for many messages
// to share: a logger's context (slog's WithAttrs and WithGroup, zap's
// With). A message with a Scope carries the scope's fields before its own,
// and its own fields go inside the scope's open groups.
//
// A Scope is immutable; With and WithGroup return new scopes. The zero
// *Scope (nil) is an empty scope. Safe for concurrent use.
type Scope struct {
	json      []byte   // members of the "fields" object so far, groups left open
	jsonOpen  int      // groups opened in json
	jsonEmpty bool     // the innermost open group in json has no member yet
	pending   []string // groups named by WithGroup, opened when fields arrive
	heka      []byte   // encoded Message.fields entries
	prefix    []byte   // dotted prefix for later fields ("g.h."), valid UTF-8
}

// NewScope returns an empty scope.
func NewScope() *Scope { return &Scope{jsonEmpty: true} }

// With returns a scope holding s's fields and then fields, inside s's
// groups. With no fields (or only empty groups) it returns s.
func (s *Scope) With(fields ...Field) *Scope {
	if !writesJSONMember(fields) {
		return s
	}
	if s == nil {
		s = NewScope()
	}
	n := &Scope{
		jsonOpen: s.jsonOpen,
		prefix:   s.prefix,
	}
	j := append([]byte(nil), s.json...)
	first := s.jsonEmpty || len(s.json) == 0
	for _, g := range s.pending {
		if !first {
			j = append(j, ',')
		}
		j = appendJSONKey(j, g)
		j = append(j, '{')
		n.jsonOpen++
		first = true
	}
	j, n.jsonEmpty = appendJSONFields(j, fields, first)
	n.json = j
	p := append([]byte(nil), s.prefix...)
	n.heka = appendHekaFields(append([]byte(nil), s.heka...), p, fields)
	return n
}

// WithGroup returns a scope whose later fields (its own and messages') go
// in a group named name: nested in JSON, prefixed "name." in Heka. The group
// appears only once it holds a field. An empty name returns s.
func (s *Scope) WithGroup(name string) *Scope {
	if name == "" {
		return s
	}
	if s == nil {
		s = NewScope()
	}
	n := *s
	n.pending = append(s.pending[:len(s.pending):len(s.pending)], name)
	n.prefix = append(appendValidUTF8String(s.prefix[:len(s.prefix):len(s.prefix)], name), '.')
	return &n
}

// Empty reports whether the scope holds no fields and no groups.
func (s *Scope) Empty() bool {
	return s == nil || (len(s.json) == 0 && len(s.pending) == 0)
}
