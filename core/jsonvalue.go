package core

import (
	"slices"
	"unsafe"

	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/valyala/fastjson"
)

// AddJSON adds v, a JSON value parsed by fastjson, as the field name in the
// innermost open group, converted by the rules DecodeJSON documents for
// the members of "fields": a string is a String; an integer literal that
// fits int64 an Int, one beyond that fits uint64 a Uint; any other number a
// Float (a number beyond float64's range stays RawJSON); true and false a
// Bool; an object a Group of its members, recursively; an array of strings
// Strings, of bools Bools, of integer literals that fit int64 Ints, of
// other numbers Floats (unless one is an integer literal beyond int64 or a
// number beyond float64's range, which a float would not keep); any other
// array (empty, mixed, nested) and null a RawJSON field holding the value's
// compact JSON text, its strings escaped as the encoders escape them.
//
// Depth is counted from the entry's open groups (a field outside any group
// is at depth 1; see Nesting in the package documentation): an object or
// array that is not empty and is deeper than 32 levels becomes the string
// "<max depth exceeded>", as the encoders write it.
//
// AddJSON allocates nothing once the entry's scratch has grown: strings
// and names refer to the parser's memory (fastjson unescapes them in
// place), and the text of raw JSON values is written to the entry's text
// scratch. v and its parser must therefore stay unchanged until the entry
// has been sent.
func (e *Entry) AddJSON(name string, v *fastjson.Value) {
	e.Add(e.jsonField(name, v, len(e.opens)+1))
}

// AddJSONText adds v's compact JSON text as a RawJSON field, without
// converting it (see AddJSON for its memory).
func (e *Entry) AddJSONText(name string, v *fastjson.Value) {
	e.Add(e.jsonText(name, v, len(e.opens)+1))
}

// jsonField returns the field name: v, for v at depth. The children of
// an object are written straight to the arena, in slots reserved for
// them: when a child's own children make the arena grow, the slots move
// with it, and a group refers to its children only once they are all
// written, so no group ever sees a slot change.
func (e *Entry) jsonField(name string, v *fastjson.Value, depth int) Field {
	switch v.Type() {
	case fastjson.TypeString:
		return String(name, b2s(v.GetStringBytes()))
	case fastjson.TypeNumber:
		mark := len(e.text)
		e.text = v.MarshalTo(e.text)
		n := jsontext.ParseNumber(e.text[mark:])
		switch n.Kind {
		case jsontext.NumInt:
			e.text = e.text[:mark]
			return Int64(name, n.Int)
		case jsontext.NumUint:
			e.text = e.text[:mark]
			return Uint64(name, n.Uint)
		case jsontext.NumFloat:
			e.text = e.text[:mark]
			return Float(name, n.Float)
		}
		// Beyond float64's range: kept as written.
		return RawJSON(name, e.text[mark:len(e.text):len(e.text)])
	case fastjson.TypeTrue:
		return Bool(name, true)
	case fastjson.TypeFalse:
		return Bool(name, false)
	case fastjson.TypeObject:
		o := v.GetObject()
		n := o.Len()
		if depth > jsontext.MaxDepth && n > 0 {
			return String(name, jsontext.DepthMarker)
		}
		start := len(e.arena)
		e.arena = slices.Grow(e.arena, n)[:start+n]
		i := start
		o.Visit(func(k []byte, v *fastjson.Value) {
			f := e.jsonField(b2s(k), v, depth+1)
			e.arena[i] = f
			i++
		})
		return Group(name, e.arena[start:start+n:start+n]...)
	case fastjson.TypeArray:
		if f, ok := e.jsonArray(name, v.GetArray()); ok {
			return f
		}
	}
	return e.jsonText(name, v, depth) // null, and arrays of anything else
}

// jsonArray returns the repeated field of an array of one scalar type;
// !ok for any other array.
func (e *Entry) jsonArray(name string, a []*fastjson.Value) (Field, bool) {
	if len(a) == 0 {
		return Field{}, false
	}
	// Values are pushed until an element of another kind turns up; the
	// scratch is then cut back to where it was.
	switch a[0].Type() {
	case fastjson.TypeString:
		m := len(e.strs)
		e.strs = slices.Grow(e.strs, len(a))
		for _, el := range a {
			if el.Type() != fastjson.TypeString {
				clear(e.strs[m:])
				e.strs = e.strs[:m]
				return Field{}, false
			}
			e.strs = append(e.strs, b2s(el.GetStringBytes()))
		}
		return Strings(name, e.StringsSince(m)), true
	case fastjson.TypeTrue, fastjson.TypeFalse:
		m := len(e.bools)
		e.bools = slices.Grow(e.bools, len(a))
		for _, el := range a {
			switch el.Type() {
			case fastjson.TypeTrue:
				e.bools = append(e.bools, true)
			case fastjson.TypeFalse:
				e.bools = append(e.bools, false)
			default:
				e.bools = e.bools[:m]
				return Field{}, false
			}
		}
		return Bools(name, e.BoolsSince(m)), true
	case fastjson.TypeNumber:
		return e.jsonNumbers(name, a)
	}
	return Field{}, false
}

// jsonNumbers returns Ints for an array of integer literals that fit
// int64, Floats for one of numbers that also has others; !ok when a float
// would not keep one of them.
func (e *Entry) jsonNumbers(name string, a []*fastjson.Value) (Field, bool) {
	im, fm := len(e.ints), -1 // fm >= 0 once the array is floats
	e.ints = slices.Grow(e.ints, len(a))
	mark := len(e.text) // each number's text, transiently
	ok := true
	for _, el := range a {
		if el.Type() != fastjson.TypeNumber {
			ok = false
			break
		}
		e.text = el.MarshalTo(e.text[:mark])
		n := jsontext.ParseNumber(e.text[mark:])
		if n.Kind == jsontext.NumInt && fm < 0 {
			e.ints = append(e.ints, n.Int)
			continue
		}
		if n.Kind != jsontext.NumInt && (n.Kind != jsontext.NumFloat || n.IntLiteral) {
			ok = false // beyond int64, where a float would lose digits, or beyond float64
			break
		}
		if fm < 0 { // the first non-integer: floats from here on
			fm = len(e.floats)
			e.floats = slices.Grow(e.floats, len(a))
			for _, i := range e.ints[im:] {
				e.floats = append(e.floats, float64(i))
			}
			e.ints = e.ints[:im]
		}
		if n.Kind == jsontext.NumInt {
			e.floats = append(e.floats, float64(n.Int))
		} else {
			e.floats = append(e.floats, n.Float)
		}
	}
	e.text = e.text[:mark]
	switch {
	case !ok:
		e.ints = e.ints[:im]
		if fm >= 0 {
			e.floats = e.floats[:fm]
		}
		return Field{}, false
	case fm < 0:
		return Ints(name, e.IntsSince(im)), true
	}
	return Floats(name, e.FloatsSince(fm)), true
}

// jsonText returns v's compact JSON text as a RawJSON field at depth, or
// the depth marker for a value too deep.
func (e *Entry) jsonText(name string, v *fastjson.Value, depth int) Field {
	if depth > jsontext.MaxDepth && !emptyJSON(v) {
		return String(name, jsontext.DepthMarker)
	}
	mark := len(e.text)
	e.text = appendJSONOf(e.text, v, depth)
	return RawJSON(name, e.text[mark:len(e.text):len(e.text)])
}

// jsonMembers returns the number of fields the members of the objects in
// v make (the slots jsonField reserves), to size an arena.
func jsonMembers(v *fastjson.Value, depth int) int {
	if v.Type() != fastjson.TypeObject || depth > jsontext.MaxDepth {
		return 0
	}
	o := v.GetObject()
	n := o.Len()
	o.Visit(func(_ []byte, v *fastjson.Value) { n += jsonMembers(v, depth+1) })
	return n
}

// emptyJSON reports whether v is a scalar or an empty object or array.
func emptyJSON(v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		return v.GetObject().Len() == 0
	case fastjson.TypeArray:
		return len(v.GetArray()) == 0
	}
	return true
}

// appendJSONOf appends v, a value at depth, as compact JSON: strings and
// keys escaped by jsontext.AppendString (fastjson's own marshalling
// re-escapes unescaped strings with Go's rules, which are not JSON's), and
// objects and arrays that are not empty and are deeper than MaxDepth as
// the depth marker.
//
// fastjson's marshalling is tried first: it copies strings and keys still
// in their input form as they are, and its text is kept when it is what
// the rules above write too (plain ASCII strings, nesting within
// MaxDepth), as it mostly is for an event zerolog wrote.
func appendJSONOf(dst []byte, v *fastjson.Value, depth int) []byte {
	start := len(dst)
	dst = v.MarshalTo(dst)
	if jsontext.PlainCompact(dst[start:], depth) {
		return dst
	}
	return appendJSONRules(dst[:start], v, depth)
}

// appendJSONRules is appendJSONOf's way for any value.
func appendJSONRules(dst []byte, v *fastjson.Value, depth int) []byte {
	if cap(dst)-len(dst) < 64 {
		// Grow by doubling: append's growth by a quarter, step after
		// small step, would allocate five times a long text's size.
		dst = slices.Grow(dst, max(64, len(dst)))
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o := v.GetObject()
		if depth > jsontext.MaxDepth && o.Len() > 0 {
			return jsontext.AppendDepthMarker(dst)
		}
		dst = append(dst, '{')
		first := true
		o.Visit(func(k []byte, v *fastjson.Value) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(jsontext.AppendString(dst, b2s(k)), ':')
			dst = appendJSONRules(dst, v, depth+1)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a := v.GetArray()
		if depth > jsontext.MaxDepth && len(a) > 0 {
			return jsontext.AppendDepthMarker(dst)
		}
		dst = append(dst, '[')
		for i, el := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONRules(dst, el, depth+1)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		s := v.GetStringBytes()
		if n := 6*len(s) + 2; cap(dst)-len(dst) < n { // the most it can take
			dst = slices.Grow(dst, max(n, len(dst)))
		}
		return jsontext.AppendString(dst, b2s(s))
	}
	return v.MarshalTo(dst) // a number (its literal text), true, false, null
}

// b2s views b as a string; b must not change while the string is in use.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
