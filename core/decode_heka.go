package core

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// Errors of Heka record verification. DecodeHekaRecord wraps them with the
// signer and key version; test for them with errors.Is.
var (
	// ErrBadSignature reports a record whose HMAC does not match its
	// message bytes under the signer's key.
	ErrBadSignature = errors.New("metlog: bad HMAC signature")
	// ErrUnknownKey reports a signed record whose signer and key version
	// name no key known to the receiver.
	ErrUnknownKey = errors.New("metlog: unknown HMAC signer or key version")
)

// HekaHeader is a decoded Heka stream Header: the length of the Message
// that follows it and, for a signed record, how it was signed.
type HekaHeader struct {
	// MessageLength is the length of the Message protobuf in bytes.
	MessageLength uint32
	// HashFunction is the HMAC hash (MD5, the schema's default, or SHA1).
	HashFunction HashFunction
	// Signer and KeyVersion name the key that signed the record.
	Signer     string
	KeyVersion uint32
	// HMAC is the digest; empty for an unsigned record.
	HMAC []byte
}

// Signed reports whether the header carries an HMAC.
func (h *HekaHeader) Signed() bool { return len(h.HMAC) > 0 }

// rawHeader is a Header whose signer and HMAC still point into the input.
type rawHeader struct {
	msgLen  uint32
	hash    HashFunction
	signer  []byte
	version uint32
	hmac    []byte
}

// parseHekaHeader decodes a Header without copying. Its errors are static so
// that the stream splitter, which tries to parse garbage, does not allocate.
func parseHekaHeader(b []byte) (h rawHeader, err error) {
	haveLen := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return h, errHdrTruncated
		}
		b = b[n:]
		switch num {
		case hdrMessageLength, hdrHashFunction, hdrKeyVersion:
			if typ != protowire.VarintType {
				return h, errHdrWireType
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return h, errHdrTruncated
			}
			b = b[n:]
			if v > math.MaxUint32 {
				return h, errHdrRange
			}
			switch num {
			case hdrMessageLength:
				h.msgLen, haveLen = uint32(v), true
			case hdrHashFunction:
				if v != uint64(HashMD5) && v != uint64(HashSHA1) {
					return h, errHdrHash
				}
				h.hash = HashFunction(v)
			case hdrKeyVersion:
				h.version = uint32(v)
			}
		case hdrSigner, hdrHMAC:
			if typ != protowire.BytesType {
				return h, errHdrWireType
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return h, errHdrTruncated
			}
			b = b[n:]
			if num == hdrSigner {
				h.signer = v
			} else {
				h.hmac = v
			}
		default:
			return h, errHdrTag
		}
	}
	if !haveLen {
		return h, errHdrNoLength
	}
	return h, nil
}

var (
	errHdrTruncated = errors.New("metlog: heka header: truncated")
	errHdrWireType  = errors.New("metlog: heka header: wrong wire type")
	errHdrRange     = errors.New("metlog: heka header: value exceeds uint32")
	errHdrHash      = errors.New("metlog: heka header: unknown hmac_hash_function")
	errHdrTag       = errors.New("metlog: heka header: unknown tag")
	errHdrNoLength  = errors.New("metlog: heka header: no message_length")
)

// DecodeHekaHeader decodes a Heka stream Header protobuf (the bytes between
// the header length byte and 0x1F). message_length is required; the only
// tags accepted are 1 (message_length), 3 (hmac_hash_function), 4
// (hmac_signer), 5 (hmac_key_version) and 6 (hmac). The result does not
// refer to b.
func DecodeHekaHeader(b []byte) (HekaHeader, error) {
	r, err := parseHekaHeader(b)
	if err != nil {
		return HekaHeader{}, err
	}
	return r.header(), nil
}

func (r *rawHeader) header() HekaHeader {
	h := HekaHeader{
		MessageLength: r.msgLen,
		HashFunction:  r.hash,
		Signer:        string(r.signer),
		KeyVersion:    r.version,
	}
	if len(r.hmac) > 0 {
		h.HMAC = append([]byte(nil), r.hmac...)
	}
	return h
}

// KeyFunc looks up the HMAC key of a signer and key version, as a receiver
// configured with "<signer>_<version>" keys does. ok is false for an
// unknown signer or version.
type KeyFunc func(signer string, keyVersion uint32) (key string, ok bool)

// DecodeHekaRecord decodes one whole framed record: 0x1E, the header length,
// the Header, 0x1F and the Message, with nothing before or after it. It
// checks the framing and that message_length matches the bytes present.
//
// When the header carries an HMAC and keys is not nil, the signature is
// verified over the Message bytes with the key keys returns for the
// header's signer and key version: the error wraps ErrUnknownKey when keys
// knows no such key and ErrBadSignature when the digest does not match; the
// message is not decoded then. With keys nil signatures are not checked (a
// caller requiring signed records tests the header's HMAC itself).
//
// The header is returned whenever it could be decoded, also with an error.
// The message does not refer to rec.
func DecodeHekaRecord(rec []byte, keys KeyFunc) (*Message, HekaHeader, error) {
	if len(rec) < 3 {
		return nil, HekaHeader{}, fmt.Errorf("metlog: heka record: %d bytes is too short", len(rec))
	}
	if rec[0] != RecordSeparator {
		return nil, HekaHeader{}, fmt.Errorf("metlog: heka record: starts with %#02x, want 0x1e", rec[0])
	}
	hl := int(rec[1])
	if len(rec) < 3+hl {
		return nil, HekaHeader{}, fmt.Errorf("metlog: heka record: header of %d bytes truncated (%d bytes in record)", hl, len(rec))
	}
	if rec[2+hl] != UnitSeparator {
		return nil, HekaHeader{}, fmt.Errorf("metlog: heka record: byte after the %d-byte header is %#02x, want 0x1f", hl, rec[2+hl])
	}
	r, err := parseHekaHeader(rec[2 : 2+hl])
	if err != nil {
		return nil, HekaHeader{}, err
	}
	h := r.header()
	msg := rec[3+hl:]
	if uint64(len(msg)) != uint64(h.MessageLength) {
		return nil, h, fmt.Errorf("metlog: heka record: message_length is %d but %d message bytes follow the header", h.MessageLength, len(msg))
	}
	if h.Signed() && keys != nil {
		key, ok := keys(h.Signer, h.KeyVersion)
		if !ok {
			return nil, h, fmt.Errorf("%w: signer %q, key version %d", ErrUnknownKey, h.Signer, h.KeyVersion)
		}
		if !hmac.Equal(Sign(h.HashFunction, key, msg), h.HMAC) {
			return nil, h, fmt.Errorf("%w: signer %q, key version %d, %s", ErrBadSignature, h.Signer, h.KeyVersion, h.HashFunction)
		}
	}
	m, err := DecodeHekaMessage(msg)
	if err != nil {
		return nil, h, err
	}
	return m, h, nil
}

// hekaDecodeError describes where a Message failed to decode.
func hekaDecodeError(where string, format string, args ...any) error {
	if where != "" {
		format = where + ": " + format
	}
	return fmt.Errorf("metlog: heka message: "+format, args...)
}

func wireTypeError(where string, num protowire.Number, got, want protowire.Type) error {
	return hekaDecodeError(where, "tag %d has wire type %d, want %d", num, got, want)
}

// DecodeHekaMessage decodes a Heka Message protobuf (message.proto of Heka
// 0.5-0.10). uuid (exactly 16 bytes) and timestamp are required, as in
// Heka's schema; a missing severity is 7 (the schema's default) and a
// severity outside 0-7 is an error. Tags outside the schema, wrong wire
// types and truncated data are errors.
//
// Each field becomes a Field built with this package's constructors: one
// value gives a scalar (String, Bytes, Int, Float, Bool), several values or
// none a repeated field (Strings, ByteSlices, Ints, Floats, Bools), with its
// representation kept. Packed and unpacked numeric values are both
// accepted. Values of another type than the field's value_type are an
// error. Strings and bytes are copied: the message does not refer to b.
func DecodeHekaMessage(b []byte) (*Message, error) {
	m := &Message{Severity: Debug}
	haveUUID, haveTS := false, false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, hekaDecodeError("", "bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch num {
		case msgTimestamp, msgSeverity, msgPid:
			if typ != protowire.VarintType {
				return nil, wireTypeError("", num, typ, protowire.VarintType)
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, hekaDecodeError("", "tag %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			switch num {
			case msgTimestamp:
				m.Timestamp, haveTS = time.Unix(0, int64(v)).UTC(), true
			case msgSeverity:
				s := int32(v)
				sev, ok := SeverityFromNumber(int(s))
				if !ok {
					return nil, hekaDecodeError("", "severity %d is not 0-7", s)
				}
				m.Severity = sev
			case msgPid:
				m.Pid = int32(v)
			}
		case msgUUID, msgType, msgLogger, msgPayload, msgEnvVersion, msgHostname, msgFields:
			if typ != protowire.BytesType {
				return nil, wireTypeError("", num, typ, protowire.BytesType)
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, hekaDecodeError("", "tag %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			switch num {
			case msgUUID:
				if len(v) != 16 {
					return nil, hekaDecodeError("", "uuid is %d bytes, want 16", len(v))
				}
				copy(m.UUID[:], v)
				haveUUID = true
			case msgType:
				m.Type = string(v)
			case msgLogger:
				m.Logger = string(v)
			case msgPayload:
				m.Payload = string(v)
			case msgEnvVersion:
				m.EnvVersion = string(v)
			case msgHostname:
				m.Hostname = string(v)
			case msgFields:
				f, err := decodeHekaField(v, len(m.Fields))
				if err != nil {
					return nil, err
				}
				m.Fields = append(m.Fields, f)
			}
		default:
			return nil, hekaDecodeError("", "unknown tag %d (wire type %d)", num, typ)
		}
	}
	if !haveUUID {
		return nil, hekaDecodeError("", "no uuid")
	}
	if !haveTS {
		return nil, hekaDecodeError("", "no timestamp")
	}
	return m, nil
}

// hekaValues collects one Field's values as they are read.
type hekaValues struct {
	strs   []string
	bytes  [][]byte
	ints   []int64
	floats []float64
	bools  []bool
}

// decodeHekaField decodes one Message.fields entry; i is its index, for
// error messages.
func decodeHekaField(b []byte, i int) (Field, error) {
	var (
		name, rep string
		haveName  bool
		vt        = KindString
		vals      hekaValues
		present   [fieldValueBool + 1]bool // which value tags occurred
	)
	where := fmt.Sprintf("field %d", i)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return Field{}, hekaDecodeError(where, "bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		if num >= fieldValueString && num <= fieldValueBool {
			present[num] = true
		}
		switch num {
		case fieldName, fieldRepresentation, fieldValueString, fieldValueBytes:
			if typ != protowire.BytesType {
				return Field{}, wireTypeError(where, num, typ, protowire.BytesType)
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return Field{}, hekaDecodeError(where, "tag %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			switch num {
			case fieldName:
				name, haveName = string(v), true
			case fieldRepresentation:
				rep = string(v)
			case fieldValueString:
				vals.strs = append(vals.strs, string(v))
			case fieldValueBytes:
				vals.bytes = append(vals.bytes, append(make([]byte, 0, len(v)), v...))
			}
		case fieldValueType:
			if typ != protowire.VarintType {
				return Field{}, wireTypeError(where, num, typ, protowire.VarintType)
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return Field{}, hekaDecodeError(where, "value_type: %v", protowire.ParseError(n))
			}
			b = b[n:]
			if v > uint64(KindBool) {
				return Field{}, hekaDecodeError(where, "unknown value_type %d", v)
			}
			vt = Kind(v)
		case fieldValueInteger, fieldValueBool:
			var err error
			switch typ {
			case protowire.BytesType: // packed
				var v []byte
				v, n = protowire.ConsumeBytes(b)
				if n < 0 {
					return Field{}, hekaDecodeError(where, "tag %d: %v", num, protowire.ParseError(n))
				}
				for len(v) > 0 && err == nil {
					x, k := protowire.ConsumeVarint(v)
					if k < 0 {
						err = hekaDecodeError(where, "packed tag %d: %v", num, protowire.ParseError(k))
						break
					}
					v = v[k:]
					vals.addVarint(num, x)
				}
			case protowire.VarintType: // unpacked
				var x uint64
				x, n = protowire.ConsumeVarint(b)
				if n < 0 {
					return Field{}, hekaDecodeError(where, "tag %d: %v", num, protowire.ParseError(n))
				}
				vals.addVarint(num, x)
			default:
				return Field{}, wireTypeError(where, num, typ, protowire.BytesType)
			}
			if err != nil {
				return Field{}, err
			}
			b = b[n:]
		case fieldValueDouble:
			switch typ {
			case protowire.BytesType: // packed
				v, n := protowire.ConsumeBytes(b)
				if n < 0 {
					return Field{}, hekaDecodeError(where, "value_double: %v", protowire.ParseError(n))
				}
				if len(v)%8 != 0 {
					return Field{}, hekaDecodeError(where, "packed value_double is %d bytes, not a multiple of 8", len(v))
				}
				for ; len(v) > 0; v = v[8:] {
					x, _ := protowire.ConsumeFixed64(v)
					vals.floats = append(vals.floats, math.Float64frombits(x))
				}
				b = b[n:]
			case protowire.Fixed64Type: // unpacked
				x, n := protowire.ConsumeFixed64(b)
				if n < 0 {
					return Field{}, hekaDecodeError(where, "value_double: %v", protowire.ParseError(n))
				}
				vals.floats = append(vals.floats, math.Float64frombits(x))
				b = b[n:]
			default:
				return Field{}, wireTypeError(where, num, typ, protowire.BytesType)
			}
		default:
			return Field{}, hekaDecodeError(where, "unknown tag %d (wire type %d)", num, typ)
		}
	}
	if !haveName {
		return Field{}, hekaDecodeError(where, "no name")
	}
	want := fieldValueString + protowire.Number(vt) // value tag of vt
	for num := protowire.Number(fieldValueString); num <= fieldValueBool; num++ {
		if present[num] && num != want {
			return Field{}, hekaDecodeError(where, "field %q has value_type %s but carries tag %d", name, kindNames[vt], num)
		}
	}
	f := vals.field(name, vt)
	f.Representation = rep
	return f, nil
}

func (v *hekaValues) addVarint(num protowire.Number, x uint64) {
	if num == fieldValueInteger {
		v.ints = append(v.ints, int64(x))
	} else {
		v.bools = append(v.bools, x != 0)
	}
}

// field builds the Field of kind vt: a scalar for one value, a repeated
// field for none or several.
func (v *hekaValues) field(name string, vt Kind) Field {
	switch vt {
	case KindBytes:
		if len(v.bytes) == 1 {
			return Bytes(name, v.bytes[0])
		}
		return ByteSlices(name, v.bytes)
	case KindInt:
		if len(v.ints) == 1 {
			return Int(name, v.ints[0])
		}
		return Ints(name, v.ints)
	case KindFloat:
		if len(v.floats) == 1 {
			return Float(name, v.floats[0])
		}
		return Floats(name, v.floats)
	case KindBool:
		if len(v.bools) == 1 {
			return Bool(name, v.bools[0])
		}
		return Bools(name, v.bools)
	}
	if len(v.strs) == 1 {
		return String(name, v.strs[0])
	}
	return Strings(name, v.strs)
}

// HekaSplitter splits a Heka stream into records. Its Split method is a
// bufio.SplitFunc whose tokens are whole records (0x1E through the last
// Message byte), ready for DecodeHekaRecord.
//
// It resynchronises after garbage as Heka's stream parser does: it looks
// for 0x1E, reads the header length, and once enough bytes are present
// checks that 0x1F follows the header and that the header decodes with a
// message_length of at most MaxMessageSize. When a check fails it skips
// that one 0x1E byte and looks for the next, so a record that follows
// garbage (even garbage holding 0x1E) is found. A record cut off by the end
// of the stream is skipped the same way. Skipped counts the bytes skipped.
//
// Give the bufio.Scanner a buffer of at least MaxRecordSize bytes
// (Scanner.Buffer): its default limit is smaller than a largest record.
//
// A HekaSplitter is not safe for concurrent use; the zero value is ready.
type HekaSplitter struct {
	// MaxMessageSize limits message_length; DefaultMaxMessageSize when 0.
	MaxMessageSize int
	// Skipped counts the bytes skipped as garbage so far.
	Skipped uint64
}

// MaxRecordSize returns the size of the largest record s accepts: the
// framing, the largest header and MaxMessageSize message bytes.
func (s *HekaSplitter) MaxRecordSize() int { return 3 + MaxHeaderSize + s.max() }

func (s *HekaSplitter) max() int {
	if s.MaxMessageSize <= 0 {
		return DefaultMaxMessageSize
	}
	return s.MaxMessageSize
}

// Split implements bufio.SplitFunc. It returns one record as token, or
// advances past garbage with no token, or asks for more data. At EOF it
// consumes all remaining data, skipping what holds no whole record. It
// never returns an error.
func (s *HekaSplitter) Split(data []byte, atEOF bool) (advance int, token []byte, err error) {
	advance, token, skipped := splitHekaRecord(data, atEOF, s.max())
	s.Skipped += uint64(skipped)
	return advance, token, nil
}

// SplitHekaRecords splits b, a whole datagram or buffer, into the records
// it holds, skipping garbage as HekaSplitter does, with message_length
// limited to max (DefaultMaxMessageSize when max <= 0). The records are
// slices of b. skipped counts the bytes that belong to no record.
func SplitHekaRecords(b []byte, max int) (records [][]byte, skipped int) {
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	for len(b) > 0 {
		adv, tok, sk := splitHekaRecord(b, true, max)
		skipped += sk
		if tok != nil {
			records = append(records, tok)
		}
		b = b[adv:]
	}
	return records, skipped
}

// splitHekaRecord finds the first record in data. It returns the bytes to
// advance past (skipped garbage, plus the record when one is found), the
// record, and how many of the advanced bytes were garbage. Not at EOF, a
// candidate record that is not yet complete stops the search, with the
// garbage before it consumed; at EOF such a candidate is skipped like any
// invalid one, so the whole of data is consumed.
func splitHekaRecord(data []byte, atEOF bool, max int) (advance int, token []byte, skipped int) {
	for advance < len(data) {
		i := bytes.IndexByte(data[advance:], RecordSeparator)
		if i < 0 {
			return len(data), nil, skipped + len(data) - advance
		}
		advance += i
		skipped += i
		n, ok := checkHekaRecord(data[advance:], max)
		switch {
		case ok && n > 0:
			return advance + n, data[advance : advance+n], skipped
		case ok && !atEOF:
			return advance, nil, skipped // need more data
		}
		advance++ // invalid, or incomplete at EOF: skip this 0x1E
		skipped++
	}
	return advance, nil, skipped
}

// checkHekaRecord checks the record candidate at the start of rec (which
// begins with 0x1E). It returns the record's length when it is whole and
// valid, ok with n == 0 when more bytes are needed to tell, and !ok when
// the candidate is invalid.
func checkHekaRecord(rec []byte, max int) (n int, ok bool) {
	if len(rec) < 2 {
		return 0, true
	}
	hl := int(rec[1])
	if len(rec) < 3+hl {
		return 0, true
	}
	if rec[2+hl] != UnitSeparator {
		return 0, false
	}
	h, err := parseHekaHeader(rec[2 : 2+hl])
	if err != nil || uint64(h.msgLen) > uint64(max) {
		return 0, false
	}
	n = 3 + hl + int(h.msgLen)
	if len(rec) < n {
		return 0, true
	}
	return n, true
}
