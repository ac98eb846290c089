package core

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// encodeText writes m as one FormatText line ending in "\n":
//
//	2024-05-01T10:00:00.000000Z warning app oldstyle "slow request" request=r-17 http.status=200
//
// The time (UTC, microseconds), the severity's name, the logger, the type
// and the payload come first, separated by spaces, and then the fields as
// key=value pairs: the encoder's fields, the scope's and the message's own,
// a group's members named "group.member", a repeated value as [v1,v2]. A
// value (or the logger, type or payload) is written as it is unless it is
// empty or holds a space, a quote, '=', a backslash, a control or
// non-printable character or invalid UTF-8: then it is quoted with Go's
// escapes (strconv.Quote), so that a line never breaks and is valid UTF-8.
// Inside [...] a value holding ',', '[' or ']' is quoted too. Characters of
// a key that would need quoting become '_'. Bytes are base64, floats
// strconv's shortest form, times RFC 3339. The size limit applies to the
// line without its "\n".
func (e *Encoder) encodeText(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	start := len(dst)
	dst = jsontext.AppendMetlogTime(dst, e.stamp(m)) // UTC, microseconds, as the JSON envelope's
	dst = append(dst, 'Z', ' ')
	dst = append(dst, sev.String()...)
	dst = append(dst, ' ')
	logger := m.Logger
	if logger == "" {
		logger = e.logger
	}
	dst = appendTextString(dst, logger, false)
	dst = append(dst, ' ')
	dst = appendTextString(dst, m.Type, false)
	dst = append(dst, ' ')
	dst = appendTextString(dst, payload, false)
	var buf [128]byte // the groups' dotted prefixes, written depth first
	dst, _ = appendTextScope(dst, e.env, buf[:0])
	dst, prefix := appendTextScope(dst, m.Scope, buf[:0])
	dst = appendTextFields(dst, m.Fields, prefix)
	dst = appendTextFields(dst, m.TopFields, nil)
	if origLen >= 0 {
		dst = append(dst, ' ')
		dst = append(dst, TruncatedField...)
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, int64(origLen), 10)
	}
	size := len(dst) - start
	return append(dst, '\n'), size
}

// appendTextScope writes a scope's fields, outermost first, and returns the
// dotted prefix of the groups it leaves open for later fields.
func appendTextScope(dst []byte, s *Scope, prefix []byte) ([]byte, []byte) {
	if s == nil || s.src == nil {
		return dst, prefix
	}
	dst, prefix = appendTextScope(dst, s.src.parent, prefix)
	if s.src.group != "" {
		return dst, append(append(prefix, s.src.group...), '.')
	}
	return appendTextFields(dst, s.src.fields, prefix), prefix
}

// appendTextFields writes fields as " key=value" pairs, keys after prefix.
// A group's prefix is written past prefix's length, in its spare capacity:
// the groups are written depth first, so each overwrites only what the
// previous one no longer reads.
func appendTextFields(dst []byte, fields []Field, prefix []byte) []byte {
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup {
			p := prefix
			if f.Name != "" { // a group without a name is inlined
				p = append(append(prefix, f.Name...), '.')
			}
			dst = appendTextFields(dst, f.GroupValue(), p)
			continue
		}
		dst = append(dst, ' ')
		dst = appendTextKey(dst, bytesString(prefix))
		if f.Name == "" {
			dst = append(dst, '_')
		} else {
			dst = appendTextKey(dst, f.Name)
		}
		dst = append(dst, '=')
		dst = appendTextValue(dst, f)
	}
	return dst
}

// appendTextKey writes a key with the characters that would need quoting
// replaced by '_'.
func appendTextKey(dst []byte, key string) []byte {
	for i := 0; i < len(key); {
		c := key[i]
		if c < utf8.RuneSelf {
			if textUnsafe(c, false) {
				c = '_'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(key[i:])
		if r == utf8.RuneError && n == 1 || !strconv.IsPrint(r) {
			dst = append(dst, '_')
		} else {
			dst = append(dst, key[i:i+n]...)
		}
		i += n
	}
	return dst
}

func appendTextValue(dst []byte, f *Field) []byte {
	if f.multi {
		dst = append(dst, '[')
		for i := 0; i < f.n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			switch f.kind {
			case KindString:
				dst = appendTextString(dst, f.StringsValue()[i], true)
			case KindBytes:
				dst = appendTextBytes(dst, f.ByteSlicesValue()[i])
			case KindInt:
				dst = strconv.AppendInt(dst, f.IntsValue()[i], 10)
			case KindFloat:
				dst = appendTextFloat(dst, f.FloatsValue()[i])
			case KindBool:
				dst = strconv.AppendBool(dst, f.BoolsValue()[i])
			}
		}
		return append(dst, ']')
	}
	switch f.kind {
	case KindString, KindJSON:
		return appendTextString(dst, f.str(), false)
	case KindBytes:
		return appendTextBytes(dst, f.BytesValue())
	case KindInt:
		return strconv.AppendInt(dst, int64(f.num), 10)
	case kindUint:
		return strconv.AppendUint(dst, f.num, 10)
	case KindFloat:
		return appendTextFloat(dst, math.Float64frombits(f.num))
	case KindBool:
		return strconv.AppendBool(dst, f.num != 0)
	case kindTime:
		return jsontext.AppendRFC3339(dst, int64(f.num), int(f.n))
	}
	return dst
}

func appendTextFloat(dst []byte, v float64) []byte {
	if math.IsInf(v, 1) {
		return append(dst, "+Inf"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64) // NaN, -Inf as such
}

func appendTextBytes(dst, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, `""`...)
	}
	return base64.StdEncoding.AppendEncode(dst, v)
}

// appendTextString writes s as it is, or quoted when it needs to be (see
// encodeText); inList also quotes the characters that delimit lists.
func appendTextString(dst []byte, s string, inList bool) []byte {
	if s == "" || needsTextQuote(s, inList) {
		return strconv.AppendQuote(dst, s)
	}
	return append(dst, s...)
}

func needsTextQuote(s string, inList bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if textUnsafe(c, inList) {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !strconv.IsPrint(r) {
			return true
		}
		i += n
	}
	return false
}

// textUnsafe reports whether the ASCII byte c makes a value need quotes.
func textUnsafe(c byte, inList bool) bool {
	switch {
	case c <= ' ' || c == 0x7f || c == '"' || c == '=' || c == '\\':
		return true
	case inList:
		return c == ',' || c == '[' || c == ']'
	}
	return false
}
