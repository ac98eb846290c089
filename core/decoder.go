package core

import (
	"crypto/hmac"
	"crypto/sha1"
	"fmt"
	"hash"
	"math"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"
	"google.golang.org/protobuf/encoding/protowire"
)

// A Decoder decodes Heka records and Metlog JSON envelopes into a Message
// it owns, reusing its memory from one call to the next, for receivers that
// decode many messages (a router). In steady state it allocates nothing:
// the message's strings, byte values and the header's signer and HMAC refer
// into the record (or, for JSON, into the decoder's parser), and its fields
// and repeated values live in slices the decoder keeps.
//
// What a call returns is valid until the next call on the same Decoder, and
// only while the record's bytes are not changed: copy what must outlive
// that. DecodeHekaRecord, DecodeHekaMessage and DecodeJSON decode with the
// same code and copy the result.
//
// A Decoder verifies HMAC signatures with hashes it keeps per key, so that
// verifying allocates nothing either. The zero value is ready; a Decoder is
// not safe for concurrent use (give each connection its own).
type Decoder struct {
	// MaxSize is the largest JSON envelope DecodeJSON accepts, in bytes,
	// not counting a final "\n"; DefaultMaxMessageSize when zero. Larger
	// input is refused with an error wrapping ErrOversize before it is
	// parsed. (Heka records carry their length: a splitter bounds them.)
	MaxSize int

	json     Entry            // the JSON message under construction
	parser   fastjson.Parser  // parses JSON input up to 8 KiB; the message's strings are in its memory
	borrowed *fastjson.Parser // parsed the last, larger, input; back to the pool at the next call

	msg    Message
	fields []Field
	strs   []string
	bytes  [][]byte
	ints   []int64
	floats []float64
	bools  []bool

	macs []keyedHash     // HMAC states by key, at most maxKeyedHashes
	next int             // the entry of macs replaced next when it is full
	sum  [sha1.Size]byte // the digest being compared
}

// keyedHash is an HMAC state for one key and hash function.
type keyedHash struct {
	hash HashFunction
	key  string
	h    hash.Hash
}

// maxKeyedHashes bounds the HMAC states a Decoder keeps.
const maxKeyedHashes = 8

// DecodeHeka decodes one whole framed record as DecodeHekaRecord does (the
// same checks, the same HMAC verification with keys, the same errors), into
// the decoder's message. The message and the header refer to rec and to the
// decoder's memory: they are valid until the next call and while rec is
// unchanged.
func (d *Decoder) DecodeHeka(rec []byte, keys KeyFunc) (*Message, HekaHeader, error) {
	r, msg, err := splitRecord(rec)
	if err != nil {
		return nil, HekaHeader{}, err
	}
	h := r.header()
	if uint64(len(msg)) != uint64(h.MessageLength) {
		return nil, h, fmt.Errorf("metlog: heka record: message_length is %d but %d message bytes follow the header", h.MessageLength, len(msg))
	}
	if h.Signed() && keys != nil {
		key, ok := keys(h.Signer, h.KeyVersion)
		if !ok {
			return nil, h, fmt.Errorf("%w: signer %q, key version %d", ErrUnknownKey, h.Signer, h.KeyVersion)
		}
		if !d.verify(h.HashFunction, key, msg, h.HMAC) {
			return nil, h, fmt.Errorf("%w: signer %q, key version %d, %s", ErrBadSignature, h.Signer, h.KeyVersion, h.HashFunction)
		}
	}
	m, err := d.DecodeHekaMessage(msg)
	if err != nil {
		return nil, h, err
	}
	return m, h, nil
}

// splitRecord checks a record's framing and returns its parsed header and
// its message bytes.
func splitRecord(rec []byte) (rawHeader, []byte, error) {
	if len(rec) < 3 {
		return rawHeader{}, nil, fmt.Errorf("metlog: heka record: %d bytes is too short", len(rec))
	}
	if rec[0] != RecordSeparator {
		return rawHeader{}, nil, fmt.Errorf("metlog: heka record: starts with %#02x, want 0x1e", rec[0])
	}
	hl := int(rec[1])
	if len(rec) < 3+hl {
		return rawHeader{}, nil, fmt.Errorf("metlog: heka record: header of %d bytes truncated (%d bytes in record)", hl, len(rec))
	}
	if rec[2+hl] != UnitSeparator {
		return rawHeader{}, nil, fmt.Errorf("metlog: heka record: byte after the %d-byte header is %#02x, want 0x1f", hl, rec[2+hl])
	}
	r, err := parseHekaHeader(rec[2 : 2+hl])
	if err != nil {
		return rawHeader{}, nil, err
	}
	return r, rec[3+hl:], nil
}

// verify reports whether mac is the HMAC of msg under key.
func (d *Decoder) verify(hf HashFunction, key string, msg, mac []byte) bool {
	var h hash.Hash
	for i := range d.macs {
		if d.macs[i].hash == hf && d.macs[i].key == key {
			h = d.macs[i].h
			h.Reset()
			break
		}
	}
	if h == nil {
		h = hmac.New(hf.new(), []byte(key))
		e := keyedHash{hash: hf, key: key, h: h}
		if len(d.macs) < maxKeyedHashes {
			d.macs = append(d.macs, e)
		} else {
			d.macs[d.next] = e
			d.next = (d.next + 1) % maxKeyedHashes
		}
	}
	h.Write(msg)
	return hmac.Equal(h.Sum(d.sum[:0]), mac)
}

// DecodeHekaMessage decodes a Heka Message protobuf as the package's
// DecodeHekaMessage does, into the decoder's message, whose strings and
// values refer to b: valid until the next call and while b is unchanged.
func (d *Decoder) DecodeHekaMessage(b []byte) (*Message, error) {
	d.reset()
	m := &d.msg
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
				m.Type = bytesString(v)
			case msgLogger:
				m.Logger = bytesString(v)
			case msgPayload:
				m.Payload = bytesString(v)
			case msgEnvVersion:
				m.EnvVersion = bytesString(v)
			case msgHostname:
				m.Hostname = bytesString(v)
			case msgFields:
				f, err := d.decodeField(v, len(d.fields))
				if err != nil {
					return nil, err
				}
				d.fields = append(d.fields, f)
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
	m.Fields = d.fields
	return m, nil
}

// reset empties the message and the value slices, keeping their memory
// unless a huge message made them grow past what is worth keeping (the
// limits of a pooled Entry).
func (d *Decoder) reset() {
	d.msg = Message{Severity: Debug}
	d.fields = resetValues(d.fields, maxPooledFields)
	d.strs = resetValues(d.strs, maxPooledValues)
	d.bytes = resetValues(d.bytes, maxPooledValues)
	d.ints = resetValues(d.ints, maxPooledValues)
	d.floats = resetValues(d.floats, maxPooledValues)
	d.bools = resetValues(d.bools, maxPooledValues)
}

// resetValues empties s, or drops it when its capacity is over limit.
func resetValues[T any](s []T, limit int) []T {
	if cap(s) > limit {
		return nil
	}
	return s[:0]
}

// bytesString returns b's bytes as a string without copying them.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// fieldError describes where field i failed to decode; it is built only
// on failure, so that decoding a valid field allocates nothing.
func fieldError(i int, format string, args ...any) error {
	return hekaDecodeError(fmt.Sprintf("field %d", i), format, args...)
}

func fieldWireTypeError(i int, num protowire.Number, got, want protowire.Type) error {
	return wireTypeError(fmt.Sprintf("field %d", i), num, got, want)
}

// decodeField decodes one Message.fields entry, i its index (for error
// messages), appending its values to the decoder's value slices. One value
// gives a scalar field, none or several a repeated one.
func (d *Decoder) decodeField(b []byte, i int) (Field, error) {
	var (
		name, rep string
		haveName  bool
		vt        = KindString
		present   [fieldValueBool + 1]bool // which value tags occurred
	)
	s0, b0, i0, f0, o0 := len(d.strs), len(d.bytes), len(d.ints), len(d.floats), len(d.bools)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return Field{}, fieldError(i, "bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		if num >= fieldValueString && num <= fieldValueBool {
			present[num] = true
		}
		switch num {
		case fieldName, fieldRepresentation, fieldValueString, fieldValueBytes:
			if typ != protowire.BytesType {
				return Field{}, fieldWireTypeError(i, num, typ, protowire.BytesType)
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return Field{}, fieldError(i, "tag %d: %v", num, protowire.ParseError(n))
			}
			b = b[n:]
			switch num {
			case fieldName:
				name, haveName = bytesString(v), true
			case fieldRepresentation:
				rep = bytesString(v)
			case fieldValueString:
				d.strs = append(d.strs, bytesString(v))
			case fieldValueBytes:
				d.bytes = append(d.bytes, v[:len(v):len(v)])
			}
		case fieldValueType:
			if typ != protowire.VarintType {
				return Field{}, fieldWireTypeError(i, num, typ, protowire.VarintType)
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return Field{}, fieldError(i, "value_type: %v", protowire.ParseError(n))
			}
			b = b[n:]
			if v > uint64(KindBool) {
				return Field{}, fieldError(i, "unknown value_type %d", v)
			}
			vt = Kind(v)
		case fieldValueInteger, fieldValueBool:
			switch typ {
			case protowire.BytesType: // packed
				v, n := protowire.ConsumeBytes(b)
				if n < 0 {
					return Field{}, fieldError(i, "tag %d: %v", num, protowire.ParseError(n))
				}
				for len(v) > 0 {
					x, k := protowire.ConsumeVarint(v)
					if k < 0 {
						return Field{}, fieldError(i, "packed tag %d: %v", num, protowire.ParseError(k))
					}
					v = v[k:]
					d.addVarint(num, x)
				}
				b = b[n:]
			case protowire.VarintType: // unpacked
				x, n := protowire.ConsumeVarint(b)
				if n < 0 {
					return Field{}, fieldError(i, "tag %d: %v", num, protowire.ParseError(n))
				}
				d.addVarint(num, x)
				b = b[n:]
			default:
				return Field{}, fieldWireTypeError(i, num, typ, protowire.BytesType)
			}
		case fieldValueDouble:
			switch typ {
			case protowire.BytesType: // packed
				v, n := protowire.ConsumeBytes(b)
				if n < 0 {
					return Field{}, fieldError(i, "value_double: %v", protowire.ParseError(n))
				}
				if len(v)%8 != 0 {
					return Field{}, fieldError(i, "packed value_double is %d bytes, not a multiple of 8", len(v))
				}
				for ; len(v) > 0; v = v[8:] {
					x, _ := protowire.ConsumeFixed64(v)
					d.floats = append(d.floats, math.Float64frombits(x))
				}
				b = b[n:]
			case protowire.Fixed64Type: // unpacked
				x, n := protowire.ConsumeFixed64(b)
				if n < 0 {
					return Field{}, fieldError(i, "value_double: %v", protowire.ParseError(n))
				}
				d.floats = append(d.floats, math.Float64frombits(x))
				b = b[n:]
			default:
				return Field{}, fieldWireTypeError(i, num, typ, protowire.BytesType)
			}
		default:
			return Field{}, fieldError(i, "unknown tag %d (wire type %d)", num, typ)
		}
	}
	if !haveName {
		return Field{}, fieldError(i, "no name")
	}
	want := fieldValueString + protowire.Number(vt) // value tag of vt
	for num := protowire.Number(fieldValueString); num <= fieldValueBool; num++ {
		if present[num] && num != want {
			return Field{}, fieldError(i, "field %q has value_type %s but carries tag %d", name, kindNames[vt], num)
		}
	}
	var f Field
	switch vt {
	case KindBytes:
		f = scalarOrList(d.bytes[b0:], name, Bytes, ByteSlices)
	case KindInt:
		f = scalarOrList(d.ints[i0:], name, Int64, Ints)
	case KindFloat:
		f = scalarOrList(d.floats[f0:], name, Float, Floats)
	case KindBool:
		f = scalarOrList(d.bools[o0:], name, Bool, Bools)
	default:
		f = scalarOrList(d.strs[s0:], name, String, Strings)
	}
	f.Representation = rep
	return f, nil
}

// scalarOrList builds a scalar field of one value, or a repeated field of
// none or several.
func scalarOrList[T any](vs []T, name string, one func(string, T) Field, list func(string, []T) Field) Field {
	if len(vs) == 1 {
		return one(name, vs[0])
	}
	return list(name, vs[:len(vs):len(vs)])
}

func (d *Decoder) addVarint(num protowire.Number, x uint64) {
	if num == fieldValueInteger {
		d.ints = append(d.ints, int64(x))
	} else {
		d.bools = append(d.bools, x != 0)
	}
}

// decoders pools the Decoders of DecodeHekaRecord and DecodeHekaMessage.
var decoders = sync.Pool{New: func() any { return new(Decoder) }}

// cloneMessage returns a copy of m that shares no memory with it.
func cloneMessage(m *Message) *Message {
	c := *m
	c.Type = cloneString(m.Type)
	c.Logger = cloneString(m.Logger)
	c.Payload = cloneString(m.Payload)
	c.EnvVersion = cloneString(m.EnvVersion)
	c.Hostname = cloneString(m.Hostname)
	c.Fields = nil
	if len(m.Fields) > 0 {
		c.Fields = cloneFields(m.Fields)
	}
	return &c
}

// release forgets the last message, so that a pooled decoder keeps no
// input reachable, and returns d to the pool.
func (d *Decoder) release() {
	d.msg = Message{}
	clear(d.fields)
	clear(d.strs)
	clear(d.bytes)
	decoders.Put(d)
}

// DecodeJSON decodes one Metlog JSON envelope by DecodeJSON's rules (the
// package function), with d's size limit, into the decoder's message: its
// strings refer into the decoder's parser, valid until the next call.
//
// A parser keeps the memory its largest input needed (some 80 bytes per
// JSON value). So that a decoder per connection holds little while it
// waits, input over 8 KiB is parsed by a parser borrowed from a pool shared
// by every decoder, which goes back at the next call.
func (d *Decoder) DecodeJSON(b []byte) (*Message, error) {
	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	if d.borrowed != nil {
		jsonParsers.Put(d.borrowed)
		d.borrowed = nil
	}
	p := &d.parser
	if len(b) > maxKeptJSONInput {
		d.borrowed = jsonParsers.Get()
		p = d.borrowed
	}
	if !d.json.reset() {
		d.json = Entry{}
	}
	return decodeEnvelope(&d.json, p, b, limit)
}

// maxKeptJSONInput is the largest JSON input a Decoder parses with its own
// parser.
const maxKeptJSONInput = 8 << 10
