package core

import (
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unsafe"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// Types the reflective conversion treats specially. Never written.
var (
	timeType          = reflect.TypeFor[time.Time]()
	durationType      = reflect.TypeFor[time.Duration]()
	rawJSONType       = reflect.TypeFor[json.RawMessage]()
	mapAnyType        = reflect.TypeFor[map[string]any]()
	mapStringType     = reflect.TypeFor[map[string]string]()
	errorType         = reflect.TypeFor[error]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	stringerType      = reflect.TypeFor[fmt.Stringer]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[isZeroer]()
)

// isZeroer is the method omitzero uses when a type has it.
type isZeroer interface{ IsZero() bool }

// typeInfo is what the conversion needs to know about a type, computed
// once per type (see typeInfoOf).
type typeInfo struct {
	methods    bool          // implements error, json.Marshaler, fmt.Stringer or encoding.TextMarshaler
	ptrMethods bool          // only its pointer type does
	text       bool          // methods, and the first that applies yields a string (not JSON)
	fields     []structField // a struct's fields, by encoding/json's rules (see structFields)
	flat       bool          // a struct of plain scalars only, none behind an embedded pointer, read straight from memory (addFlat)
}

// structField is one field of a struct's plan: where its value is, what
// it is named and when it is left out. The plan serves both the fast path,
// which reads plain scalars from memory (scalarField), and the reflective
// one (addStruct), so that both write the same fields. (Kept small: the
// fast path walks these.)
type structField struct {
	name   string
	offset uintptr    // from the struct, or from the last embedded pointer of path.via
	path   *fieldPath // how to reach it
	code   scalarCode

	omitEmpty bool     // ",omitempty": encoding/json's empty values (isEmpty)
	omitZero  bool     // ",omitzero": the zero value, or an IsZero method's word (isZero)
	zero      zeroTest // how omitzero tests this field
	quoted    bool     // ",string" on a bool, number or string: a string of its JSON text (addQuoted)
}

// fieldPath is how a field is reached from its struct, through the
// structs it is promoted from.
type fieldPath struct {
	index []int // for reflect.Value.Field, one index per level
	// The offsets, each from the address the previous one led to, of the
	// embedded pointers on the way, read in turn (nil: the field is
	// absent, as encoding/json has it); none when there are none.
	via []uintptr
}

// zeroTest says how omitzero decides that a field is zero, as encoding/json
// does: with the field type's IsZero method when it has one.
type zeroTest uint8

const (
	zeroValue     zeroTest = iota // reflect.Value.IsZero
	zeroMethod                    // the type's IsZero (a nil pointer or interface is zero)
	zeroPtrMethod                 // the IsZero of a pointer to the type
)

// scalarCode says how to read a struct field of a scalar type straight
// from memory, without reflection: the common case of fields that are
// strings, numbers, booleans, times and durations without methods.
type scalarCode uint8

const (
	codeReflect scalarCode = iota // not a plain scalar: through addReflect
	codeString
	codeBool
	codeInt
	codeInt8
	codeInt16
	codeInt32
	codeInt64
	codeUint
	codeUint8
	codeUint16
	codeUint32
	codeUint64
	codeUintptr
	codeFloat32
	codeFloat64
	codeTime
	codeDuration
)

var kindCodes = [...]scalarCode{
	reflect.String: codeString, reflect.Bool: codeBool,
	reflect.Int: codeInt, reflect.Int8: codeInt8, reflect.Int16: codeInt16, reflect.Int32: codeInt32, reflect.Int64: codeInt64,
	reflect.Uint: codeUint, reflect.Uint8: codeUint8, reflect.Uint16: codeUint16, reflect.Uint32: codeUint32,
	reflect.Uint64: codeUint64, reflect.Uintptr: codeUintptr,
	reflect.Float32: codeFloat32, reflect.Float64: codeFloat64,
	reflect.UnsafePointer: codeReflect,
}

// scalarCodeOf returns t's code, codeReflect for anything but a scalar
// without formatting methods.
func scalarCodeOf(t reflect.Type) scalarCode {
	switch {
	case t == timeType:
		return codeTime
	case t == durationType:
		return codeDuration
	case int(t.Kind()) >= len(kindCodes), implementsAny(t), implementsAny(reflect.PointerTo(t)):
		return codeReflect
	}
	return kindCodes[t.Kind()]
}

func implementsAny(t reflect.Type) bool {
	return t.Implements(errorType) || t.Implements(jsonMarshalerType) ||
		t.Implements(stringerType) || t.Implements(textMarshalerType)
}

// anyTypes caches each type's typeInfo (reflect.Type -> *typeInfo). It is
// a cache only: a typeInfo is computed from its type alone, so what the
// conversion writes never depends on what the cache holds.
var anyTypes sync.Map

// typeInfoOf returns t's typeInfo, computed once per type.
func typeInfoOf(t reflect.Type) *typeInfo {
	if ti, ok := anyTypes.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{methods: implementsAny(t)}
	if ti.methods {
		// addAny's order: json.Marshaler first, then error, fmt.Stringer,
		// encoding.TextMarshaler.
		ti.text = !t.Implements(jsonMarshalerType)
	} else if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		ti.ptrMethods = implementsAny(reflect.PointerTo(t))
	}
	if t.Kind() == reflect.Struct {
		ti.fields = structFields(t)
		ti.flat = !ti.methods && !ti.ptrMethods
		for _, f := range ti.fields {
			if f.code == codeReflect || f.path.via != nil {
				ti.flat = false
			}
		}
	}
	v, _ := anyTypes.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

// fieldCandidate is a field found while walking a struct and the structs
// it embeds, before name conflicts are settled.
type fieldCandidate struct {
	structField
	tagged bool // named by its tag
	twice  bool // found in a struct embedded twice at the same depth
}

// embedding is a struct whose fields are promoted into the one being
// planned, and where it is: its path of field indexes and its address
// (as structField has them).
type embedding struct {
	typ    reflect.Type
	index  []int
	via    []uintptr
	offset uintptr
}

// structFields plans t's fields by encoding/json's rules:
//   - exported fields; "-" leaves a field out, "-," names it "-"; a tag
//     name encoding/json would reject is replaced by the field's name;
//   - the fields of embedded structs without a tag name (by value or by
//     pointer, exported or not) are promoted, level by level; a struct type
//     met at a shallower level is not walked again; an embedded struct
//     with a tag name, and an embedded type of another kind (unless it is
//     unexported), is a field of its own;
//   - among fields of one name, the shallowest wins; at equal depth, the
//     one named by a tag wins over those named by their field names;
//     otherwise (two of either sort) none is written;
//   - the fields keep their declaration order, embedded fields at the
//     place of their embedding.
func structFields(t reflect.Type) []structField {
	var found []fieldCandidate
	level := []embedding{{typ: t}}
	seen := map[reflect.Type]bool{}
	var times map[reflect.Type]int // how often each struct of this level is embedded
	for len(level) > 0 {
		var next []embedding
		nextTimes := map[reflect.Type]int{}
		for _, s := range level {
			if seen[s.typ] {
				continue
			}
			seen[s.typ] = true
			for i := range s.typ.NumField() {
				sf := s.typ.Field(i)
				c, emb, ok := planField(s, sf, i)
				switch {
				case !ok:
				case emb != nil:
					nextTimes[emb.typ]++
					if nextTimes[emb.typ] == 1 {
						next = append(next, *emb)
					}
				default:
					c.twice = times[s.typ] > 1
					found = append(found, c)
				}
			}
		}
		level, times = next, nextTimes
	}
	return dominantFields(found)
}

// planField plans the field sf, number i of the embedded struct s: a
// field candidate, or an embedded struct to walk at the next level; false
// when encoding/json leaves the field out.
func planField(s embedding, sf reflect.StructField, i int) (fieldCandidate, *embedding, bool) {
	if sf.Anonymous {
		t := sf.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if !sf.IsExported() && t.Kind() != reflect.Struct {
			return fieldCandidate{}, nil, false
		}
	} else if !sf.IsExported() {
		return fieldCandidate{}, nil, false
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return fieldCandidate{}, nil, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if !validTagName(name) {
		name = ""
	}
	index := append(slices.Clip(s.index), i)
	ft := sf.Type
	if ft.Name() == "" && ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
		emb := &embedding{typ: ft, index: index, via: s.via, offset: s.offset + sf.Offset}
		if sf.Type.Kind() == reflect.Pointer {
			emb.via, emb.offset = append(slices.Clip(s.via), s.offset+sf.Offset), 0
		}
		return fieldCandidate{}, emb, true
	}
	c := fieldCandidate{tagged: name != ""}
	f := &c.structField
	f.name, f.offset, f.code = name, s.offset+sf.Offset, scalarCodeOf(sf.Type)
	f.path = &fieldPath{index: index, via: s.via}
	if name == "" {
		f.name = sf.Name
	}
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		switch o {
		case "omitempty":
			f.omitEmpty = true
		case "omitzero":
			f.omitZero = true
		case "string":
			switch ft.Kind() {
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
				reflect.Float32, reflect.Float64, reflect.String:
				f.quoted = true
			}
		}
	}
	if f.omitZero {
		f.zero = zeroTestOf(sf.Type)
	}
	if f.quoted || f.zero != zeroValue && f.code != codeTime {
		f.code = codeReflect // through addStruct, which knows these options
	}
	return c, nil, true
}

// zeroTestOf returns how omitzero tests a field of type t.
func zeroTestOf(t reflect.Type) zeroTest {
	switch {
	case t.Implements(isZeroerType):
		return zeroMethod
	case t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(isZeroerType):
		return zeroPtrMethod
	}
	return zeroValue
}

// validTagName reports whether encoding/json takes name from a tag:
// letters, digits, spaces and ASCII punctuation other than quotes,
// backslash and comma.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) {
			return false
		}
	}
	return true
}

// dominantFields settles name conflicts (see structFields) and returns the
// fields that are written, in declaration order.
func dominantFields(found []fieldCandidate) []structField {
	slices.SortFunc(found, func(a, b fieldCandidate) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.path.index), len(b.path.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.path.index, b.path.index)
	})
	var fields []structField
	for i := 0; i < len(found); {
		first := &found[i]
		j := i + 1
		for j < len(found) && found[j].name == first.name {
			j++
		}
		conflict := first.twice
		if j > i+1 {
			second := &found[i+1]
			conflict = conflict || len(second.path.index) == len(first.path.index) && second.tagged == first.tagged
		}
		if !conflict {
			fields = append(fields, first.structField)
		}
		i = j
	}
	slices.SortFunc(fields, func(a, b structField) int { return slices.Compare(a.path.index, b.path.index) })
	return fields
}

// addr returns the address of f's value in the struct at base, nil when
// an embedded pointer on the way is nil.
func (f *structField) addr(base unsafe.Pointer) unsafe.Pointer {
	for _, o := range f.path.via {
		base = *(*unsafe.Pointer)(unsafe.Add(base, o))
		if base == nil {
			return nil
		}
	}
	return unsafe.Add(base, f.offset)
}

// value returns f's value in the struct v; false when an embedded pointer
// on the way is nil.
func (f *structField) value(v reflect.Value) (reflect.Value, bool) {
	index := f.path.index
	if len(index) == 1 {
		return v.Field(index[0]), true
	}
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// omits reports whether omitempty or omitzero leaves out the value v of f.
func (f *structField) omits(v reflect.Value) bool {
	return f.omitEmpty && isEmpty(v) || f.omitZero && f.isZero(v)
}

// isEmpty is encoding/json's omitempty test: false, 0 (-0.0 too), a nil
// pointer or interface, an empty array, slice, map or string.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's omitzero test: the IsZero method of the
// field's type (or of a pointer to it) when it has one, where a nil
// pointer or interface is zero, else reflect.Value.IsZero. A value that
// cannot be handed to a method (reached through an unexported embedded
// struct) is tested by reflect.Value.IsZero.
func (f *structField) isZero(v reflect.Value) bool {
	switch f.zero {
	case zeroMethod:
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() {
				return true
			}
		case reflect.Pointer:
			if v.IsNil() {
				return true
			}
		}
		if v.CanInterface() {
			return callIsZero(v.Interface().(isZeroer))
		}
	case zeroPtrMethod:
		if v.CanInterface() {
			if !v.CanAddr() { // a copy to take the address of, as encoding/json makes
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			return callIsZero(v.Addr().Interface().(isZeroer))
		}
	}
	return v.IsZero()
}

// callIsZero calls x.IsZero; a panic counts as not zero, so that the
// field is written (its own methods then write what they make of it).
func callIsZero(x isZeroer) (zero bool) {
	defer func() {
		if r := recover(); r != nil {
			zero = false
		}
	}()
	return x.IsZero()
}

// addReflect adds v as the field k at depth (see addAny). Values with
// formatting methods go back to addAny; pointers and interfaces are
// followed; structs, maps and lists of non-scalars become groups.
func (e *Entry) addReflect(k string, v reflect.Value, depth int) {
	if kind := v.Kind(); kind == reflect.Pointer || kind == reflect.Interface {
		var ok bool
		if v, ok = e.follow(k, v, depth); !ok {
			return
		}
	}
	t := v.Type()
	kind := v.Kind()
	// The types handled before their methods; the kind is checked first
	// because comparing reflect.Types costs a call.
	switch {
	case kind == reflect.Struct && t == timeType:
		if tm, ok := timeOf(v); ok {
			e.Add(Time(k, tm))
		} else {
			e.Add(String(k, "<unreadable time.Time>"))
		}
		return
	case kind == reflect.Int64 && t == durationType:
		e.Add(Duration(k, time.Duration(v.Int())))
		return
	case kind == reflect.Slice && t == rawJSONType:
		e.addRawJSON(k, v.Bytes(), depth)
		return
	}
	if t.NumMethod() > 0 || kind == reflect.Struct {
		ti := typeInfoOf(t)
		if (ti.methods || ti.ptrMethods) && v.CanInterface() {
			if x, ok := methodValue(v, ti); ok {
				e.addAny(k, x, depth)
				return
			}
		}
		if kind == reflect.Struct {
			e.addStruct(k, v, ti, depth)
			return
		}
	}
	switch kind {
	case reflect.String:
		e.Add(String(k, v.String()))
	case reflect.Bool:
		e.Add(Bool(k, v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.Add(Int64(k, v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.Add(Uint64(k, v.Uint()))
	case reflect.Float64:
		e.Add(Float(k, v.Float()))
	case reflect.Float32:
		e.Add(Float(k, float32to64(float32(v.Float()))))
	case reflect.Complex64, reflect.Complex128:
		bits := 128
		if kind == reflect.Complex64 {
			bits = 64
		}
		c := v.Complex()
		m := e.TextMark()
		e.AppendText(func(dst []byte) []byte { return append(dst, strconv.FormatComplex(c, 'g', -1, bits)...) })
		e.Add(String(k, e.TextSince(m)))
	case reflect.Map:
		e.addMap(k, v, depth)
	case reflect.Slice:
		if v.IsNil() {
			e.Add(jsonNull(k))
			return
		}
		e.addList(k, v, depth)
	case reflect.Array:
		e.addList(k, v, depth)
	default: // functions, channels, unsafe pointers
		e.Add(String(k, t.String()))
	}
}

// follow follows the pointers and interfaces v leads through and returns
// the value at the end; false when it has added the field k itself: null
// for nil, a value with formatting methods (or of a common type) by addAny,
// a pointer to a flat struct by addFlat. Pointers and interfaces nest
// nothing: they do not count as depth, but only MaxDepth are followed in a
// row (only a cycle of them goes further).
func (e *Entry) follow(k string, v reflect.Value, depth int) (reflect.Value, bool) {
	for hops := 0; ; hops++ {
		kind := v.Kind()
		if kind != reflect.Pointer && kind != reflect.Interface {
			return v, true
		}
		if v.IsNil() {
			e.Add(jsonNull(k))
			return v, false
		}
		if hops == jsontext.MaxDepth {
			e.Add(String(k, jsontext.DepthMarker))
			return v, false
		}
		if kind == reflect.Interface {
			v = v.Elem() // never an interface
			if v.Kind() != reflect.Pointer && v.CanInterface() {
				e.addAny(k, v.Interface(), depth) // the common types without reflection
				return v, false
			}
			continue
		}
		t := v.Type()
		if t.NumMethod() > 0 && v.CanInterface() && typeInfoOf(t).methods {
			e.addAny(k, v.Interface(), depth)
			return v, false
		}
		if et := t.Elem(); et.Kind() == reflect.Struct {
			if ti := typeInfoOf(et); ti.flat {
				if !e.tooDeep(k, depth) {
					e.addFlat(k, v.UnsafePointer(), ti)
				}
				return v, false
			}
		}
		// What a pointer points to is addressable: its pointer methods
		// may be called, as encoding/json does.
		v = v.Elem()
	}
}

// methodValue returns v as an interface value whose methods addAny
// calls. An addressable value is taken by pointer, which does not copy it
// (and lets pointer methods run, as encoding/json does).
func methodValue(v reflect.Value, ti *typeInfo) (any, bool) {
	if v.CanAddr() {
		return v.Addr().Interface(), true
	}
	if !ti.methods {
		return nil, false
	}
	return v.Interface(), true // a value that is not addressable is boxed without a copy
}

// timeOf reads a time.Time without allocating.
func timeOf(v reflect.Value) (time.Time, bool) {
	if v.CanAddr() {
		return *(*time.Time)(v.Addr().UnsafePointer()), true
	}
	if v.CanInterface() {
		return v.Interface().(time.Time), true
	}
	return time.Time{}, false
}

// addStruct adds the struct v as a group of its fields (see structFields),
// reading the plain scalar fields from memory when v has an address.
func (e *Entry) addStruct(k string, v reflect.Value, ti *typeInfo, depth int) {
	if e.tooDeep(k, depth) {
		return
	}
	e.OpenGroup(k)
	var base unsafe.Pointer // the struct's address, when it has one
	if v.CanAddr() {
		base = v.Addr().UnsafePointer()
	}
	for i := range ti.fields {
		f := &ti.fields[i]
		if f.code != codeReflect && base != nil {
			var fl Field
			if p := f.addr(base); p != nil && scalarField(f, p, &fl) {
				e.Add(fl)
			}
			continue
		}
		fv, ok := f.value(v)
		if !ok || (f.omitEmpty || f.omitZero) && f.omits(fv) {
			continue
		}
		if f.quoted {
			e.addQuoted(f.name, fv, depth+1)
			continue
		}
		e.addReflect(f.name, fv, depth+1)
	}
	e.CloseGroup(false)
}

// scalarField writes to fl the struct field f whose value is at p, as
// addReflect would add it; false when omitempty or omitzero omit it (the
// same tests as isEmpty and isZero: for plain scalars both are the zero
// value, -0.0 included). It writes in place: a Field is large to return
// and copy again.
func scalarField(f *structField, p unsafe.Pointer, fl *Field) bool {
	var zero bool
	switch f.code {
	case codeString:
		v := *(*string)(p)
		*fl, zero = String(f.name, v), v == ""
	case codeBool:
		v := *(*bool)(p)
		*fl, zero = Bool(f.name, v), !v
	case codeInt:
		v := *(*int)(p)
		*fl, zero = Int64(f.name, int64(v)), v == 0
	case codeInt8:
		v := *(*int8)(p)
		*fl, zero = Int64(f.name, int64(v)), v == 0
	case codeInt16:
		v := *(*int16)(p)
		*fl, zero = Int64(f.name, int64(v)), v == 0
	case codeInt32:
		v := *(*int32)(p)
		*fl, zero = Int64(f.name, int64(v)), v == 0
	case codeInt64:
		v := *(*int64)(p)
		*fl, zero = Int64(f.name, v), v == 0
	case codeUint:
		v := *(*uint)(p)
		*fl, zero = Uint64(f.name, uint64(v)), v == 0
	case codeUint8:
		v := *(*uint8)(p)
		*fl, zero = Uint64(f.name, uint64(v)), v == 0
	case codeUint16:
		v := *(*uint16)(p)
		*fl, zero = Uint64(f.name, uint64(v)), v == 0
	case codeUint32:
		v := *(*uint32)(p)
		*fl, zero = Uint64(f.name, uint64(v)), v == 0
	case codeUint64:
		v := *(*uint64)(p)
		*fl, zero = Uint64(f.name, v), v == 0
	case codeUintptr:
		v := *(*uintptr)(p)
		*fl, zero = Uint64(f.name, uint64(v)), v == 0
	case codeFloat32:
		v := *(*float32)(p)
		*fl, zero = Float(f.name, float32to64(v)), v == 0
	case codeFloat64:
		v := *(*float64)(p)
		*fl, zero = Float(f.name, v), v == 0
	case codeDuration:
		v := *(*time.Duration)(p)
		*fl, zero = Duration(f.name, v), v == 0
	case codeTime: // a struct: never empty; zero by its IsZero method
		t := (*time.Time)(p)
		*fl = Time(f.name, *t)
		return !f.omitZero || !t.IsZero()
	default:
		*fl = Field{} // not a scalar: callers do not pass one
	}
	return !zero || !f.omitEmpty && !f.omitZero
}

// addQuoted adds a field with the ",string" option, as encoding/json
// writes it: a bool or number as a string of its text ("12", "true",
// "1.5"; NaN and ±Inf as "NaN", "+Inf" and "-Inf"), a string as a string
// of its JSON encoding (without HTML escapes, as everywhere in
// metlog-go); a nil pointer as null. A value with formatting methods is
// written by them, as without the option.
func (e *Entry) addQuoted(k string, v reflect.Value, depth int) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.Add(jsonNull(k))
			return
		}
		v = v.Elem()
	}
	if t := v.Type(); t != durationType && v.CanInterface() {
		if ti := typeInfoOf(t); ti.methods || ti.ptrMethods && v.CanAddr() {
			e.addReflect(k, v, depth)
			return
		}
	}
	m := e.TextMark()
	switch v.Kind() {
	case reflect.Bool:
		e.text = strconv.AppendBool(e.text, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.text = strconv.AppendInt(e.text, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.text = strconv.AppendUint(e.text, v.Uint(), 10)
	case reflect.Float32:
		e.text = appendFloatText(e.text, v.Float(), 32)
	case reflect.Float64:
		e.text = appendFloatText(e.text, v.Float(), 64)
	case reflect.String:
		e.text = jsontext.AppendString(e.text, v.String())
	}
	e.Add(String(k, e.TextSince(m)))
}

// appendFloatText writes f as encoding/json writes a float of bits bits:
// the shortest decimal that reads back as f, in exponent form below 1e-6
// and from 1e21 on (a one-digit negative exponent without its 0: 1e-7);
// NaN and ±Inf, which encoding/json refuses, as "NaN", "+Inf", "-Inf".
func appendFloatText(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) || bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst
}

// addMap adds a map of any type as a group sorted by key. Keys that are
// not strings or integers are formatted by fmt.
func (e *Entry) addMap(k string, v reflect.Value, depth int) {
	if v.IsNil() {
		e.Add(jsonNull(k))
		return
	}
	// The common map types and named types of the same underlying type
	// (logrus.Fields), without reflection: a map value is its pointer.
	switch t := v.Type(); {
	case t == mapAnyType || t.ConvertibleTo(mapAnyType):
		p := v.UnsafePointer()
		e.addAnyMap(k, *(*map[string]any)(unsafe.Pointer(&p)), depth)
		return
	case t == mapStringType || t.ConvertibleTo(mapStringType):
		p := v.UnsafePointer()
		e.addStringMap(k, *(*map[string]string)(unsafe.Pointer(&p)), depth)
		return
	}
	if e.tooDeep(k, depth) {
		return
	}
	kvs := make([]mapPair, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		kvs = append(kvs, mapPair{key: e.keyText(it.Key()), val: it.Value()})
	}
	slices.SortFunc(kvs, func(a, b mapPair) int { return strings.Compare(a.key, b.key) })
	e.OpenGroup(k)
	for _, p := range kvs {
		e.addReflect(p.key, p.val, depth+1)
	}
	e.CloseGroup(false)
}

type mapPair struct {
	key string
	val reflect.Value
}

func (e *Entry) keyText(key reflect.Value) string {
	switch key.Kind() {
	case reflect.String:
		return key.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		m := e.TextMark()
		e.AppendText(func(dst []byte) []byte { return strconv.AppendInt(dst, key.Int(), 10) })
		return e.TextSince(m)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		m := e.TextMark()
		e.AppendText(func(dst []byte) []byte { return strconv.AppendUint(dst, key.Uint(), 10) })
		return e.TextSince(m)
	}
	m := e.TextMark()
	e.AppendText(func(dst []byte) []byte { return fmt.Append(dst, key) })
	return e.TextSince(m)
}

// addList adds a slice or array: a repeated field when its elements are
// scalars or values formatted as strings, else a group keyed by index.
func (e *Entry) addList(k string, v reflect.Value, depth int) {
	n := v.Len()
	et := v.Type().Elem()
	switch {
	case et == timeType:
		m := e.StringsMark()
		for i := 0; i < n; i++ {
			if tm, ok := timeOf(v.Index(i)); ok {
				e.PushString(e.timeText(tm))
			} else {
				e.PushString("<unreadable time.Time>")
			}
		}
		e.Add(Strings(k, e.StringsSince(m)))
		return
	case et == durationType:
		m := e.IntsMark()
		for i := 0; i < n; i++ {
			e.PushInt(v.Index(i).Int())
		}
		e.Add(Ints(k, e.IntsSince(m)).WithRepresentation("ns"))
		return
	case et.NumMethod() > 0 && et.Kind() != reflect.Interface:
		if ti := typeInfoOf(et); ti.methods && ti.text && v.CanInterface() {
			m := e.StringsMark()
			for i := 0; i < n; i++ {
				x, _ := methodValue(v.Index(i), ti)
				e.PushString(textOf(x))
			}
			e.Add(Strings(k, e.StringsSince(m)))
			return
		}
	default:
		if e.addScalars(k, v, et, n, depth) {
			return
		}
	}
	if e.tooDeep(k, depth) {
		return
	}
	if n == 0 {
		e.Add(Strings(k, nil))
		return
	}
	if v.Kind() == reflect.Slice && e.addFlatList(k, v, et, n, depth) {
		return
	}
	e.OpenGroup(k)
	for i := 0; i < n; i++ {
		e.addReflect(e.indexName(i), v.Index(i), depth+1)
	}
	e.CloseGroup(false)
}

// addFlatList adds a non-empty slice of flat structs or of pointers to
// them, reading the elements from the slice's memory; false for any other
// slice.
func (e *Entry) addFlatList(k string, v reflect.Value, et reflect.Type, n, depth int) bool {
	var ti *typeInfo
	byPtr := false
	switch et.Kind() {
	case reflect.Struct:
		ti = typeInfoOf(et)
	case reflect.Pointer:
		if pet := et.Elem(); pet.Kind() == reflect.Struct && !typeInfoOf(et).methods {
			ti, byPtr = typeInfoOf(pet), true
		}
	}
	if ti == nil || !ti.flat || depth+1 > jsontext.MaxDepth { // too deep: each element is the marker
		return false
	}
	base, size := v.UnsafePointer(), et.Size()
	e.OpenGroup(k)
	for i := 0; i < n; i++ {
		p := unsafe.Add(base, uintptr(i)*size)
		if byPtr {
			p = *(*unsafe.Pointer)(p)
		}
		e.addFlat(e.indexName(i), p, ti)
	}
	e.CloseGroup(false)
	return true
}

// addFlat adds the flat struct at p (nil: null) as a group, reading its
// fields straight from memory into the entry's arena of group children
// (as CloseGroup does, without moving them there from the open level).
// The caller has checked the depth (tooDeep).
func (e *Entry) addFlat(k string, p unsafe.Pointer, ti *typeInfo) {
	if p == nil {
		e.Add(jsonNull(k))
		return
	}
	a := len(e.arena)
	end := a + len(ti.fields)
	e.arena = slices.Grow(e.arena, len(ti.fields))[:end]
	n := a
	for i := range ti.fields {
		f := &ti.fields[i]
		if scalarField(f, unsafe.Add(p, f.offset), &e.arena[n]) {
			n++
		}
	}
	clear(e.arena[n:end]) // omitted: keep no pointer past the length
	e.arena = e.arena[:n]
	e.Add(Group(k, e.arena[a:n:n]...))
}

// addScalars adds a list of scalars as a repeated field (bytes as one
// bytes field); false when the element type is not a scalar one.
func (e *Entry) addScalars(k string, v reflect.Value, et reflect.Type, n, depth int) bool {
	switch et.Kind() {
	case reflect.Uint8:
		if v.Kind() == reflect.Slice || v.CanAddr() {
			e.Add(Bytes(k, v.Bytes()))
			return true
		}
		m := e.TextMark()
		for i := 0; i < n; i++ {
			b := byte(v.Index(i).Uint())
			e.AppendText(func(dst []byte) []byte { return append(dst, b) })
		}
		str := e.TextSince(m)
		e.Add(Bytes(k, unsafe.Slice(unsafe.StringData(str), len(str))))
		return true
	case reflect.String:
		m := e.StringsMark()
		for i := 0; i < n; i++ {
			e.PushString(v.Index(i).String())
		}
		e.Add(Strings(k, e.StringsSince(m)))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		m := e.IntsMark()
		for i := 0; i < n; i++ {
			e.PushInt(v.Index(i).Int())
		}
		e.Add(Ints(k, e.IntsSince(m)))
	case reflect.Uint16, reflect.Uint32, reflect.Uint, reflect.Uint64, reflect.Uintptr:
		for i := 0; i < n; i++ {
			if v.Index(i).Uint() > math.MaxInt64 {
				return false // a group of Uint fields keeps them exact
			}
		}
		m := e.IntsMark()
		for i := 0; i < n; i++ {
			e.PushInt(int64(v.Index(i).Uint()))
		}
		e.Add(Ints(k, e.IntsSince(m)))
	case reflect.Float32, reflect.Float64:
		m := e.FloatsMark()
		for i := 0; i < n; i++ {
			f := v.Index(i).Float()
			if et.Kind() == reflect.Float32 {
				f = float32to64(float32(f))
			}
			e.PushFloat(f)
		}
		e.Add(Floats(k, e.FloatsSince(m)))
	case reflect.Bool:
		m := e.BoolsMark()
		for i := 0; i < n; i++ {
			e.PushBool(v.Index(i).Bool())
		}
		e.Add(Bools(k, e.BoolsSince(m)))
	default:
		return false
	}
	return true
}

// textOf returns the string addAny writes for a value whose first
// applicable method is Error, String or MarshalText.
func textOf(x any) string {
	switch x := x.(type) {
	case error:
		return callError(x)
	case fmt.Stringer:
		return callString(x)
	case encoding.TextMarshaler:
		return callMarshalText(x)
	}
	return ""
}
