package core

import (
	"fmt"
	"slices"
	"time"

	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/valyala/fastjson"
)

// JSONDecoder decodes Metlog JSON envelopes, as DecodeJSON does, with a
// size limit and a pool of parsers of its own. The zero value is ready to
// use, with the limit DefaultMaxMessageSize; a JSONDecoder is safe for
// concurrent use and must not be copied after first use.
//
// A decoder bounds what one call costs: input over the limit is refused
// before it is parsed, nesting deeper than the parser's limit (300 levels)
// is refused, values nested deeper than 32 levels are replaced by the
// depth marker (see Nesting in the package documentation), and the message decoded is built in few allocations whose total
// is a small multiple of the input (see TestDecodeJSONAllocBound). Its
// parsers are pooled: a parser keeps the memory it needed for the largest
// input it parsed (some 80 bytes per JSON value) while it sits in the
// pool, which the garbage collector empties within two cycles when the
// decoder is idle.
type JSONDecoder struct {
	// MaxSize is the largest envelope accepted, in bytes, not counting a
	// final "\n" or "\r\n"; DefaultMaxMessageSize when zero or negative.
	// Larger input is refused with an error wrapping ErrOversize.
	MaxSize int

	parsers fastjson.ParserPool
}

// defaultJSONDecoder is DecodeJSON's decoder (a pool, like entryPool).
var defaultJSONDecoder JSONDecoder

// DecodeJSON decodes one Metlog JSON envelope, as the FormatJSON encoder
// writes it and metlog-py 0.10.0 did, with or without its trailing "\n".
// Input longer than DefaultMaxMessageSize (the trailing newline aside) is
// refused with an error wrapping ErrOversize; a JSONDecoder sets another
// limit.
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
//     An object or array that is not empty and nests deeper than 32 levels
//     (a member of "fields" is at depth 1) is the String
//     "<max depth exceeded>", as the encoders write it (see Nesting in the
//     package documentation).
//
// The envelope has no UUID: the message's UUID is zero (an encoder gives
// it a fresh one). Nothing in the message refers to b.
func DecodeJSON(b []byte) (*Message, error) { return defaultJSONDecoder.Decode(b) }

// Decode decodes one envelope by DecodeJSON's rules, with d's size limit.
func (d *JSONDecoder) Decode(b []byte) (*Message, error) {
	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	if n := envelopeSize(b); n > limit {
		return nil, fmt.Errorf("metlog: json envelope: %w: %d bytes, limit %d", ErrOversize, n, limit)
	}
	p := d.parsers.Get()
	defer d.parsers.Put(p)
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
	// The message is built in an entry of its own, which it keeps: its
	// fields and repeated values are the entry's scratch, and its strings
	// (in the parser's memory until then) are copied out at the end.
	e := new(Entry)
	e.Severity = Info
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil || v.Type() == fastjson.TypeNull {
			return
		}
		err = decodeEnvelopeKey(e, b2s(key), v)
	})
	if err != nil {
		return nil, err
	}
	m := &e.Message
	m.Fields = e.Fields()
	ownStrings(m, false)
	return m, nil
}

// envelopeSize is the size of an envelope the limit applies to: without a
// final "\n" or "\r\n", which the encoders' limit does not count either.
func envelopeSize(b []byte) int {
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
		if n > 0 && b[n-1] == '\r' {
			n--
		}
	}
	return n
}

func decodeEnvelopeKey(e *Entry, key string, v *fastjson.Value) error {
	m := &e.Message
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
		n, verr := v.Int64()
		switch {
		case verr != nil:
			err = jsonTypeError(key, v, "an integer")
		default:
			sev, ok := SeverityFromNumber(int(max(min(n, 8), -1)))
			if !ok {
				err = fmt.Errorf("metlog: json envelope: severity %d is not 0-7", n)
			}
			m.Severity = sev
		}
	case "metlog_pid":
		n, verr := v.Int64()
		if verr != nil || n != int64(int32(n)) {
			return jsonTypeError(key, v, "an int32 integer")
		}
		m.Pid = int32(n)
	case "timestamp":
		var s string
		if s, err = jsonString(key, v); err == nil {
			m.Timestamp, err = parseJSONTime(s)
		}
	case "fields":
		o, verr := v.Object()
		if verr != nil {
			return jsonTypeError(key, v, "an object")
		}
		e.fields = slices.Grow(e.fields, o.Len())
		e.arena = slices.Grow(e.arena, jsonMembers(v, 0)-o.Len())
		o.Visit(func(k []byte, v *fastjson.Value) { e.Add(e.jsonField(b2s(k), v, 1)) })
	}
	return err
}

func jsonString(key string, v *fastjson.Value) (string, error) {
	b, err := v.StringBytes()
	if err != nil {
		return "", jsonTypeError(key, v, "a string")
	}
	return b2s(b), nil // in the parser's memory until ownStrings
}

func jsonTypeError(key string, v *fastjson.Value, want string) error {
	return fmt.Errorf("metlog: json envelope: %s is %s, want %s", key, v.Type(), want)
}

// parseJSONTime parses metlog's timestamp and the RFC 3339 forms, and the
// same without a zone, UTC as metlog-py and Python's isoformat() mean it:
// without allocating (jsontext.ParseDateTime), and through the time
// package for the rest of what DecodeJSON has always read.
func parseJSONTime(s string) (time.Time, error) {
	if t, _, ok := jsontext.ParseDateTime(s); ok {
		return t, nil
	}
	// What the time package's layouts read besides (a one-digit hour).
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("metlog: json envelope: timestamp %q is not YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±hh:mm]", s)
}
