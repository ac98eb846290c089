package core

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// Kind is a field value's wire type. The first five match Heka's
// Field.ValueType numbers; Group and JSON are metlog-go's additions and are
// written as nested objects (JSON) or dotted names / JSON strings (Heka).
type Kind uint8

// Field kinds.
const (
	KindString Kind = iota // Heka STRING (0)
	KindBytes              // Heka BYTES (1); base64 in the JSON envelope
	KindInt                // Heka INTEGER (2), int64
	KindFloat              // Heka DOUBLE (3), float64
	KindBool               // Heka BOOL (4)
	KindGroup              // nested fields: an object in JSON, "name.child" in Heka
	KindJSON               // a raw JSON value: inlined in JSON, a string with representation "json" in Heka

	// Kinds below are encodings of the kinds above, chosen so constructors
	// need not allocate; Kind() reports the wire kind.
	kindTime // a time.Time as unix seconds in num and nanoseconds in n, written as an RFC 3339 string
	kindUint // a uint64 in num: an integer when it fits int64, else a decimal string
)

var kindNames = [...]string{"string", "bytes", "int", "float", "bool", "group", "json"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Field is one named, typed value of a message, or a repeated value of one
// type, with an optional representation (a unit or format hint such as "ms").
//
// Fields are built with the constructors in this package (String, Int,
// Ints, Group, ...). A Field refers to the memory it was built from (a
// slice's backing array, a string's bytes) and copies nothing: scalar
// constructors never allocate. Do not modify a slice passed to a constructor
// until the message holding the field has been sent.
type Field struct {
	// Name is the field's name. An empty name is written as "_"; an empty
	// Group name inlines the group's fields into its parent (slog's rule).
	Name string
	// Representation is an optional unit or format hint ("ms", "count").
	// Heka carries it; the Metlog JSON envelope has no place for it.
	Representation string

	ptr   unsafe.Pointer // string/bytes data, slice backing array, or group fields
	n     int            // length of the data at ptr
	num   uint64         // scalar int, float bits, bool, time or uint
	kind  Kind
	multi bool // repeated: ptr/n is a slice of values
}

// String returns a string field.
func String(name, v string) Field {
	return Field{Name: name, kind: KindString, ptr: unsafe.Pointer(unsafe.StringData(v)), n: len(v)}
}

// Bytes returns a bytes field. The JSON envelope writes it as base64.
func Bytes(name string, v []byte) Field {
	return Field{Name: name, kind: KindBytes, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// Int returns an integer field (as zap.Int and slog.Int).
func Int(name string, v int) Field {
	return Field{Name: name, kind: KindInt, num: uint64(v)}
}

// Int64 returns an integer field.
func Int64(name string, v int64) Field {
	return Field{Name: name, kind: KindInt, num: uint64(v)}
}

// Uint64 returns an unsigned integer field. Values above math.MaxInt64 are
// exact decimal numbers in JSON and decimal strings in Heka, whose integer
// type is signed.
func Uint64(name string, v uint64) Field {
	return Field{Name: name, kind: kindUint, num: v}
}

// Float returns a floating-point field. NaN and ±Inf are written as the
// strings "NaN", "+Inf" and "-Inf" in JSON and as doubles in Heka.
func Float(name string, v float64) Field {
	return Field{Name: name, kind: KindFloat, num: math.Float64bits(v)}
}

// Bool returns a boolean field.
func Bool(name string, v bool) Field {
	f := Field{Name: name, kind: KindBool}
	if v {
		f.num = 1
	}
	return f
}

// Time returns a field holding t as an RFC 3339 string with nanoseconds
// (trailing zeros dropped, as time.RFC3339Nano), in UTC. Any year works,
// the zero time.Time included.
func Time(name string, t time.Time) Field {
	return Field{Name: name, kind: kindTime, num: uint64(t.Unix()), n: t.Nanosecond()}
}

// Duration returns an integer field of nanoseconds with representation "ns".
func Duration(name string, d time.Duration) Field {
	return Field{Name: name, Representation: "ns", kind: KindInt, num: uint64(d)}
}

// Strings returns a repeated string field.
func Strings(name string, v []string) Field {
	return Field{Name: name, kind: KindString, multi: true, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// ByteSlices returns a repeated bytes field.
func ByteSlices(name string, v [][]byte) Field {
	return Field{Name: name, kind: KindBytes, multi: true, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// Ints returns a repeated integer field (a packed array in Heka).
func Ints(name string, v []int64) Field {
	return Field{Name: name, kind: KindInt, multi: true, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// Floats returns a repeated floating-point field (a packed array in Heka).
func Floats(name string, v []float64) Field {
	return Field{Name: name, kind: KindFloat, multi: true, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// Bools returns a repeated boolean field (a packed array in Heka).
func Bools(name string, v []bool) Field {
	return Field{Name: name, kind: KindBool, multi: true, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// Group returns a field holding nested fields: a nested object in the JSON
// envelope, dotted names ("http.status") in Heka. A group with an empty
// name is inlined into its parent.
func Group(name string, fields ...Field) Field {
	return Field{Name: name, kind: KindGroup, ptr: unsafe.Pointer(unsafe.SliceData(fields)), n: len(fields)}
}

// RawJSON returns a field holding an already-encoded JSON value. The JSON
// envelope inlines it when it is valid JSON and writes it as a string
// otherwise; Heka writes it as a string with representation "json".
func RawJSON(name string, v []byte) Field {
	return Field{Name: name, kind: KindJSON, ptr: unsafe.Pointer(unsafe.SliceData(v)), n: len(v)}
}

// WithRepresentation returns a copy of f with its representation set.
func (f Field) WithRepresentation(rep string) Field {
	f.Representation = rep
	return f
}

// Kind returns the field's wire kind.
func (f Field) Kind() Kind {
	switch f.kind {
	case kindTime:
		return KindString
	case kindUint:
		if f.num > math.MaxInt64 {
			return KindString
		}
		return KindInt
	}
	return f.kind
}

// Repeated reports whether the field holds a list of values (built by
// Strings, Ints, ... or decoded from a field with several values).
func (f Field) Repeated() bool { return f.multi }

// Len returns the number of values: the list length of a repeated field, the
// number of fields of a group, and 1 for any other field.
func (f Field) Len() int {
	if f.multi || f.kind == KindGroup {
		return f.n
	}
	return 1
}

// Str returns a string field's value. Time fields and unsigned integers
// above math.MaxInt64 return their string form.
func (f Field) Str() string {
	switch f.kind {
	case KindString:
		if !f.multi {
			return unsafe.String((*byte)(f.ptr), f.n)
		}
	case kindTime:
		return string(jsontext.AppendRFC3339(nil, int64(f.num), f.n))
	case kindUint:
		return string(appendUint(nil, f.num))
	}
	return ""
}

// BytesValue returns a bytes or raw-JSON field's value.
func (f Field) BytesValue() []byte {
	if (f.kind == KindBytes || f.kind == KindJSON) && !f.multi {
		return unsafe.Slice((*byte)(f.ptr), f.n)
	}
	return nil
}

// IntValue returns an integer field's value.
func (f Field) IntValue() int64 {
	if (f.kind == KindInt || f.kind == kindUint) && !f.multi {
		return int64(f.num)
	}
	return 0
}

// FloatValue returns a floating-point field's value.
func (f Field) FloatValue() float64 {
	if f.kind == KindFloat && !f.multi {
		return math.Float64frombits(f.num)
	}
	return 0
}

// BoolValue returns a boolean field's value.
func (f Field) BoolValue() bool { return f.kind == KindBool && !f.multi && f.num != 0 }

// StringsValue returns a repeated string field's values.
func (f Field) StringsValue() []string {
	if f.kind == KindString && f.multi {
		return unsafe.Slice((*string)(f.ptr), f.n)
	}
	return nil
}

// ByteSlicesValue returns a repeated bytes field's values.
func (f Field) ByteSlicesValue() [][]byte {
	if f.kind == KindBytes && f.multi {
		return unsafe.Slice((*[]byte)(f.ptr), f.n)
	}
	return nil
}

// IntsValue returns a repeated integer field's values.
func (f Field) IntsValue() []int64 {
	if f.kind == KindInt && f.multi {
		return unsafe.Slice((*int64)(f.ptr), f.n)
	}
	return nil
}

// FloatsValue returns a repeated floating-point field's values.
func (f Field) FloatsValue() []float64 {
	if f.kind == KindFloat && f.multi {
		return unsafe.Slice((*float64)(f.ptr), f.n)
	}
	return nil
}

// BoolsValue returns a repeated boolean field's values.
func (f Field) BoolsValue() []bool {
	if f.kind == KindBool && f.multi {
		return unsafe.Slice((*bool)(f.ptr), f.n)
	}
	return nil
}

// GroupValue returns a group field's nested fields.
func (f Field) GroupValue() []Field {
	if f.kind == KindGroup {
		return unsafe.Slice((*Field)(f.ptr), f.n)
	}
	return nil
}

// Value returns the field's value as a Go value, for tests and tools:
// string, []byte, int64, uint64 (above math.MaxInt64), float64, bool, the
// slice types of repeated fields, []Field for groups and json.RawMessage-
// like []byte for raw JSON. It allocates; encoders never call it.
func (f Field) Value() any {
	if f.multi {
		switch f.kind {
		case KindString:
			return f.StringsValue()
		case KindBytes:
			return f.ByteSlicesValue()
		case KindInt:
			return f.IntsValue()
		case KindFloat:
			return f.FloatsValue()
		case KindBool:
			return f.BoolsValue()
		}
	}
	switch f.kind {
	case KindString, kindTime:
		return f.Str()
	case KindBytes, KindJSON:
		return f.BytesValue()
	case KindInt:
		return int64(f.num)
	case kindUint:
		if f.num > math.MaxInt64 {
			return f.num
		}
		return int64(f.num)
	case KindFloat:
		return f.FloatValue()
	case KindBool:
		return f.num != 0
	case KindGroup:
		return f.GroupValue()
	}
	return nil
}

// str returns the string at ptr/n without checks (KindString scalars and
// KindJSON/KindBytes data viewed as a string).
func (f *Field) str() string { return unsafe.String((*byte)(f.ptr), f.n) }

// String returns the field as name=value, for printing (fmt's %v): strings
// as they are, numbers and booleans as Go writes them, times as RFC 3339,
// bytes as base64, raw JSON as its text, repeated values as [a b c] and
// groups as {name=value ...}. An empty name prints as "_".
func (f Field) String() string { return string(f.appendText(nil)) }

func (f *Field) appendText(dst []byte) []byte {
	if f.Name == "" {
		dst = append(dst, '_')
	} else {
		dst = append(dst, f.Name...)
	}
	dst = append(dst, '=')
	if f.kind == KindGroup {
		dst = append(dst, '{')
		for i, g := range f.GroupValue() {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = g.appendText(dst)
		}
		return append(dst, '}')
	}
	if f.kind == KindJSON {
		return append(dst, f.str()...)
	}
	if !f.multi {
		return appendValueText(dst, f.Value())
	}
	dst = append(dst, '[')
	v := reflect.ValueOf(f.Value())
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendValueText(dst, v.Index(i).Interface())
	}
	return append(dst, ']')
}

func appendValueText(dst []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(dst, x...)
	case []byte:
		return base64.StdEncoding.AppendEncode(dst, x)
	case float64:
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	}
	return fmt.Append(dst, v)
}
