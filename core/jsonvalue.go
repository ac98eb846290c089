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
// is at depth 1, see jsontext.MaxDepth): an object or array that is not
// empty and is deeper than MaxDepth becomes the string DepthMarker, as the
// encoders write it.
//
// AddJSON allocates nothing once the entry's scratch has grown: strings
// and names refer to the parser's memory (fastjson unescapes them in
// place), and the text of raw JSON values is written to the entry's text
// scratch. v and its parser must therefore stay unchanged until the entry
// has been sent.
func (e *Entry) AddJSON(name string, v *fastjson.Value) {
	e.addJSON(name, v, len(e.opens)+1)
}

// AddJSONText adds v's compact JSON text as a RawJSON field, without
// converting it (see AddJSON for its memory).
func (e *Entry) AddJSONText(name string, v *fastjson.Value) {
	e.addJSONText(name, v, len(e.opens)+1)
}

func (e *Entry) addJSON(name string, v *fastjson.Value, depth int) {
	switch v.Type() {
	case fastjson.TypeString:
		e.Add(String(name, b2s(v.GetStringBytes())))
	case fastjson.TypeNumber:
		mark := len(e.text)
		e.text = v.MarshalTo(e.text)
		n := jsontext.ParseNumber(e.text[mark:])
		switch n.Kind {
		case jsontext.NumInt:
			e.Add(Int(name, n.Int))
		case jsontext.NumUint:
			e.Add(Uint(name, n.Uint))
		case jsontext.NumFloat:
			e.Add(Float(name, n.Float))
		default: // beyond float64's range: kept as written
			e.Add(RawJSON(name, e.text[mark:len(e.text):len(e.text)]))
			return
		}
		e.text = e.text[:mark]
	case fastjson.TypeTrue:
		e.Add(Bool(name, true))
	case fastjson.TypeFalse:
		e.Add(Bool(name, false))
	case fastjson.TypeObject:
		o := v.GetObject()
		if depth > jsontext.MaxDepth && o.Len() > 0 {
			e.Add(String(name, jsontext.DepthMarker))
			return
		}
		e.OpenGroup(name)
		e.fields = slices.Grow(e.fields, o.Len())
		o.Visit(func(k []byte, v *fastjson.Value) { e.addJSON(b2s(k), v, depth+1) })
		e.CloseGroup(false)
	case fastjson.TypeArray:
		if !e.addJSONArray(name, v.GetArray()) {
			e.addJSONText(name, v, depth)
		}
	default: // null
		e.addJSONText(name, v, depth)
	}
}

// addJSONArray adds the repeated field of an array of one scalar type; it
// adds nothing and returns false for any other array.
func (e *Entry) addJSONArray(name string, a []*fastjson.Value) bool {
	if len(a) == 0 {
		return false
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
				return false
			}
			e.strs = append(e.strs, b2s(el.GetStringBytes()))
		}
		e.Add(Strings(name, e.StringsSince(m)))
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
				return false
			}
		}
		e.Add(Bools(name, e.BoolsSince(m)))
	case fastjson.TypeNumber:
		return e.addJSONNumbers(name, a)
	default:
		return false
	}
	return true
}

// addJSONNumbers adds Ints for an array of integer literals that fit
// int64, Floats for one of numbers that also has others, and nothing
// (false) when a float would not keep one of them.
func (e *Entry) addJSONNumbers(name string, a []*fastjson.Value) bool {
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
	case fm < 0:
		e.Add(Ints(name, e.IntsSince(im)))
	default:
		e.Add(Floats(name, e.FloatsSince(fm)))
	}
	return ok
}

// addJSONText adds v's compact JSON text as a RawJSON field at depth, or
// the depth marker for a value too deep.
func (e *Entry) addJSONText(name string, v *fastjson.Value, depth int) {
	if depth > jsontext.MaxDepth && !emptyJSON(v) {
		e.Add(String(name, jsontext.DepthMarker))
		return
	}
	mark := len(e.text)
	e.text = appendJSONOf(e.text, v, depth)
	e.Add(RawJSON(name, e.text[mark:len(e.text):len(e.text)]))
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
func appendJSONOf(dst []byte, v *fastjson.Value, depth int) []byte {
	if depth > jsontext.MaxDepth && !emptyJSON(v) {
		return jsontext.AppendDepthMarker(dst)
	}
	switch v.Type() {
	case fastjson.TypeObject:
		dst = append(dst, '{')
		first := true
		v.GetObject().Visit(func(k []byte, v *fastjson.Value) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(jsontext.AppendString(dst, b2s(k)), ':')
			dst = appendJSONOf(dst, v, depth+1)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		dst = append(dst, '[')
		for i, el := range v.GetArray() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONOf(dst, el, depth+1)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		return jsontext.AppendString(dst, b2s(v.GetStringBytes()))
	}
	return v.MarshalTo(dst) // a number (its literal text), true, false, null
}

// b2s views b as a string; b must not change while the string is in use.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
