package core

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// jsonState is what a FormatJSON Encoder pre-encodes. The Metlog JSON
// envelope of metlog-py 0.10.0 is one compact object with exactly the keys
// type, timestamp, logger, severity, payload, fields, env_version,
// metlog_pid and metlog_hostname, ending in "\n". Nested groups become
// nested objects in "fields"; repeated values become arrays; bytes become
// base64 strings; representations are not written (the envelope has no
// place for them).
type jsonState struct {
	tail   []byte // pre-encoded env_version, metlog_pid, metlog_hostname and "}"
	logger []byte // pre-encoded default logger
	second atomic.Pointer[secondText]
}

func (j *jsonState) init(b *encBase) {
	j.tail = appendJSONTail(nil, EnvVersion, b.pid, b.hostname)
	j.logger = AppendString(nil, b.logger)
}

// secondText caches the "YYYY-MM-DDTHH:MM:SS" text of one second: messages
// logged within the same second share it.
type secondText struct {
	sec  int64
	text [19]byte
}

func (e *Encoder) encodeJSON(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	start := len(dst)
	dst = append(dst, `{"type":`...)
	dst = AppendString(dst, m.Type)
	dst = append(dst, `,"timestamp":"`...)
	dst = e.json.appendTime(dst, e.stamp(m))
	dst = append(dst, `Z","logger":`...)
	if m.Logger == "" {
		dst = append(dst, e.json.logger...)
	} else {
		dst = AppendString(dst, m.Logger)
	}
	dst = append(dst, `,"severity":`...)
	dst = append(dst, byte('0'+sev.Number()))
	dst = append(dst, `,"payload":`...)
	dst = AppendString(dst, payload)
	dst = append(dst, `,"fields":{`...)
	dst = e.appendJSONMembers(dst, m, origLen)
	if e.isDefaultTail(m) {
		dst = append(dst, e.json.tail...)
	} else {
		ver, pid, host := e.tailValues(m)
		dst = appendJSONTail(dst, ver, pid, host)
	}
	size := len(dst) - start
	return append(dst, '\n'), size
}

// appendJSONTail closes "fields" and writes the last three envelope keys.
func appendJSONTail(dst []byte, ver string, pid int32, host string) []byte {
	dst = append(dst, `},"env_version":`...)
	dst = AppendString(dst, ver)
	dst = append(dst, `,"metlog_pid":`...)
	dst = strconv.AppendInt(dst, int64(pid), 10)
	dst = append(dst, `,"metlog_hostname":`...)
	dst = AppendString(dst, host)
	return append(dst, '}')
}

// appendFields writes the members of the "fields" object: the encoder's env
// fields, the message's scope, its own fields (inside the scope's open
// groups), its top-level fields and the truncation marker.
func (e *Encoder) appendJSONMembers(dst []byte, m *Message, origLen int) []byte {
	start := len(dst)
	first := true
	if env := scopeTextOf(e.env, FormatJSON); len(env.json) > 0 {
		dst = append(dst, env.json...)
		first = false
	}
	s := scopeTextOf(m.Scope, FormatJSON)
	if len(s.json) > 0 {
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, s.json...)
		first = s.jsonEmpty
	}
	if writesJSONMember(m.Fields) {
		// Groups named by WithGroup but still empty open only now that
		// there is something to put in them (slog's rule).
		for _, g := range s.pending {
			if !first {
				dst = append(dst, ',')
			}
			dst = appendJSONKey(dst, g)
			dst = append(dst, '{')
			first = true
		}
		dst, _ = appendJSONFields(dst, m.Fields, first)
		for range s.pending {
			dst = append(dst, '}')
		}
	}
	for i := 0; i < s.jsonOpen; i++ {
		dst = append(dst, '}')
	}
	// Everything above is at the top level of "fields" once the groups
	// are closed: whether anything was written is whether dst grew.
	if len(m.TopFields) > 0 {
		dst, _ = appendJSONFields(dst, m.TopFields, len(dst) == start)
	}
	if origLen >= 0 {
		if len(dst) > start {
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
		dst = appendRFC3339(dst, int64(f.num), f.n)
		return append(dst, '"')
	case KindGroup:
		dst = append(dst, '{')
		dst, _ = appendJSONFields(dst, f.GroupValue(), true)
		return append(dst, '}')
	case KindJSON:
		start := len(dst)
		if out, ok := appendRawJSON(dst, f.BytesValue()); ok {
			return out
		}
		return AppendString(dst[:start], f.str())
	}
	return append(dst, "null"...)
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
	i := safeRun(s)
	if i == len(s) { // the common case: nothing to escape
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendStringEscaped(dst, s, i)
}

// appendStringEscaped writes s as a JSON string whose first i bytes need
// no escaping.
func appendStringEscaped(dst []byte, s string, i int) []byte {
	dst = append(dst, '"')
	dst = append(dst, s[:i]...)
	start := i
	for i < len(s) {
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

// appendTime writes ns as appendMetlogTime does, reusing the text of the
// last second formatted.
func (j *jsonState) appendTime(dst []byte, ns int64) []byte {
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	c := j.second.Load()
	if c == nil || c.sec != sec {
		n := &secondText{sec: sec}
		if _, ok := appendDateTime(n.text[:0], sec); !ok {
			return appendMetlogTime(dst, ns) // a year outside 0-9999
		}
		j.second.Store(n)
		c = n
	}
	dst = append(dst, c.text[:]...)
	return appendMicros(dst, frac)
}

// appendMetlogTime writes ns since the epoch as YYYY-MM-DDTHH:MM:SS.ffffff
// in UTC (the Z and the quotes are the caller's). It does the calendar
// arithmetic itself, which costs a fraction of time.Time's Date and Clock.
func appendMetlogTime(dst []byte, ns int64) []byte {
	secs, frac := ns/1e9, ns%1e9
	if frac < 0 {
		secs--
		frac += 1e9
	}
	dst, ok := appendDateTime(dst, secs)
	if !ok {
		return appendDateTimeSlow(dst, ns)
	}
	return appendMicros(dst, frac)
}

// appendMicros writes the fraction of a second frac (in ns) as ".ffffff",
// in microseconds.
func appendMicros(dst []byte, frac int64) []byte {
	n := len(dst)
	dst = append(dst, ".000000"...)
	us := int(frac / 1000)
	put2(dst[n+1:], us/10000)
	put2(dst[n+3:], us/100%100)
	put2(dst[n+5:], us%100)
	return dst
}

// appendDateTime writes sec since the epoch as YYYY-MM-DDTHH:MM:SS in UTC.
// It reports false, writing nothing, for years outside 0-9999.
func appendDateTime(dst []byte, sec int64) ([]byte, bool) {
	days, sod := sec/86400, sec%86400
	if sod < 0 {
		days--
		sod += 86400
	}
	y, mo, d := civilDate(days)
	if y < 0 || y > 9999 {
		return dst, false
	}
	n := len(dst)
	dst = append(dst, "0000-00-00T00:00:00"...)
	b := dst[n:]
	put2(b[0:], int(y/100))
	put2(b[2:], int(y%100))
	put2(b[5:], int(mo))
	put2(b[8:], int(d))
	put2(b[11:], int(sod/3600))
	put2(b[14:], int(sod/60%60))
	put2(b[17:], int(sod%60))
	return dst, true
}

func appendDateTimeSlow(dst []byte, ns int64) []byte {
	return time.Unix(0, ns).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000")
}

// civilDate converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days-to-civil algorithm).
func civilDate(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// digitPairs[v] is v (0-99) in two decimal digits; indexed by a byte, so
// that reading it needs no bounds check.
var digitPairs = func() (t [256][2]byte) {
	for v := range 100 {
		t[v] = [2]byte{byte('0' + v/10), byte('0' + v%10)}
	}
	return t
}()

// put2 writes v (0-99) as two digits at b[0:2].
func put2(b []byte, v int) {
	d := digitPairs[uint8(v)]
	_ = b[1]
	b[0], b[1] = d[0], d[1]
}

// appendRFC3339 writes sec and nsec since the epoch as RFC 3339 in UTC with
// the fraction's trailing zeros dropped, as time.RFC3339Nano does, by
// calendar arithmetic; years outside 0-9999 go through the time package.
func appendRFC3339(dst []byte, sec int64, nsec int) []byte {
	d, ok := appendDateTime(dst, sec)
	if !ok || nsec < 0 || nsec > 999999999 {
		return time.Unix(sec, int64(nsec)).UTC().AppendFormat(dst, time.RFC3339Nano)
	}
	dst = d
	if nsec > 0 {
		var frac [10]byte
		frac[0] = '.'
		frac[1] = byte('0' + nsec/1e8)
		r := nsec % 1e8
		put2(frac[2:], r/1e6)
		put2(frac[4:], r/1e4%100)
		put2(frac[6:], r/100%100)
		put2(frac[8:], r%100)
		end := 10
		for frac[end-1] == '0' {
			end--
		}
		dst = append(dst, frac[:end]...)
	}
	return append(dst, 'Z')
}

func appendUint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }

// safeRun returns the length of s's leading run of bytes that need no
// escaping: it tests eight bytes at a time (a string shorter than eight, a
// byte at a time), and in the first word holding one that needs attention
// finds it from the word's flag bits.
func safeRun(s string) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	// A byte is flagged when it is below 0x20, is '"' or '\\', or is not
	// ASCII (high bit set). A borrow can flag a byte above a flagged one
	// too, never below it: the lowest flag is exact.
	flags := func(x uint64) uint64 {
		q := x ^ (lo * '"')
		bs := x ^ (lo * '\\')
		return ((x - lo*0x20) | (q - lo) | (bs - lo) | x) & hi
	}
	if len(b) < 8 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf && jsonSafe[b[i]] {
			i++
		}
		return i
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := flags(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i < len(b) {
		// The last 8 bytes, overlapping the safe ones before i, which
		// cannot be flagged: the lowest flag is still the first byte.
		i = len(b) - 8
		if m := flags(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	return len(b)
}
