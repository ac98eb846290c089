package zapmetlog

import (
	"strconv"
	"time"

	"github.com/metlog-go/metlog/internal/jsontext"
	"go.uber.org/zap/zapcore"
)

// jsonEncoder writes the JSON text of arrays that are not one repeated
// field (see arrayEncoder) into encoder.buf. It is both the ObjectEncoder
// and the ArrayEncoder of everything inside such an array. Values are
// written as the entry's fields are: strings through jsontext.AppendString
// (valid UTF-8), floats through jsontext.AppendFloat ("NaN" and "±Inf" as
// strings), times as RFC 3339 strings in UTC, durations as nanoseconds,
// binary as base64, complex numbers as "1+2i".
type jsonEncoder struct {
	x  *encoder
	ns int // namespaces open in the current object
}

// sep writes the comma before an element or member, unless it is the first.
func (j *jsonEncoder) sep() {
	b := j.x.buf
	if n := len(b); n > 0 {
		switch b[n-1] {
		case '[', '{', ':', ',':
		default:
			j.x.buf = append(b, ',')
		}
	}
}

func (j *jsonEncoder) key(k string) {
	j.sep()
	j.x.buf = append(jsontext.AppendString(j.x.buf, k), ':')
}

// AppendArray appends a nested array.
func (j *jsonEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	j.sep()
	j.x.buf = append(j.x.buf, '[')
	err := m.MarshalLogArray(j)
	j.x.buf = append(j.x.buf, ']')
	return err
}

// AppendObject appends an object; namespaces opened in it close with it.
func (j *jsonEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	j.sep()
	j.x.buf = append(j.x.buf, '{')
	outer := j.ns
	j.ns = 0
	err := m.MarshalLogObject(j)
	for ; j.ns >= 0; j.ns-- {
		j.x.buf = append(j.x.buf, '}')
	}
	j.ns = outer
	return err
}

// AppendReflected appends v as encoding/json writes it; on failure it
// appends nothing.
func (j *jsonEncoder) AppendReflected(v any) error {
	m := len(j.x.buf)
	j.sep()
	if err := j.x.appendReflected(v); err != nil {
		j.x.buf = j.x.buf[:m]
		return err
	}
	return nil
}

// AppendBool appends a bool.
func (j *jsonEncoder) AppendBool(v bool) {
	j.sep()
	j.x.buf = strconv.AppendBool(j.x.buf, v)
}

// AppendByteString appends UTF-8 bytes as a string.
func (j *jsonEncoder) AppendByteString(v []byte) { j.AppendString(bytesString(v)) }

// AppendComplex128 appends a string such as "1+2i".
func (j *jsonEncoder) AppendComplex128(v complex128) { j.appendComplex(v, 64) }

// AppendComplex64 appends a string such as "1+2i".
func (j *jsonEncoder) AppendComplex64(v complex64) { j.appendComplex(complex128(v), 32) }

func (j *jsonEncoder) appendComplex(v complex128, bits int) {
	j.sep()
	j.x.buf = append(appendComplex(append(j.x.buf, '"'), v, bits), '"')
}

// AppendFloat64 appends a float.
func (j *jsonEncoder) AppendFloat64(v float64) {
	j.sep()
	j.x.buf = jsontext.AppendFloat(j.x.buf, v)
}

// AppendFloat32 appends a float (see widen).
func (j *jsonEncoder) AppendFloat32(v float32) { j.AppendFloat64(widen(v)) }

// AppendInt appends an integer.
func (j *jsonEncoder) AppendInt(v int) { j.AppendInt64(int64(v)) }

// AppendInt64 appends an integer.
func (j *jsonEncoder) AppendInt64(v int64) {
	j.sep()
	j.x.buf = strconv.AppendInt(j.x.buf, v, 10)
}

// AppendInt32 appends an integer.
func (j *jsonEncoder) AppendInt32(v int32) { j.AppendInt64(int64(v)) }

// AppendInt16 appends an integer.
func (j *jsonEncoder) AppendInt16(v int16) { j.AppendInt64(int64(v)) }

// AppendInt8 appends an integer.
func (j *jsonEncoder) AppendInt8(v int8) { j.AppendInt64(int64(v)) }

// AppendString appends a string.
func (j *jsonEncoder) AppendString(v string) {
	j.sep()
	j.x.buf = jsontext.AppendString(j.x.buf, v)
}

// AppendUint appends an unsigned integer.
func (j *jsonEncoder) AppendUint(v uint) { j.AppendUint64(uint64(v)) }

// AppendUint64 appends an unsigned integer.
func (j *jsonEncoder) AppendUint64(v uint64) {
	j.sep()
	j.x.buf = strconv.AppendUint(j.x.buf, v, 10)
}

// AppendUint32 appends an unsigned integer.
func (j *jsonEncoder) AppendUint32(v uint32) { j.AppendUint64(uint64(v)) }

// AppendUint16 appends an unsigned integer.
func (j *jsonEncoder) AppendUint16(v uint16) { j.AppendUint64(uint64(v)) }

// AppendUint8 appends an unsigned integer.
func (j *jsonEncoder) AppendUint8(v uint8) { j.AppendUint64(uint64(v)) }

// AppendUintptr appends an unsigned integer.
func (j *jsonEncoder) AppendUintptr(v uintptr) { j.AppendUint64(uint64(v)) }

// AppendDuration appends nanoseconds.
func (j *jsonEncoder) AppendDuration(v time.Duration) { j.AppendInt64(int64(v)) }

// AppendTime appends an RFC 3339 string in UTC.
func (j *jsonEncoder) AppendTime(v time.Time) {
	j.sep()
	j.x.buf = append(jsontext.AppendTime(append(j.x.buf, '"'), v), '"')
}

// AddArray adds a member holding an array.
func (j *jsonEncoder) AddArray(k string, m zapcore.ArrayMarshaler) error {
	j.key(k)
	return j.AppendArray(m)
}

// AddObject adds a member holding an object.
func (j *jsonEncoder) AddObject(k string, m zapcore.ObjectMarshaler) error {
	j.key(k)
	return j.AppendObject(m)
}

// AddBinary adds a base64 string.
func (j *jsonEncoder) AddBinary(k string, v []byte) {
	j.key(k)
	j.x.buf = jsontext.AppendBase64(j.x.buf, v)
}

// AddByteString adds UTF-8 bytes as a string.
func (j *jsonEncoder) AddByteString(k string, v []byte) { j.key(k); j.AppendByteString(v) }

// AddBool adds a bool.
func (j *jsonEncoder) AddBool(k string, v bool) { j.key(k); j.AppendBool(v) }

// AddComplex128 adds a string such as "1+2i".
func (j *jsonEncoder) AddComplex128(k string, v complex128) { j.key(k); j.appendComplex(v, 64) }

// AddComplex64 adds a string such as "1+2i".
func (j *jsonEncoder) AddComplex64(k string, v complex64) {
	j.key(k)
	j.appendComplex(complex128(v), 32)
}

// AddDuration adds nanoseconds.
func (j *jsonEncoder) AddDuration(k string, v time.Duration) { j.key(k); j.AppendInt64(int64(v)) }

// AddFloat64 adds a float.
func (j *jsonEncoder) AddFloat64(k string, v float64) { j.key(k); j.AppendFloat64(v) }

// AddFloat32 adds a float (see widen).
func (j *jsonEncoder) AddFloat32(k string, v float32) { j.key(k); j.AppendFloat64(widen(v)) }

// AddInt adds an integer.
func (j *jsonEncoder) AddInt(k string, v int) { j.key(k); j.AppendInt64(int64(v)) }

// AddInt64 adds an integer.
func (j *jsonEncoder) AddInt64(k string, v int64) { j.key(k); j.AppendInt64(v) }

// AddInt32 adds an integer.
func (j *jsonEncoder) AddInt32(k string, v int32) { j.key(k); j.AppendInt64(int64(v)) }

// AddInt16 adds an integer.
func (j *jsonEncoder) AddInt16(k string, v int16) { j.key(k); j.AppendInt64(int64(v)) }

// AddInt8 adds an integer.
func (j *jsonEncoder) AddInt8(k string, v int8) { j.key(k); j.AppendInt64(int64(v)) }

// AddString adds a string.
func (j *jsonEncoder) AddString(k, v string) { j.key(k); j.AppendString(v) }

// AddTime adds an RFC 3339 string in UTC.
func (j *jsonEncoder) AddTime(k string, v time.Time) { j.key(k); j.AppendTime(v) }

// AddUint adds an unsigned integer.
func (j *jsonEncoder) AddUint(k string, v uint) { j.key(k); j.AppendUint64(uint64(v)) }

// AddUint64 adds an unsigned integer.
func (j *jsonEncoder) AddUint64(k string, v uint64) { j.key(k); j.AppendUint64(v) }

// AddUint32 adds an unsigned integer.
func (j *jsonEncoder) AddUint32(k string, v uint32) { j.key(k); j.AppendUint64(uint64(v)) }

// AddUint16 adds an unsigned integer.
func (j *jsonEncoder) AddUint16(k string, v uint16) { j.key(k); j.AppendUint64(uint64(v)) }

// AddUint8 adds an unsigned integer.
func (j *jsonEncoder) AddUint8(k string, v uint8) { j.key(k); j.AppendUint64(uint64(v)) }

// AddUintptr adds an unsigned integer.
func (j *jsonEncoder) AddUintptr(k string, v uintptr) { j.key(k); j.AppendUint64(uint64(v)) }

// AddReflected adds a member encoded by encoding/json; on failure it adds
// nothing.
func (j *jsonEncoder) AddReflected(k string, v any) error {
	m := len(j.x.buf)
	j.key(k)
	if err := j.x.appendReflected(v); err != nil {
		j.x.buf = j.x.buf[:m]
		return err
	}
	return nil
}

// OpenNamespace opens an object holding the current object's later members.
func (j *jsonEncoder) OpenNamespace(k string) {
	j.key(k)
	j.x.buf = append(j.x.buf, '{')
	j.ns++
}
