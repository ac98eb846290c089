package zapmetlog

import (
	"math"
	"strconv"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"go.uber.org/zap/zapcore"
)

// arrayKind is what an array holds so far.
type arrayKind uint8

const (
	arrEmpty  arrayKind = iota
	arrInt              // integers and durations: core.Ints
	arrFloat            // core.Floats
	arrString           // strings, byte strings, times, complex numbers: core.Strings
	arrBool             // core.Bools
	arrJSON             // anything else: JSON text in encoder.buf, then core.RawJSON
)

// arrayEncoder is the zapcore.ArrayEncoder of a field's array. While every
// element has the same scalar kind it collects them in the entry's scratch
// (Push*), to become one repeated field. The first element of another
// kind, and any nested array, object or reflected value, turns the array
// into JSON text: the elements so far are written as JSON, and the rest
// goes through the JSON encoder.
type arrayEncoder struct {
	x    *encoder
	kind arrayKind
	mark int // where the elements start: in the kind's scratch, or in x.buf
}

func (a *arrayEncoder) begin() {
	a.kind = arrEmpty
	a.x.js.ns = 0
}

// field returns the array's field.
func (a *arrayEncoder) field(key string) core.Field {
	e := a.x.e
	switch a.kind {
	case arrInt:
		return core.Ints(key, e.IntsSince(a.mark))
	case arrFloat:
		return core.Floats(key, e.FloatsSince(a.mark))
	case arrString:
		return core.Strings(key, e.StringsSince(a.mark))
	case arrBool:
		return core.Bools(key, e.BoolsSince(a.mark))
	case arrJSON:
		x := a.x
		x.buf = append(x.buf, ']')
		return core.RawJSON(key, x.buf[a.mark:len(x.buf):len(x.buf)])
	}
	return core.Strings(key, nil)
}

// scalar reports whether the next element, of kind k, goes to the scratch;
// if not, the array is JSON and the caller writes the element with js.
func (a *arrayEncoder) scalar(k arrayKind) bool {
	switch a.kind {
	case k:
		return true
	case arrEmpty:
		e := a.x.e
		switch k {
		case arrInt:
			a.mark = e.IntsMark()
		case arrFloat:
			a.mark = e.FloatsMark()
		case arrString:
			a.mark = e.StringsMark()
		case arrBool:
			a.mark = e.BoolsMark()
		}
		a.kind = k
		return true
	}
	a.toJSON()
	return false
}

// toJSON turns the array into JSON text, writing the elements so far.
func (a *arrayEncoder) toJSON() {
	if a.kind == arrJSON {
		return
	}
	x := a.x
	m := len(x.buf)
	x.buf = append(x.buf, '[')
	e := x.e
	switch a.kind {
	case arrInt:
		for i, v := range e.IntsSince(a.mark) {
			x.buf = strconv.AppendInt(comma(x.buf, i), v, 10)
		}
	case arrFloat:
		for i, v := range e.FloatsSince(a.mark) {
			x.buf = jsontext.AppendFloat(comma(x.buf, i), v)
		}
	case arrString:
		for i, v := range e.StringsSince(a.mark) {
			x.buf = jsontext.AppendString(comma(x.buf, i), v)
		}
	case arrBool:
		for i, v := range e.BoolsSince(a.mark) {
			x.buf = strconv.AppendBool(comma(x.buf, i), v)
		}
	}
	a.kind, a.mark = arrJSON, m
}

func comma(b []byte, i int) []byte {
	if i > 0 {
		return append(b, ',')
	}
	return b
}

func (a *arrayEncoder) pushString(s string) {
	if a.scalar(arrString) {
		a.x.e.PushString(s)
	} else {
		a.x.js.AppendString(s)
	}
}

// AppendBool appends a bool.
func (a *arrayEncoder) AppendBool(v bool) {
	if a.scalar(arrBool) {
		a.x.e.PushBool(v)
	} else {
		a.x.js.AppendBool(v)
	}
}

// AppendByteString appends UTF-8 bytes as a string, without copying them.
func (a *arrayEncoder) AppendByteString(v []byte) { a.pushString(bytesString(v)) }

// AppendComplex128 appends a string such as "1+2i".
func (a *arrayEncoder) AppendComplex128(v complex128) { a.appendComplex(v, 64) }

// AppendComplex64 appends a string such as "1+2i".
func (a *arrayEncoder) AppendComplex64(v complex64) { a.appendComplex(complex128(v), 32) }

func (a *arrayEncoder) appendComplex(v complex128, bits int) {
	x := a.x
	m := len(x.buf)
	x.buf = appendComplex(x.buf, v, bits)
	if a.kind == arrString || a.kind == arrEmpty {
		a.pushString(x.textSince(m))
		return
	}
	x.buf = x.buf[:m] // the array is or becomes JSON: write it there
	a.toJSON()
	x.js.appendComplex(v, bits)
}

// AppendFloat64 appends a float.
func (a *arrayEncoder) AppendFloat64(v float64) {
	if a.scalar(arrFloat) {
		a.x.e.PushFloat(v)
	} else {
		a.x.js.AppendFloat64(v)
	}
}

// AppendFloat32 appends a float (see widen).
func (a *arrayEncoder) AppendFloat32(v float32) { a.AppendFloat64(widen(v)) }

// AppendInt appends an integer.
func (a *arrayEncoder) AppendInt(v int) { a.AppendInt64(int64(v)) }

// AppendInt64 appends an integer.
func (a *arrayEncoder) AppendInt64(v int64) {
	if a.scalar(arrInt) {
		a.x.e.PushInt(v)
	} else {
		a.x.js.AppendInt64(v)
	}
}

// AppendInt32 appends an integer.
func (a *arrayEncoder) AppendInt32(v int32) { a.AppendInt64(int64(v)) }

// AppendInt16 appends an integer.
func (a *arrayEncoder) AppendInt16(v int16) { a.AppendInt64(int64(v)) }

// AppendInt8 appends an integer.
func (a *arrayEncoder) AppendInt8(v int8) { a.AppendInt64(int64(v)) }

// AppendString appends a string.
func (a *arrayEncoder) AppendString(v string) { a.pushString(v) }

// AppendUint appends an unsigned integer.
func (a *arrayEncoder) AppendUint(v uint) { a.AppendUint64(uint64(v)) }

// AppendUint64 appends an unsigned integer; one beyond int64 makes the
// array JSON, which holds it exactly.
func (a *arrayEncoder) AppendUint64(v uint64) {
	if v <= math.MaxInt64 {
		a.AppendInt64(int64(v))
		return
	}
	a.toJSON()
	a.x.js.AppendUint64(v)
}

// AppendUint32 appends an unsigned integer.
func (a *arrayEncoder) AppendUint32(v uint32) { a.AppendInt64(int64(v)) }

// AppendUint16 appends an unsigned integer.
func (a *arrayEncoder) AppendUint16(v uint16) { a.AppendInt64(int64(v)) }

// AppendUint8 appends an unsigned integer.
func (a *arrayEncoder) AppendUint8(v uint8) { a.AppendInt64(int64(v)) }

// AppendUintptr appends an unsigned integer.
func (a *arrayEncoder) AppendUintptr(v uintptr) { a.AppendUint64(uint64(v)) }

// AppendDuration appends nanoseconds.
func (a *arrayEncoder) AppendDuration(v time.Duration) { a.AppendInt64(int64(v)) }

// AppendTime appends an RFC 3339 string in UTC.
func (a *arrayEncoder) AppendTime(v time.Time) {
	x := a.x
	m := len(x.buf)
	x.buf = jsontext.AppendTime(x.buf, v)
	if a.kind == arrString || a.kind == arrEmpty {
		a.pushString(x.textSince(m))
		return
	}
	x.buf = x.buf[:m]
	a.toJSON()
	x.js.AppendTime(v)
}

// AppendArray appends a nested array: the array becomes JSON.
func (a *arrayEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	a.toJSON()
	return a.x.js.AppendArray(m)
}

// AppendObject appends an object: the array becomes JSON.
func (a *arrayEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	a.toJSON()
	return a.x.js.AppendObject(m)
}

// AppendReflected appends a value encoded by encoding/json: the array
// becomes JSON.
func (a *arrayEncoder) AppendReflected(v any) error {
	a.toJSON()
	return a.x.js.AppendReflected(v)
}
