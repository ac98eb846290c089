package core

import (
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
	"unsafe"
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
)

// typeInfo is what the conversion needs to know about a type, computed
// once per type (see typeInfoOf).
type typeInfo struct {
	methods    bool          // implements error, json.Marshaler, fmt.Stringer or encoding.TextMarshaler
	ptrMethods bool          // only its pointer type does
	text       bool          // methods, and the first that applies yields a string (not JSON)
	fields     []structField // a struct's fields as encoding/json sees them
	flat       bool          // a struct of plain scalars only, read straight from memory (addFlat)
}

type structField struct {
	index     int
	offset    uintptr
	name      string
	code      scalarCode
	omitEmpty bool
	omitZero  bool
	inline    bool // an embedded struct (or pointer to one) whose fields are promoted
}

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
			if f.code == codeReflect || f.inline {
				ti.flat = false
			}
		}
	}
	v, _ := anyTypes.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

// structFields lists t's fields by encoding/json's rules: exported fields,
// named by their "json" tag, "-" skipped, embedded structs promoted.
func structFields(t reflect.Type) []structField {
	var fs []structField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := structField{index: i, offset: sf.Offset, name: name, code: scalarCodeOf(sf.Type)}
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !sf.IsExported() && ft.Kind() != reflect.Struct {
				continue
			}
			f.inline = name == "" && ft.Kind() == reflect.Struct
		} else if !sf.IsExported() {
			continue
		}
		if f.name == "" {
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
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// addReflect adds v as the field k. Values with formatting methods go back
// to addAny; pointers and interfaces are followed; structs, maps and
// lists of non-scalars become groups.
func (e *Entry) addReflect(k string, v reflect.Value, depth int) {
	if depth > maxAnyDepth {
		e.Add(String(k, maxDepthText))
		return
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
		e.addRawJSON(k, v.Bytes())
		return
	}
	switch kind {
	case reflect.Interface:
		if v.IsNil() {
			e.Add(jsonNull(k))
			return
		}
		if !v.CanInterface() { // reached through an unexported embedded struct
			e.addReflect(k, v.Elem(), depth+1)
			return
		}
		e.addAny(k, v.Interface(), depth+1)
		return
	case reflect.Pointer:
		if v.IsNil() {
			e.Add(jsonNull(k))
			return
		}
		if t.NumMethod() > 0 && v.CanInterface() && typeInfoOf(t).methods {
			e.addAny(k, v.Interface(), depth+1)
			return
		}
		if et := t.Elem(); et.Kind() == reflect.Struct {
			if ti := typeInfoOf(et); ti.flat {
				e.addFlat(k, v.UnsafePointer(), ti)
				return
			}
		}
		// What a pointer points to is addressable: its pointer methods
		// may be called, as encoding/json does.
		e.addReflect(k, v.Elem(), depth+1)
		return
	}
	if t.NumMethod() > 0 || kind == reflect.Struct {
		ti := typeInfoOf(t)
		if (ti.methods || ti.ptrMethods) && v.CanInterface() {
			if x, ok := methodValue(v, ti); ok {
				e.addAny(k, x, depth+1)
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
		e.Add(Int(k, v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.Add(Uint(k, v.Uint()))
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

func (e *Entry) addStruct(k string, v reflect.Value, ti *typeInfo, depth int) {
	e.OpenGroup(k)
	var base unsafe.Pointer // the struct's address, when it has one
	if v.CanAddr() {
		base = v.Addr().UnsafePointer()
	}
	for i := range ti.fields {
		f := &ti.fields[i]
		if f.code != codeReflect && base != nil {
			var fl Field
			if scalarField(f, unsafe.Add(base, f.offset), &fl) {
				e.Add(fl)
			}
			continue
		}
		fv := v.Field(f.index)
		if f.inline {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			e.addReflect("", fv, depth+1) // a group without a name is inlined
			continue
		}
		if f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		e.addReflect(f.name, fv, depth+1)
	}
	e.CloseGroup(false)
}

// isZero is encoding/json's omitzero test for the types this package
// knows: time.Time's IsZero method, else the zero value.
func isZero(v reflect.Value) bool {
	if v.Kind() == reflect.Struct && v.Type() == timeType {
		if t, ok := timeOf(v); ok {
			return t.IsZero()
		}
	}
	return v.IsZero()
}

// scalarField writes to fl the struct field f whose value is at p, as
// addReflect would add it; false when omitempty or omitzero omit it. It
// writes in place: a Field is large to return and copy again.
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
		*fl, zero = Int(f.name, int64(v)), v == 0
	case codeInt8:
		v := *(*int8)(p)
		*fl, zero = Int(f.name, int64(v)), v == 0
	case codeInt16:
		v := *(*int16)(p)
		*fl, zero = Int(f.name, int64(v)), v == 0
	case codeInt32:
		v := *(*int32)(p)
		*fl, zero = Int(f.name, int64(v)), v == 0
	case codeInt64:
		v := *(*int64)(p)
		*fl, zero = Int(f.name, v), v == 0
	case codeUint:
		v := *(*uint)(p)
		*fl, zero = Uint(f.name, uint64(v)), v == 0
	case codeUint8:
		v := *(*uint8)(p)
		*fl, zero = Uint(f.name, uint64(v)), v == 0
	case codeUint16:
		v := *(*uint16)(p)
		*fl, zero = Uint(f.name, uint64(v)), v == 0
	case codeUint32:
		v := *(*uint32)(p)
		*fl, zero = Uint(f.name, uint64(v)), v == 0
	case codeUint64:
		v := *(*uint64)(p)
		*fl, zero = Uint(f.name, v), v == 0
	case codeUintptr:
		v := *(*uintptr)(p)
		*fl, zero = Uint(f.name, uint64(v)), v == 0
	case codeFloat32:
		v := *(*float32)(p)
		*fl, zero = Float(f.name, float32to64(v)), v == 0 && !math.Signbit(float64(v))
	case codeFloat64:
		v := *(*float64)(p)
		*fl, zero = Float(f.name, v), v == 0 && !math.Signbit(v)
	case codeDuration:
		v := *(*time.Duration)(p)
		*fl, zero = Duration(f.name, v), v == 0
	case codeTime:
		t := (*time.Time)(p)
		*fl = Time(f.name, *t)
		return !f.omitZero || !t.IsZero()
	default:
		*fl = Field{} // not a scalar: callers do not pass one
	}
	return !zero || !f.omitEmpty && !f.omitZero
}

// isEmpty is encoding/json's omitempty test.
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
	if depth >= maxAnyDepth {
		e.Add(String(k, maxDepthText))
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
		if e.addScalars(k, v, et, n) {
			return
		}
	}
	if n == 0 {
		e.Add(Strings(k, nil))
		return
	}
	if v.Kind() == reflect.Slice && e.addFlatList(k, v, et, n) {
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
func (e *Entry) addFlatList(k string, v reflect.Value, et reflect.Type, n int) bool {
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
	if ti == nil || !ti.flat {
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

// addScalars adds a list of scalars as a repeated field; false when the
// element type is not a scalar one.
func (e *Entry) addScalars(k string, v reflect.Value, et reflect.Type, n int) bool {
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
