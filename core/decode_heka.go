package core

import (
	"bytes"
	"errors"
	"fmt"
	"math"

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

// header returns the parsed header, referring to the bytes it was parsed
// from (clone copies it).
func (r *rawHeader) header() HekaHeader {
	return HekaHeader{
		MessageLength: r.msgLen,
		HashFunction:  r.hash,
		Signer:        bytesString(r.signer),
		KeyVersion:    r.version,
		HMAC:          r.hmac,
	}
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
// The message does not refer to rec. A [Decoder] decodes without copying.
func DecodeHekaRecord(rec []byte, keys KeyFunc) (*Message, HekaHeader, error) {
	d := decoders.Get().(*Decoder)
	defer d.release()
	m, h, err := d.DecodeHeka(rec, keys)
	h = h.clone()
	if err != nil {
		return nil, h, err
	}
	return cloneMessage(m), h, nil
}

// clone returns a copy of h that does not refer to the record.
func (h HekaHeader) clone() HekaHeader {
	h.Signer = cloneString(h.Signer)
	if len(h.HMAC) > 0 {
		h.HMAC = append([]byte(nil), h.HMAC...)
	} else {
		h.HMAC = nil
	}
	return h
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
// error. Strings and bytes are copied: the message does not refer to b. A
// [Decoder] decodes without copying.
func DecodeHekaMessage(b []byte) (*Message, error) {
	d := decoders.Get().(*Decoder)
	defer d.release()
	m, err := d.DecodeHekaMessage(b)
	if err != nil {
		return nil, err
	}
	return cloneMessage(m), nil
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
	// Oversize counts the records skipped so far because their header's
	// message_length exceeds MaxMessageSize (their bytes are in Skipped).
	Oversize uint64
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
	advance, token, skipped, over := splitHekaRecord(data, atEOF, s.max())
	s.Skipped += uint64(skipped)
	s.Oversize += uint64(over)
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
		adv, tok, sk, _ := splitHekaRecord(b, true, max)
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
// record, how many of the advanced bytes were garbage, and how many
// candidates were skipped for a message_length over max. Not at EOF, a
// candidate record that is not yet complete stops the search, with the
// garbage before it consumed; at EOF such a candidate is skipped like any
// invalid one, so the whole of data is consumed.
func splitHekaRecord(data []byte, atEOF bool, max int) (advance int, token []byte, skipped, oversize int) {
	for advance < len(data) {
		i := bytes.IndexByte(data[advance:], RecordSeparator)
		if i < 0 {
			return len(data), nil, skipped + len(data) - advance, oversize
		}
		advance += i
		skipped += i
		n, ok, over := checkHekaRecord(data[advance:], max)
		switch {
		case ok && n > 0:
			return advance + n, data[advance : advance+n], skipped, oversize
		case ok && !atEOF:
			return advance, nil, skipped, oversize // need more data
		}
		if over {
			oversize++
		}
		advance++ // invalid, or incomplete at EOF: skip this 0x1E
		skipped++
	}
	return advance, nil, skipped, oversize
}

// checkHekaRecord checks the record candidate at the start of rec (which
// begins with 0x1E). It returns the record's length when it is whole and
// valid, ok with n == 0 when more bytes are needed to tell, and !ok when
// the candidate is invalid; over reports a header that is valid but for a
// message_length above max.
func checkHekaRecord(rec []byte, max int) (n int, ok, over bool) {
	if len(rec) < 2 {
		return 0, true, false
	}
	hl := int(rec[1])
	if len(rec) < 3+hl {
		return 0, true, false
	}
	if rec[2+hl] != UnitSeparator {
		return 0, false, false
	}
	h, err := parseHekaHeader(rec[2 : 2+hl])
	if err != nil {
		return 0, false, false
	}
	if uint64(h.msgLen) > uint64(max) {
		return 0, false, true
	}
	n = 3 + hl + int(h.msgLen)
	if len(rec) < n {
		return 0, true, false
	}
	return n, true, false
}
