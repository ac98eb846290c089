package zapmetlog

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/zap/zapcore"
)

// encoder is the zapcore.ObjectEncoder of one entry (or of With's fields):
// it adds fields to a core.Entry. Arrays go through arr, and JSON text
// through js; both write formatted text into buf.
type encoder struct {
	e   *core.Entry
	buf []byte // text the entry's fields refer to until it is sent
	arr arrayEncoder
	js  jsonEncoder

	with  bool        // encoding With's context: top-level namespaces go to scope
	scope *core.Scope // With's scope so far
	depth int         // objects open; namespaces opened in one close with it

	// top and src back the entry's Message.TopFields (caller and stack
	// trace), which core.Entry has no scratch for.
	top [2]core.Field
	src [3]core.Field
}

var (
	_ zapcore.ObjectEncoder = (*encoder)(nil)
	_ zapcore.ArrayEncoder  = (*arrayEncoder)(nil)
	_ zapcore.ObjectEncoder = (*jsonEncoder)(nil)
	_ zapcore.ArrayEncoder  = (*jsonEncoder)(nil)
)

var encoderPool = sync.Pool{New: func() any {
	x := new(encoder)
	x.arr.x = x
	x.js.x = x
	return x
}}

// maxPooledText bounds the text scratch a pooled encoder keeps.
const maxPooledText = 64 << 10

var nullJSON = []byte("null")

func getEncoder() *encoder {
	x := encoderPool.Get().(*encoder)
	x.e = core.GetEntry()
	return x
}

func putEncoder(x *encoder) {
	x.e.Free()
	x.e, x.scope, x.with, x.depth = nil, nil, false, 0
	x.top, x.src = [2]core.Field{}, [3]core.Field{} // drop the entry's strings
	if cap(x.buf) > maxPooledText {
		x.buf = nil
	}
	x.buf = x.buf[:0]
	encoderPool.Put(x)
}

// textSince returns the text appended to buf since mark. It stays valid
// while the entry is in use: buf only grows, and a reallocation leaves the
// old array to the strings that refer to it.
func (x *encoder) textSince(mark int) string {
	if len(x.buf) == mark {
		return ""
	}
	return unsafe.String(&x.buf[mark], len(x.buf)-mark)
}

// addField adds one zap field, with a direct case for each type that needs
// no help from zap, and zap's own AddTo for Stringers and errors (nil
// pointers, panics, verbose errors and error groups as zap handles them).
func (x *encoder) addField(f *zapcore.Field) {
	e := x.e
	switch f.Type {
	case zapcore.StringType:
		e.Add(core.String(f.Key, f.String))
	case zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type:
		e.Add(core.Int64(f.Key, f.Integer))
	case zapcore.Uint64Type, zapcore.Uint32Type, zapcore.Uint16Type, zapcore.Uint8Type, zapcore.UintptrType:
		e.Add(core.Uint64(f.Key, uint64(f.Integer)))
	case zapcore.BoolType:
		e.Add(core.Bool(f.Key, f.Integer == 1))
	case zapcore.Float64Type:
		e.Add(core.Float(f.Key, math.Float64frombits(uint64(f.Integer))))
	case zapcore.Float32Type:
		e.Add(core.Float(f.Key, widen(math.Float32frombits(uint32(f.Integer)))))
	case zapcore.DurationType:
		e.Add(core.Duration(f.Key, time.Duration(f.Integer)))
	case zapcore.TimeType: // the location does not matter: times are written in UTC
		e.Add(core.Time(f.Key, time.Unix(0, f.Integer)))
	case zapcore.TimeFullType:
		t, _ := f.Interface.(time.Time)
		x.AddTime(f.Key, t)
	case zapcore.BinaryType:
		b, _ := f.Interface.([]byte)
		e.Add(core.Bytes(f.Key, b))
	case zapcore.ByteStringType:
		b, _ := f.Interface.([]byte)
		x.AddByteString(f.Key, b)
	case zapcore.Complex128Type:
		c, _ := f.Interface.(complex128)
		x.AddComplex128(f.Key, c)
	case zapcore.Complex64Type:
		c, _ := f.Interface.(complex64)
		x.AddComplex64(f.Key, c)
	case zapcore.ArrayMarshalerType:
		if m, ok := f.Interface.(zapcore.ArrayMarshaler); ok {
			x.addError(f.Key, x.AddArray(f.Key, m))
		} else {
			e.Add(core.RawJSON(f.Key, nullJSON)) // as zap.Array(key, nil) is
		}
	case zapcore.ObjectMarshalerType:
		if m, ok := f.Interface.(zapcore.ObjectMarshaler); ok {
			x.addError(f.Key, x.AddObject(f.Key, m))
		} else {
			e.Add(core.RawJSON(f.Key, nullJSON)) // as zap.Object(key, nil) is
		}
	case zapcore.InlineMarshalerType:
		if m, ok := f.Interface.(zapcore.ObjectMarshaler); ok {
			x.addError(f.Key, x.inline(m))
		}
	case zapcore.ReflectType:
		x.addError(f.Key, x.AddReflected(f.Key, f.Interface))
	case zapcore.NamespaceType:
		x.OpenNamespace(f.Key)
	case zapcore.SkipType:
	case zapcore.StringerType:
		f.AddTo(x)
	case zapcore.ErrorType:
		if _, ok := f.Interface.(error); !ok { // AddTo would panic
			e.Add(core.String(f.Key, "<nil>"))
			return
		}
		f.AddTo(x)
	default: // zap panics on unknown types; record it instead
		x.addError(f.Key, fmt.Errorf("unknown field type %d", f.Type))
	}
}

// addError records a marshaling error as zap does: a "<key>Error" field.
func (x *encoder) addError(key string, err error) {
	if err == nil {
		return
	}
	m := len(x.buf)
	x.buf = append(append(x.buf, key...), "Error"...)
	x.e.AddError(x.textSince(m), err) // recovers a panicking Error method
}

// panicError is the error recorded for a recovered panic, in zap's words.
func panicError(r any) error { return fmt.Errorf("PANIC=%v", r) }

// groupName is the name of an object or namespace group: core inlines a
// group with an empty name, zap keeps the empty key, "_" is core's name
// for an empty one.
func groupName(key string) string {
	if key == "" {
		return "_"
	}
	return key
}

// flushScope returns the scope holding the context so far, and starts a
// new entry for what follows.
func (x *encoder) flushScope() *core.Scope {
	s := x.scope.With(x.e.Fields()...)
	x.e.Free()
	x.e = core.GetEntry()
	return s
}

// AddArray adds an array: a repeated field, or RawJSON (see arrayEncoder).
func (x *encoder) AddArray(key string, m zapcore.ArrayMarshaler) (err error) {
	a := &x.arr
	a.begin()
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	err = m.MarshalLogArray(a)
	x.e.Add(a.field(key))
	return err
}

// AddObject adds an object as a group.
func (x *encoder) AddObject(key string, m zapcore.ObjectMarshaler) (err error) {
	e := x.e
	d := e.Depth()
	e.OpenGroup(groupName(key))
	x.depth++
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
		x.depth--
		for e.Depth() > d { // namespaces opened in the object, and the object
			e.CloseGroup(false)
		}
	}()
	return m.MarshalLogObject(x)
}

// inline adds an object's fields to the current level (zap.Inline); like
// zap, namespaces it opens stay open.
func (x *encoder) inline(m zapcore.ObjectMarshaler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return m.MarshalLogObject(x)
}

// OpenNamespace opens a group holding every later field of the current
// object; at With's top level, a group of the scope.
func (x *encoder) OpenNamespace(key string) {
	if x.with && x.depth == 0 {
		x.scope = x.flushScope().WithGroup(groupName(key))
		return
	}
	x.e.OpenGroup(groupName(key))
}

// AddReflected adds v (zap.Any of a type zap has no field type for,
// zap.Reflect) by core's conversion, as the other adapters add values of
// any type (core.Entry.AddAny): structs and maps are groups by
// encoding/json's field rules, under the one depth limit. It never fails:
// what encoding/json would refuse, and panics in v's methods, are written
// as AddAny writes them.
func (x *encoder) AddReflected(key string, v any) error {
	x.e.AddAny(key, v)
	return nil
}

// appendReflected appends v as JSON (encoding/json without HTML escaping,
// as zap's JSON encoder writes it) and appends nothing on failure: a
// reflected value inside an array that is JSON text (see arrayEncoder).
func (x *encoder) appendReflected(v any) (err error) {
	if v == nil {
		x.buf = append(x.buf, nullJSON...)
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	m := len(x.buf)
	enc := json.NewEncoder((*bufWriter)(x))
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		x.buf = x.buf[:m]
		return err
	}
	if n := len(x.buf); n > m && x.buf[n-1] == '\n' {
		x.buf = x.buf[:n-1]
	}
	return nil
}

// bufWriter is an io.Writer appending to the encoder's text.
type bufWriter encoder

func (w *bufWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// AddBinary adds bytes.
func (x *encoder) AddBinary(key string, v []byte) { x.e.Add(core.Bytes(key, v)) }

// AddByteString adds UTF-8 bytes as a string, without copying them.
func (x *encoder) AddByteString(key string, v []byte) { x.e.Add(core.String(key, bytesString(v))) }

// AddBool adds a bool.
func (x *encoder) AddBool(key string, v bool) { x.e.Add(core.Bool(key, v)) }

// AddComplex128 adds a string such as "1+2i".
func (x *encoder) AddComplex128(key string, v complex128) {
	m := len(x.buf)
	x.buf = appendComplex(x.buf, v, 64)
	x.e.Add(core.String(key, x.textSince(m)))
}

// AddComplex64 adds a string such as "1+2i".
func (x *encoder) AddComplex64(key string, v complex64) {
	m := len(x.buf)
	x.buf = appendComplex(x.buf, complex128(v), 32)
	x.e.Add(core.String(key, x.textSince(m)))
}

// AddDuration adds nanoseconds with representation "ns".
func (x *encoder) AddDuration(key string, v time.Duration) { x.e.Add(core.Duration(key, v)) }

// AddFloat64 adds a float.
func (x *encoder) AddFloat64(key string, v float64) { x.e.Add(core.Float(key, v)) }

// AddFloat32 adds a float (see widen).
func (x *encoder) AddFloat32(key string, v float32) { x.e.Add(core.Float(key, widen(v))) }

// AddInt adds an integer.
func (x *encoder) AddInt(key string, v int) { x.e.Add(core.Int64(key, int64(v))) }

// AddInt64 adds an integer.
func (x *encoder) AddInt64(key string, v int64) { x.e.Add(core.Int64(key, v)) }

// AddInt32 adds an integer.
func (x *encoder) AddInt32(key string, v int32) { x.e.Add(core.Int64(key, int64(v))) }

// AddInt16 adds an integer.
func (x *encoder) AddInt16(key string, v int16) { x.e.Add(core.Int64(key, int64(v))) }

// AddInt8 adds an integer.
func (x *encoder) AddInt8(key string, v int8) { x.e.Add(core.Int64(key, int64(v))) }

// AddString adds a string.
func (x *encoder) AddString(key, v string) { x.e.Add(core.String(key, v)) }

// AddTime adds an RFC 3339 string in UTC.
func (x *encoder) AddTime(key string, v time.Time) { x.e.Add(core.Time(key, v)) }

// AddUint adds an unsigned integer.
func (x *encoder) AddUint(key string, v uint) { x.e.Add(core.Uint64(key, uint64(v))) }

// AddUint64 adds an unsigned integer.
func (x *encoder) AddUint64(key string, v uint64) { x.e.Add(core.Uint64(key, v)) }

// AddUint32 adds an unsigned integer.
func (x *encoder) AddUint32(key string, v uint32) { x.e.Add(core.Uint64(key, uint64(v))) }

// AddUint16 adds an unsigned integer.
func (x *encoder) AddUint16(key string, v uint16) { x.e.Add(core.Uint64(key, uint64(v))) }

// AddUint8 adds an unsigned integer.
func (x *encoder) AddUint8(key string, v uint8) { x.e.Add(core.Uint64(key, uint64(v))) }

// AddUintptr adds an unsigned integer.
func (x *encoder) AddUintptr(key string, v uintptr) { x.e.Add(core.Uint64(key, uint64(v))) }

// Value formatting shared by the encoders.

func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// widen returns the float64 nearest a float32's shortest decimal form, so
// that float32(0.1) is written 0.1, as zap writes it, not 0.10000000149.
func widen(v float32) float64 {
	var b [32]byte
	s := strconv.AppendFloat(b[:0], float64(v), 'g', -1, 32)
	f, err := strconv.ParseFloat(bytesString(s), 64)
	if err != nil {
		return float64(v)
	}
	return f
}

// appendComplex writes v as zap's JSON encoder does: "1+2i", each part in
// the shortest form for its precision.
func appendComplex(dst []byte, v complex128, bits int) []byte {
	r, i := real(v), imag(v)
	dst = strconv.AppendFloat(dst, r, 'f', -1, bits)
	if i >= 0 {
		dst = append(dst, '+')
	}
	dst = strconv.AppendFloat(dst, i, 'f', -1, bits)
	return append(dst, 'i')
}
