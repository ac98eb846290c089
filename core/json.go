package core

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSONEncoder writes the Metlog JSON envelope of metlog-py 0.10.0: one
// compact object with exactly the keys type, timestamp, logger, severity,
// payload, fields, env_version, metlog_pid and metlog_hostname, ending in
// "\n". Nested groups become nested objects in "fields"; repeated values
// become arrays; bytes become base64 strings; representations are not
// written (the envelope has no place for them).
type JSONEncoder struct{ encBase }

// Format returns FormatJSON.
func (e *JSONEncoder) Format() Format { return FormatJSON }

// AppendMessage appends m as a JSON object and "\n".
func (e *JSONEncoder) AppendMessage(dst []byte, m *Message) ([]byte, error) {
	return fit(dst, m, e.maxSize, e, nil)
}

func (e *JSONEncoder) encode(dst []byte, m *Message, payload string, origLen int) ([]byte, int) {
	start := len(dst)
	ts, logger, sev, host, pid, ver := e.envelope(m)
	dst = append(dst, `{"type":`...)
	dst = AppendString(dst, m.Type)
	dst = append(dst, `,"timestamp":"`...)
	dst = appendMetlogTime(dst, ts)
	dst = append(dst, `Z","logger":`...)
	dst = AppendString(dst, logger)
	dst = append(dst, `,"severity":`...)
	dst = strconv.AppendInt(dst, int64(sev), 10)
	dst = append(dst, `,"payload":`...)
	dst = AppendString(dst, payload)
	dst = append(dst, `,"fields":{`...)
	dst = e.appendFields(dst, m, origLen)
	dst = append(dst, `},"env_version":`...)
	dst = AppendString(dst, ver)
	dst = append(dst, `,"metlog_pid":`...)
	dst = strconv.AppendInt(dst, int64(pid), 10)
	dst = append(dst, `,"metlog_hostname":`...)
	dst = AppendString(dst, host)
	dst = append(dst, '}')
	size := len(dst) - start
	return append(dst, '\n'), size
}

// appendFields writes the members of the "fields" object: the encoder's env
// fields, the message's scope, its own fields, and the truncation marker.
func (e *JSONEncoder) appendFields(dst []byte, m *Message, origLen int) []byte {
	first := true
	if e.env != nil && len(e.env.json) > 0 {
		dst = append(dst, e.env.json...)
		first = false
	}
	s := m.Scope
	if s != nil && len(s.json) > 0 {
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, s.json...)
		first = s.jsonEmpty
	}
	if writesJSONMember(m.Fields) {
		if s != nil {
			// Groups named by WithGroup but still empty open only now
			// that there is something to put in them (slog's rule).
			for _, g := range s.pending {
				if !first {
					dst = append(dst, ',')
				}
				dst = appendJSONKey(dst, g)
				dst = append(dst, '{')
				first = true
			}
		}
		dst, _ = appendJSONFields(dst, m.Fields, first)
		if s != nil {
			for range s.pending {
				dst = append(dst, '}')
			}
		}
	}
	if s != nil {
		for i := 0; i < s.jsonOpen; i++ {
			dst = append(dst, '}')
		}
	}
	if origLen >= 0 {
		if !first || (s != nil && len(s.json) > 0) || writesJSONMember(m.Fields) || (e.env != nil && len(e.env.json) > 0) {
			dst = append(dst, ',')
		}
		dst = appendJSONKey(dst, TruncatedField)
		dst = strconv.AppendInt(dst, int64(origLen), 10)
	}
	return dst
}

// writesJSONMember reports whether fields write at least one object
// member: not when they are only groups with empty names and no members.
func writesJSONMember(fields []Field) bool {
	for i := range fields {
		f := &fields[i]
		if f.kind != KindGroup || f.Name != "" || writesJSONMember(f.GroupValue()) {
			return true
		}
	}
	return false
}

// appendJSONFields writes fields as object members. first says no member
// precedes them at this level; the result says whether that still holds.
func appendJSONFields(dst []byte, fields []Field, first bool) ([]byte, bool) {
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup && f.Name == "" {
			dst, first = appendJSONFields(dst, f.GroupValue(), first)
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONKey(dst, f.Name)
		dst = appendJSONValue(dst, f)
	}
	return dst, first
}

func appendJSONKey(dst []byte, name string) []byte {
	if name == "" {
		name = "_"
	}
	dst = AppendString(dst, name)
	return append(dst, ':')
}

func appendJSONValue(dst []byte, f *Field) []byte {
	if f.multi {
		dst = append(dst, '[')
		switch f.kind {
		case KindString:
			for i, v := range f.StringsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = AppendString(dst, v)
			}
		case KindBytes:
			for i, v := range f.ByteSlicesValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendBase64(dst, v)
			}
		case KindInt:
			for i, v := range f.IntsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendInt(dst, v, 10)
			}
		case KindFloat:
			for i, v := range f.FloatsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = AppendFloat(dst, v)
			}
		case KindBool:
			for i, v := range f.BoolsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendBool(dst, v)
			}
		}
		return append(dst, ']')
	}
	switch f.kind {
	case KindString:
		return AppendString(dst, f.str())
	case KindBytes:
		return appendBase64(dst, f.BytesValue())
	case KindInt:
		return strconv.AppendInt(dst, int64(f.num), 10)
	case kindUint:
		return strconv.AppendUint(dst, f.num, 10)
	case KindFloat:
		return AppendFloat(dst, math.Float64frombits(f.num))
	case KindBool:
		return strconv.AppendBool(dst, f.num != 0)
	case kindTime:
		dst = append(dst, '"')
		dst = appendRFC3339(dst, int64(f.num))
		return append(dst, '"')
	case KindGroup:
		dst = append(dst, '{')
		dst, _ = appendJSONFields(dst, f.GroupValue(), true)
		return append(dst, '}')
	case KindJSON:
		raw := f.BytesValue()
		if len(raw) > 0 && utf8.Valid(raw) && json.Valid(raw) {
			return appendCompactJSON(dst, raw)
		}
		return AppendString(dst, f.str())
	}
	return append(dst, "null"...)
}

// appendCompactJSON appends valid JSON without insignificant white space,
// so that a raw value never carries a newline into a JSON-lines stream.
func appendCompactJSON(dst, raw []byte) []byte {
	inStr, esc := false, false
	for _, c := range raw {
		if inStr {
			dst = append(dst, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inStr = true
		}
		dst = append(dst, c)
	}
	return dst
}

func appendBase64(dst, v []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, v)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for ASCII bytes that need no escaping in a JSON string.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Control characters are escaped
// and invalid UTF-8 bytes are replaced by U+FFFD, so the result is always
// valid JSON holding valid UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendFloat appends v as a JSON number, always with a fraction or an
// exponent (1.0, not 1) so that readers keep it a float, as Python's json
// module writes it. NaN and ±Inf are not JSON numbers: they are written as
// the strings "NaN", "+Inf" and "-Inf".
func AppendFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(v, -1):
		return append(dst, `"-Inf"`...)
	}
	start := len(dst)
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		dst = strconv.AppendFloat(dst, v, 'e', -1, 64)
	} else {
		dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	}
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// appendMetlogTime writes ns since the epoch as YYYY-MM-DDTHH:MM:SS.ffffff
// in UTC (the Z and the quotes are the caller's).
func appendMetlogTime(dst []byte, ns int64) []byte {
	t := time.Unix(0, ns).UTC()
	dst = appendDateTime(dst, t)
	dst = append(dst, '.')
	return appendDigits(dst, t.Nanosecond()/1000, 6)
}

// appendRFC3339 writes ns since the epoch as RFC 3339 with nanoseconds in
// UTC, trailing zeros of the fraction removed (time.RFC3339Nano).
func appendRFC3339(dst []byte, ns int64) []byte {
	return time.Unix(0, ns).UTC().AppendFormat(dst, time.RFC3339Nano)
}

func appendDateTime(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	return appendDigits(dst, s, 2)
}

// appendDigits writes v (>= 0) zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var b [20]byte
	i := len(b)
	for v >= 10 || width > 1 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	b[i] = byte('0' + v)
	return append(dst, b[i:]...)
}

func appendUint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }
