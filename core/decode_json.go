package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

var jsonParsers fastjson.ParserPool

// DecodeJSON decodes one Metlog JSON envelope, as JSONEncoder writes it and
// metlog-py 0.10.0 did, with or without its trailing "\n".
//
// The rule: b must be one strict JSON value (RFC 8259; fastjson's validator)
// and that value an object. Every key is optional and unknown keys are
// ignored, so that envelopes of other producers decode; a known key whose
// value has the wrong type is an error, and null counts as absent. Absent
// values stay zero, except severity, which is then Info (Metlog's default).
// The keys:
//
//   - type, logger, payload, env_version, metlog_hostname: strings.
//   - severity: an integer 0-7, the syslog number.
//   - metlog_pid: an integer that fits int32.
//   - timestamp: a string, YYYY-MM-DDTHH:MM:SS.ffffffZ as metlog writes it,
//     or any RFC 3339 date-time (fraction optional, Z or an offset), or the
//     same without a zone, taken as UTC (Python's isoformat()).
//   - fields: an object. Its members become Fields in order: a string is a
//     String; an integer literal that fits int64 an Int, one beyond that fits
//     uint64 a Uint; any other number a Float (a number beyond float64's
//     range stays RawJSON); true and false a Bool; an object a Group of its
//     members, recursively; an array of strings Strings, of bools Bools, of
//     integer literals that fit int64 Ints, of other numbers Floats (unless
//     one is an integer literal beyond int64 or a number beyond float64's
//     range, which a float would not keep); any other array (empty, mixed,
//     nested) and null a RawJSON field holding the value's compact JSON text.
//
// The envelope has no UUID: the message's UUID is zero (an encoder gives
// it a fresh one). Nothing in the message refers to b.
func DecodeJSON(b []byte) (*Message, error) {
	p := jsonParsers.Get()
	defer jsonParsers.Put(p)
	// Parse first: the parser limits nesting depth, the validator (which
	// is stricter about numbers and control characters) does not.
	v, err := p.ParseBytes(b)
	if err == nil {
		err = fastjson.ValidateBytes(b)
	}
	if err != nil {
		return nil, fmt.Errorf("metlog: json envelope: %w", err)
	}
	obj, err := v.Object()
	if err != nil {
		return nil, fmt.Errorf("metlog: json envelope: not an object but %s", v.Type())
	}
	m := &Message{Severity: Info}
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil || v.Type() == fastjson.TypeNull {
			return
		}
		err = decodeEnvelopeKey(m, string(key), v)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func decodeEnvelopeKey(m *Message, key string, v *fastjson.Value) error {
	var err error
	switch key {
	case "type":
		m.Type, err = jsonString(key, v)
	case "logger":
		m.Logger, err = jsonString(key, v)
	case "payload":
		m.Payload, err = jsonString(key, v)
	case "env_version":
		m.EnvVersion, err = jsonString(key, v)
	case "metlog_hostname":
		m.Hostname, err = jsonString(key, v)
	case "severity":
		n, e := v.Int64()
		switch {
		case e != nil:
			err = jsonTypeError(key, v, "an integer")
		default:
			sev, ok := SeverityFromNumber(int(max(min(n, 8), -1)))
			if !ok {
				err = fmt.Errorf("metlog: json envelope: severity %d is not 0-7", n)
			}
			m.Severity = sev
		}
	case "metlog_pid":
		n, e := v.Int64()
		if e != nil || n != int64(int32(n)) {
			return jsonTypeError(key, v, "an int32 integer")
		}
		m.Pid = int32(n)
	case "timestamp":
		var s string
		if s, err = jsonString(key, v); err == nil {
			m.Timestamp, err = parseJSONTime(s)
		}
	case "fields":
		o, e := v.Object()
		if e != nil {
			return jsonTypeError(key, v, "an object")
		}
		m.Fields = decodeJSONFields(o)
	}
	return err
}

func jsonString(key string, v *fastjson.Value) (string, error) {
	b, err := v.StringBytes()
	if err != nil {
		return "", jsonTypeError(key, v, "a string")
	}
	return string(b), nil
}

func jsonTypeError(key string, v *fastjson.Value, want string) error {
	return fmt.Errorf("metlog: json envelope: %s is %s, want %s", key, v.Type(), want)
}

// parseJSONTime parses metlog's timestamp and the RFC 3339 forms.
func parseJSONTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	// No zone: UTC, as metlog-py and Python's isoformat() mean it.
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("metlog: json envelope: timestamp %q is not YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±hh:mm]", s)
}

func decodeJSONFields(o *fastjson.Object) []Field {
	if o.Len() == 0 {
		return nil
	}
	fields := make([]Field, 0, o.Len())
	o.Visit(func(key []byte, v *fastjson.Value) {
		fields = append(fields, decodeJSONField(string(key), v))
	})
	return fields
}

func decodeJSONField(name string, v *fastjson.Value) Field {
	switch v.Type() {
	case fastjson.TypeString:
		return String(name, string(v.GetStringBytes()))
	case fastjson.TypeNumber:
		if f, ok := jsonNumberField(name, v); ok {
			return f
		}
	case fastjson.TypeTrue:
		return Bool(name, true)
	case fastjson.TypeFalse:
		return Bool(name, false)
	case fastjson.TypeObject:
		return Group(name, decodeJSONFields(v.GetObject())...)
	case fastjson.TypeArray:
		if f, ok := jsonArrayField(name, v.GetArray()); ok {
			return f
		}
	}
	return RawJSON(name, appendJSONFrom(nil, v))
}

// jsonNumberField returns the Int, Uint or Float field of a number; !ok for
// a number beyond float64's range.
func jsonNumberField(name string, v *fastjson.Value) (Field, bool) {
	raw := string(v.MarshalTo(nil))
	if isIntLiteral(raw) {
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return Int(name, n), true
		}
		if n, err := strconv.ParseUint(raw, 10, 64); err == nil {
			return Uint(name, n), true
		}
	}
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return Field{}, false
	}
	return Float(name, x), true
}

// isIntLiteral reports whether a JSON number has no fraction and no exponent.
func isIntLiteral(raw string) bool { return !strings.ContainsAny(raw, ".eE") }

// jsonArrayField returns the repeated field of an array of one scalar type;
// !ok for any other array.
func jsonArrayField(name string, a []*fastjson.Value) (Field, bool) {
	if len(a) == 0 {
		return Field{}, false
	}
	t := a[0].Type()
	if t == fastjson.TypeFalse {
		t = fastjson.TypeTrue
	}
	switch t {
	case fastjson.TypeString:
		vs := make([]string, len(a))
		for i, v := range a {
			if v.Type() != fastjson.TypeString {
				return Field{}, false
			}
			vs[i] = string(v.GetStringBytes())
		}
		return Strings(name, vs), true
	case fastjson.TypeTrue:
		vs := make([]bool, len(a))
		for i, v := range a {
			switch v.Type() {
			case fastjson.TypeTrue:
				vs[i] = true
			case fastjson.TypeFalse:
			default:
				return Field{}, false
			}
		}
		return Bools(name, vs), true
	case fastjson.TypeNumber:
		ints := make([]int64, len(a))
		allInts := true
		for i, v := range a {
			if v.Type() != fastjson.TypeNumber {
				return Field{}, false
			}
			if allInts {
				raw := string(v.MarshalTo(nil))
				n, err := strconv.ParseInt(raw, 10, 64)
				if err == nil && isIntLiteral(raw) {
					ints[i] = n
				} else {
					allInts = false
				}
			}
		}
		if allInts {
			return Ints(name, ints), true
		}
		fs := make([]float64, len(a))
		for i, v := range a {
			raw := string(v.MarshalTo(nil))
			if isIntLiteral(raw) {
				if _, err := strconv.ParseInt(raw, 10, 64); err != nil {
					return Field{}, false // beyond int64: a float would lose it
				}
			}
			x, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return Field{}, false
			}
			fs[i] = x
		}
		return Floats(name, fs), true
	}
	return Field{}, false
}

// appendJSONFrom appends v as compact JSON, strings escaped as AppendString
// does (fastjson's own marshalling uses Go escapes, which are not JSON).
func appendJSONFrom(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		dst = append(dst, '{')
		first := true
		v.GetObject().Visit(func(key []byte, v *fastjson.Value) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, string(key))
			dst = append(dst, ':')
			dst = appendJSONFrom(dst, v)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		dst = append(dst, '[')
		for i, e := range v.GetArray() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONFrom(dst, e)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		return AppendString(dst, string(v.GetStringBytes()))
	}
	return v.MarshalTo(dst) // number (its literal text), true, false, null
}
