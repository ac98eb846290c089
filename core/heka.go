package core

import (
	"math"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
	"google.golang.org/protobuf/encoding/protowire"
)

// Heka stream framing bytes.
const (
	RecordSeparator = 0x1E // starts a record
	UnitSeparator   = 0x1F // ends the header
	// MaxHeaderSize is the largest header a record can carry: its length is one byte.
	MaxHeaderSize = 255
)

// Heka Message and Field protobuf tags (message.proto of Heka 0.5-0.10).
const (
	hdrMessageLength    = 1
	hdrHashFunction     = 3
	hdrSigner           = 4
	hdrKeyVersion       = 5
	hdrHMAC             = 6
	msgUUID             = 1
	msgTimestamp        = 2
	msgType             = 3
	msgLogger           = 4
	msgSeverity         = 5
	msgPayload          = 6
	msgEnvVersion       = 7
	msgPid              = 8
	msgHostname         = 9
	msgFields           = 10
	fieldName           = 1
	fieldValueType      = 2
	fieldRepresentation = 3
	fieldValueString    = 4
	fieldValueBytes     = 5
	fieldValueInteger   = 6
	fieldValueDouble    = 7
	fieldValueBool      = 8
)

// hekaState is what a FormatHeka Encoder pre-encodes, and its signer.
// Heka's protobuf stream framing is 0x1E, a one-byte header length, the
// Header protobuf, 0x1F and the Message protobuf, optionally signed with
// HMAC-MD5 or HMAC-SHA1. Tags are written in ascending order, numeric
// arrays packed, and nothing outside Heka's schema is written, as
// Hindsight's reader requires. Groups flatten to dotted field names.
// Strings are valid UTF-8: invalid bytes are replaced by U+FFFD.
type hekaState struct {
	signer   *signer
	tail     []byte // pre-encoded env_version, pid and hostname
	loggerPB []byte // pre-encoded default logger
}

func (h *hekaState) init(b *encBase, sign *HMACConfig) error {
	if sign != nil {
		s, err := newSigner(*sign)
		if err != nil {
			return err
		}
		h.signer = s
	}
	h.tail = appendHekaTail(nil, EnvVersion, b.pid, b.hostname)
	h.loggerPB = appendPBString(nil, msgLogger, b.logger)
	return nil
}

// oldstylePB is the type field of TypeOldstyle, every adapter's default
// type, pre-encoded.
var oldstylePB = appendPBString(nil, msgType, TypeOldstyle)

// maxHeader bounds the header this encoder writes, so the message can be
// written once behind reserved space and moved down when the header is known.
func (h *hekaState) maxHeader() int {
	n := 1 + 5 // message_length
	if h.signer != nil {
		n += h.signer.headerSize()
	}
	return n
}

func (e *Encoder) encodeHeka(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	start := len(dst)
	reserve := 3 + e.heka.maxHeader()
	dst = append(dst, make([]byte, reserve)...)
	msgStart := len(dst)
	dst = e.appendHekaMessage(dst, m, sev, payload, origLen)
	msgEnd := len(dst)
	msgLen := msgEnd - msgStart

	// Header, built past the message and then moved in front of it.
	hdrStart := len(dst)
	dst = protowire.AppendTag(dst, hdrMessageLength, protowire.VarintType)
	dst = protowire.AppendVarint(dst, uint64(msgLen))
	if e.heka.signer != nil {
		dst = e.heka.signer.appendHeader(dst, dst[msgStart:msgEnd])
	}
	hdrLen := len(dst) - hdrStart

	copy(dst[start+3+hdrLen:], dst[msgStart:msgEnd])
	dst[start] = RecordSeparator
	dst[start+1] = byte(hdrLen)
	copy(dst[start+2:], dst[hdrStart:hdrStart+hdrLen])
	dst[start+2+hdrLen] = UnitSeparator
	return dst[:start+3+hdrLen+msgLen], msgLen
}

func (e *Encoder) appendHekaMessage(dst []byte, m *Message, sev Severity, payload string, origLen int) []byte {
	ts := e.stamp(m)
	dst = append(dst, tagBytes(msgUUID), 16)
	if m.UUID == ([16]byte{}) {
		dst = appendUUID(dst)
	} else {
		dst = append(dst, m.UUID[:]...)
	}
	dst = append(dst, tagVarint(msgTimestamp))
	dst = appendVarint(dst, uint64(ts))
	if m.Type == TypeOldstyle {
		dst = append(dst, oldstylePB...)
	} else {
		dst = appendPBString(dst, msgType, m.Type)
	}
	if m.Logger == "" {
		dst = append(dst, e.heka.loggerPB...)
	} else {
		dst = appendPBString(dst, msgLogger, m.Logger)
	}
	// Severity is always written: Heka's schema defaults it to 7.
	dst = append(dst, tagVarint(msgSeverity), byte(sev.Number()))
	dst = appendPBString(dst, msgPayload, payload)
	if e.isDefaultTail(m) {
		dst = append(dst, e.heka.tail...)
	} else {
		ver, pid, host := e.tailValues(m)
		dst = appendHekaTail(dst, ver, pid, host)
	}

	dst = append(dst, scopeTextOf(e.env, FormatHeka).heka...)
	s := scopeTextOf(m.Scope, FormatHeka)
	dst = append(dst, s.heka...)
	fields := m.Fields
	if s.deep != "" {
		// The scope is nested deeper than MaxDepth: the message's fields
		// become its marker, unless it has one already.
		if !s.deepDone && writesJSONMember(fields) {
			dst = appendHekaMarker(dst, s.prefix, s.deep)
		}
		fields = nil
	}
	if len(s.prefix) > 0 || hasNamedGroup(fields) || hasNamedGroup(m.TopFields) {
		dst = appendHekaFieldsPrefixed(dst, s.prefix, fields, m.TopFields, s.depth+1)
	} else {
		dst = appendHekaFields(dst, nil, fields, 1)
		dst = appendHekaFields(dst, nil, m.TopFields, 1)
	}
	if origLen >= 0 {
		f := Int64(TruncatedField, int64(origLen))
		dst = appendHekaField(dst, nil, &f)
	}
	return dst
}

// appendHekaTail writes Message fields 7-9: env_version, pid, hostname.
func appendHekaTail(dst []byte, ver string, pid int32, host string) []byte {
	dst = appendPBString(dst, msgEnvVersion, ver)
	dst = append(dst, tagVarint(msgPid))
	dst = appendVarint(dst, uint64(int64(pid)))
	return appendPBString(dst, msgHostname, host)
}

// tagBytes and tagVarint return the one-byte key of a length-delimited or
// varint field numbered below 16.
func tagBytes(num int) byte  { return byte(num<<3 | 2) }
func tagVarint(num int) byte { return byte(num << 3) }

// appendVarint is protowire.AppendVarint with the one-byte case inlined.
func appendVarint(dst []byte, v uint64) []byte {
	if v < 0x80 {
		return append(dst, byte(v))
	}
	return protowire.AppendVarint(dst, v)
}

// appendHekaFieldsPrefixed writes fields, at depth depth under
// scopePrefix, and the top-level fields top, with scratch space for the
// dotted names of groups. It is apart from appendMessage so that only
// messages with groups pay for clearing that space.
func appendHekaFieldsPrefixed(dst, scopePrefix []byte, fields, top []Field, depth int) []byte {
	var pbuf [128]byte
	prefix := append(pbuf[:0], scopePrefix...)
	dst = appendHekaFields(dst, prefix, fields, depth)
	return appendHekaFields(dst, pbuf[:0], top, 1)
}

// hasNamedGroup reports whether fields hold a named group, whose children
// need a dotted prefix (unnamed groups are inlined, so look inside them).
func hasNamedGroup(fields []Field) bool {
	for i := range fields {
		if fields[i].kind == KindGroup && (fields[i].Name != "" || hasNamedGroup(fields[i].GroupValue())) {
			return true
		}
	}
	return false
}

// appendHekaFields writes fields, at depth depth (see jsontext.MaxDepth),
// as Message.fields entries, groups flattened under prefix ("a.b.", valid
// UTF-8: group names are made valid as they are appended, so the fields
// below need not check it again). A group nested deeper than MaxDepth is
// one string field, jsontext.DepthMarker. Nested groups append to prefix,
// so it must be the caller's scratch space, never shared memory.
func appendHekaFields(dst, prefix []byte, fields []Field, depth int) []byte {
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup {
			p, d := prefix, depth
			if f.Name != "" {
				if tooDeep(depth, f.GroupValue()) {
					dst = appendHekaMarker(dst, prefix, f.Name)
					continue
				}
				p = appendValidUTF8String(p, f.Name)
				p = append(p, '.')
				d++
			}
			dst = appendHekaFields(dst, p, f.GroupValue(), d)
			continue
		}
		dst = appendHekaField(dst, prefix, f)
	}
	return dst
}

// appendHekaMarker writes the string field prefix+name holding
// jsontext.DepthMarker.
func appendHekaMarker(dst, prefix []byte, name string) []byte {
	f := String(name, jsontext.DepthMarker)
	return appendHekaField(dst, prefix, &f)
}

// appendHekaField writes one Message.fields entry (tag 10): name, value_type
// (only when not STRING), representation, then the values.
func appendHekaField(dst, prefix []byte, f *Field) []byte {
	dst = append(dst, tagBytes(msgFields))
	outer := reserveLen(dst)
	dst = outer.dst

	dst = append(dst, tagBytes(fieldName))
	nl := reserveLen(dst)
	dst = append(nl.dst, prefix...) // made of names already made valid
	if f.Name == "" {
		dst = append(dst, '_')
	} else {
		dst = appendValidUTF8String(dst, f.Name)
	}
	dst = nl.done(dst)

	vt := f.Kind()
	if f.kind == KindJSON {
		vt = KindString
	}
	if vt != KindString {
		dst = append(dst, tagVarint(fieldValueType), byte(vt))
	}
	rep := f.Representation
	if rep == "" && f.kind == KindJSON {
		rep = "json"
	}
	if rep != "" {
		dst = appendPBString(dst, fieldRepresentation, rep)
	}

	if f.multi {
		switch f.kind {
		case KindString:
			for _, v := range f.StringsValue() {
				dst = appendPBStringAlways(dst, fieldValueString, v)
			}
		case KindBytes:
			for _, v := range f.ByteSlicesValue() {
				dst = append(dst, tagBytes(fieldValueBytes))
				dst = protowire.AppendBytes(dst, v)
			}
		case KindInt:
			if vs := f.IntsValue(); len(vs) > 0 {
				dst = append(dst, tagBytes(fieldValueInteger))
				r := reserveLen(dst)
				dst = r.dst
				for _, v := range vs {
					dst = appendVarint(dst, uint64(v))
				}
				dst = r.done(dst)
			}
		case KindFloat:
			if vs := f.FloatsValue(); len(vs) > 0 {
				dst = append(dst, tagBytes(fieldValueDouble))
				dst = protowire.AppendVarint(dst, uint64(8*len(vs)))
				for _, v := range vs {
					dst = protowire.AppendFixed64(dst, math.Float64bits(v))
				}
			}
		case KindBool:
			if vs := f.BoolsValue(); len(vs) > 0 {
				dst = append(dst, tagBytes(fieldValueBool))
				dst = protowire.AppendVarint(dst, uint64(len(vs)))
				for _, v := range vs {
					dst = append(dst, byte(protowire.EncodeBool(v)))
				}
			}
		}
		return outer.done(dst)
	}

	switch f.kind {
	case KindString, KindJSON:
		dst = appendPBStringAlways(dst, fieldValueString, f.str())
	case KindBytes:
		dst = append(dst, tagBytes(fieldValueBytes))
		dst = protowire.AppendBytes(dst, f.BytesValue())
	case KindInt:
		dst = appendPackedInt(dst, int64(f.num))
	case kindUint:
		if f.num <= math.MaxInt64 {
			dst = appendPackedInt(dst, int64(f.num))
		} else {
			dst = append(dst, tagBytes(fieldValueString))
			r := reserveLen(dst)
			dst = r.done(appendUint(r.dst, f.num))
		}
	case KindFloat:
		dst = append(dst, tagBytes(fieldValueDouble))
		dst = append(dst, 8)
		dst = protowire.AppendFixed64(dst, f.num)
	case KindBool:
		dst = append(dst, tagBytes(fieldValueBool))
		dst = append(dst, 1, byte(f.num&1))
	case kindTime:
		dst = append(dst, tagBytes(fieldValueString))
		r := reserveLen(dst)
		dst = r.done(jsontext.AppendRFC3339(r.dst, int64(f.num), f.n))
	}
	return outer.done(dst)
}

func appendPackedInt(dst []byte, v int64) []byte {
	dst = append(dst, tagBytes(fieldValueInteger))
	dst = append(dst, byte(protowire.SizeVarint(uint64(v))))
	return appendVarint(dst, uint64(v))
}

// appendPBString writes a string field unless s is empty.
func appendPBString(dst []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return dst
	}
	return appendPBStringAlways(dst, num, s)
}

// appendPBStringAlways writes a string field with invalid UTF-8 replaced.
func appendPBStringAlways(dst []byte, num protowire.Number, s string) []byte {
	dst = append(dst, tagBytes(int(num)))
	if len(s) < 128 && utf8.ValidString(s) {
		dst = append(dst, byte(len(s)))
		return append(dst, s...)
	}
	r := reserveLen(dst)
	return r.done(appendValidUTF8String(r.dst, s))
}

// lenSlot is a one-byte length placeholder; done fills it in, widening it
// (and moving what follows) in the rare case the length needs more bytes.
type lenSlot struct {
	dst []byte
	pos int
}

func reserveLen(dst []byte) lenSlot {
	return lenSlot{dst: append(dst, 0), pos: len(dst)}
}

func (s lenSlot) done(dst []byte) []byte {
	n := len(dst) - s.pos - 1
	if n < 0x80 {
		dst[s.pos] = byte(n)
		return dst
	}
	k := protowire.SizeVarint(uint64(n))
	dst = append(dst, make([]byte, k-1)...)
	copy(dst[s.pos+k:], dst[s.pos+1:s.pos+1+n])
	protowire.AppendVarint(dst[s.pos:s.pos], uint64(n))
	return dst
}

// appendValidUTF8String appends s with each invalid UTF-8 byte replaced
// by U+FFFD.
func appendValidUTF8String(dst []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}
