package core

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"unsafe"

	"github.com/metlog-go/metlog/internal/jsontext"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP protobuf field numbers, from opentelemetry-proto's logs/v1/logs.proto
// and common/v1/common.proto (event_name since proto v1.5.0).
const (
	otlpScopeLogRecords = 2 // ScopeLogs.log_records: one frame each

	lrTimeUnixNano     = 1  // fixed64
	lrSeverityNumber   = 2  // enum SeverityNumber
	lrSeverityText     = 3  // string
	lrBody             = 5  // AnyValue
	lrAttributes       = 6  // repeated KeyValue
	lrTraceID          = 9  // bytes, 16
	lrSpanID           = 10 // bytes, 8
	lrObservedUnixNano = 11 // fixed64
	lrEventName        = 12 // string

	kvKey   = 1 // KeyValue.key
	kvValue = 2 // KeyValue.value

	avString = 1 // AnyValue.string_value
	avBool   = 2 // AnyValue.bool_value
	avInt    = 3 // AnyValue.int_value
	avDouble = 4 // AnyValue.double_value
	avArray  = 5 // AnyValue.array_value
	avKvlist = 6 // AnyValue.kvlist_value
	avBytes  = 7 // AnyValue.bytes_value

	listValues = 1 // ArrayValue.values and KeyValueList.values
)

// Attributes the OTLP encoder adds for envelope values that have no place
// of their own in a LogRecord.
const (
	// otlpLoggerAttr holds the message's logger name.
	otlpLoggerAttr = "metlog.logger"
	// otlpMetricValueAttr holds a metric message's payload as a double.
	otlpMetricValueAttr = "metric.value"
	// OTLPTraceIDField and OTLPSpanIDField name the fields that become a
	// record's trace_id and span_id.
	OTLPTraceIDField = "trace_id"
	OTLPSpanIDField  = "span_id"
)

// otlpSeverity maps each Severity (indexed by the constant, syslog number
// plus one) to OTLP's SeverityNumber, as the OpenTelemetry log data model's
// appendix maps syslog: the table is in FormatOTLP's documentation
// (encodeOTLP) and in the README.
var otlpSeverity = [...]byte{
	Emergency: 21, // FATAL
	Alert:     19, // ERROR3
	Critical:  18, // ERROR2
	Error:     17, // ERROR
	Warning:   13, // WARN
	Notice:    10, // INFO2
	Info:      9,  // INFO
	Debug:     5,  // DEBUG
}

// otlpSeverityPB holds each severity's severity_number and severity_text
// (the lower-case syslog name, as Severity.String) pre-encoded.
var otlpSeverityPB = func() (t [Debug + 1][]byte) {
	for s := Emergency; s <= Debug; s++ {
		b := append([]byte(nil), tagVarint(lrSeverityNumber), otlpSeverity[s])
		t[s] = appendPBString(b, lrSeverityText, s.String())
	}
	return t
}()

// otlpState is what a FormatOTLP Encoder pre-encodes.
type otlpState struct {
	loggerKV []byte // the default logger's attribute, or nothing
}

func (o *otlpState) init(b *encBase) {
	if b.logger != "" {
		o.loggerKV = appendOTLPStringAttr(nil, tagBytes(lrAttributes), otlpLoggerAttr, b.logger)
	}
}

// encodeOTLP writes m as one OTLP LogRecord, framed as a ScopeLogs.log_records
// entry (the key byte 0x12, a varint length, the LogRecord), so that frames
// laid end to end are the log_records of one ScopeLogs, and a stream of them
// splits without another framing. The size limit applies to the LogRecord.
//
// Fields are written in ascending order:
//
//	1  time_unix_nano           the message's Timestamp (now when zero; left
//	                            out before 1970, which fixed64 cannot hold)
//	2  severity_number          see the table below
//	3  severity_text            the syslog name: "emergency" ... "debug"
//	5  body                     the payload as a string AnyValue (left out when empty)
//	6  attributes               the encoder's env fields, the Scope's fields, the
//	                            message's Fields (inside the scope's open groups),
//	                            its TopFields, then metric.value, metlog.logger,
//	                            the envelope values that differ from the encoder's
//	                            (host.name, process.pid, metlog.env_version,
//	                            log.record.uid) and the truncation marker
//	9, 10 trace_id, span_id     from the fields named trace_id and span_id
//	11 observed_time_unix_nano  the time of encoding
//	12 event_name               the Metlog type, except "oldstyle" (and ""),
//	                            the plain log record
//
// Severities map as the OpenTelemetry log data model's appendix maps syslog:
//
//	syslog         OTLP SeverityNumber
//	Emergency (0)  FATAL  (21)
//	Alert (1)      ERROR3 (19)
//	Critical (2)   ERROR2 (18)
//	Error (3)      ERROR  (17)
//	Warning (4)    WARN   (13)
//	Notice (5)     INFO2  (10)
//	Info (6)       INFO   (9)
//	Debug (7)      DEBUG  (5)
//
// Attribute values are typed AnyValues: strings, int64, double and bool as
// such; bytes as bytes_value; a named group as a kvlist_value (an unnamed one
// is inlined into its parent, as in JSON), nested up to jsontext.MaxDepth,
// below which a value is the string jsontext.DepthMarker; repeated values as
// an array_value; raw JSON as a string holding its text; times as RFC 3339
// strings; unsigned integers above math.MaxInt64 as decimal strings. An
// empty name is written "_"; names are written as given (a name used twice
// is written twice, as in JSON). Representations are not carried. Invalid
// UTF-8 in any string is replaced by U+FFFD.
//
// A field at the top level named trace_id holding 16 bytes or 32 hex digits
// (span_id: 8 bytes or 16 hex digits), not all zero, becomes the record's
// trace_id (span_id) and is not written as an attribute; with another value
// it stays an attribute. An adapter's context hook (slogmetlog's
// FromContext, logrusmetlog's WithContextFields) supplies them.
//
// A metric message (type counter, timer or gauge) keeps its fields (name,
// rate, and an aggregated timer's count, sum, min, max, samples) as
// attributes, its kind as event_name, its payload as the body, and adds the
// payload as a double attribute metric.value when it reads as a number.
func (e *Encoder) encodeOTLP(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	dst = append(dst, tagBytes(otlpScopeLogRecords))
	rec := reserveLen(dst)
	dst = rec.dst
	recStart := len(dst)

	now := e.now().UnixNano()
	ts := now
	if !m.Timestamp.IsZero() {
		ts = unixNano(m.Timestamp)
	}
	dst = appendFixed64Field(dst, lrTimeUnixNano, ts)
	dst = append(dst, otlpSeverityPB[sev]...)
	if payload != "" {
		dst = append(dst, tagBytes(lrBody))
		b := reserveLen(dst)
		dst = b.done(appendPBStringAlways(b.dst, avString, payload))
	}

	var w otlpAttrs
	dst = w.scope(dst, e.env)
	dst = w.scope(dst, m.Scope)
	if writesJSONMember(m.Fields) {
		dst = w.openPending(dst)
		dst = w.fields(dst, m.Fields)
	}
	dst = w.closeAll(dst)
	dst = w.fields(dst, m.TopFields)
	dst = e.appendOTLPEnvelope(dst, m)
	if origLen >= 0 {
		f := Int64(TruncatedField, int64(origLen))
		dst = appendOTLPAttr(dst, tagBytes(lrAttributes), &f, 1)
	}

	if w.hasTrace {
		dst = append(dst, tagBytes(lrTraceID), 16)
		dst = append(dst, w.trace[:]...)
	}
	if w.hasSpan {
		dst = append(dst, tagBytes(lrSpanID), 8)
		dst = append(dst, w.span[:]...)
	}
	dst = appendFixed64Field(dst, lrObservedUnixNano, now)
	if m.Type != TypeOldstyle {
		dst = appendPBString(dst, lrEventName, m.Type)
	}
	size := len(dst) - recStart
	return rec.done(dst), size
}

// appendOTLPEnvelope writes the attributes for the envelope values a
// LogRecord has no field for: metric.value, the logger, and the values that
// differ from the encoder's (which the OTLP sender's resource carries).
func (e *Encoder) appendOTLPEnvelope(dst []byte, m *Message) []byte {
	tag := tagBytes(lrAttributes)
	switch m.Type {
	case TypeCounter, TypeTimer, TypeGauge:
		if v, err := strconv.ParseFloat(m.Payload, 64); err == nil {
			f := Float(otlpMetricValueAttr, v)
			dst = appendOTLPAttr(dst, tag, &f, 1)
		}
	}
	if m.Logger == "" {
		dst = append(dst, e.otlp.loggerKV...)
	} else {
		dst = appendOTLPStringAttr(dst, tag, otlpLoggerAttr, m.Logger)
	}
	if !e.isDefaultTail(m) {
		ver, pid, host := e.tailValues(m)
		if host != e.hostname {
			dst = appendOTLPStringAttr(dst, tag, "host.name", host)
		}
		if pid != e.pid {
			f := Int64("process.pid", int64(pid))
			dst = appendOTLPAttr(dst, tag, &f, 1)
		}
		if ver != EnvVersion {
			dst = appendOTLPStringAttr(dst, tag, "metlog.env_version", ver)
		}
	}
	if m.UUID != ([16]byte{}) {
		var b [36]byte
		appendUUIDText(b[:0], m.UUID)
		f := String("log.record.uid", unsafe.String(&b[0], len(b)))
		dst = appendOTLPAttr(dst, tag, &f, 1)
	}
	return dst
}

// appendUUIDText writes u in the canonical 8-4-4-4-12 hex form.
func appendUUIDText(dst []byte, u [16]byte) []byte {
	dst = hex.AppendEncode(dst, u[0:4])
	for _, part := range [...][2]int{{4, 6}, {6, 8}, {8, 10}, {10, 16}} {
		dst = hex.AppendEncode(append(dst, '-'), u[part[0]:part[1]])
	}
	return dst
}

// appendFixed64Field writes a fixed64 time field, unless v is not after
// the epoch (0 means "unknown" in OTLP; fixed64 holds no earlier time).
func appendFixed64Field(dst []byte, num int, v int64) []byte {
	if v <= 0 {
		return dst
	}
	dst = append(dst, byte(num<<3|int(protowire.Fixed64Type)))
	return binary.LittleEndian.AppendUint64(dst, uint64(v))
}

// maxOpenGroups bounds the groups a scope can hold open for later fields:
// one level is left for the fields themselves.
const maxOpenGroups = jsontext.MaxDepth - 1

// otlpAttrs writes one record's attributes: it walks scopes from the root,
// opens the groups they leave open (as nested kvlist_values, once they hold
// a field), and takes the trace and span ids from the top level.
type otlpAttrs struct {
	open     [maxOpenGroups][3]int // per open group, the length slots of its KeyValue, value and kvlist
	nOpen    int
	pending  int       // groups named by WithGroup and not yet opened...
	lastPend *scopeSrc // ...the last of which is this one
	trace    [16]byte  // trace_id taken from a top-level field
	span     [8]byte   // span_id taken from a top-level field
	hasTrace bool
	hasSpan  bool
}

// scope writes the fields of s and of its ancestors, root first, each
// inside the groups opened before it.
func (w *otlpAttrs) scope(dst []byte, s *Scope) []byte {
	if s.Empty() {
		return dst
	}
	src := s.src
	dst = w.scope(dst, src.parent)
	if src.group != "" {
		w.pending++
		w.lastPend = src
		return dst
	}
	dst = w.openPending(dst)
	return w.fields(dst, src.fields)
}

// openPending opens the groups named since the last fields, in order.
func (w *otlpAttrs) openPending(dst []byte) []byte {
	dst = w.openGroups(dst, w.lastPend, w.pending)
	w.pending, w.lastPend = 0, nil
	return dst
}

// openGroups opens the n groups ending with g (consecutive WithGroup
// scopes: each one's parent is the one before).
func (w *otlpAttrs) openGroups(dst []byte, g *scopeSrc, n int) []byte {
	if n == 0 {
		return dst
	}
	dst = w.openGroups(dst, g.parent.src, n-1)
	if w.nOpen == maxOpenGroups {
		return dst // too deep: later fields go in the innermost group
	}
	slots := &w.open[w.nOpen]
	dst = append(dst, w.tag())
	kv := reserveLen(dst)
	dst = appendPBStringAlways(kv.dst, kvKey, g.group)
	dst = append(dst, tagBytes(kvValue))
	v := reserveLen(dst)
	dst = append(v.dst, tagBytes(avKvlist))
	l := reserveLen(dst)
	*slots = [3]int{kv.pos, v.pos, l.pos}
	w.nOpen++
	return l.dst
}

// closeAll closes the open groups, innermost first.
func (w *otlpAttrs) closeAll(dst []byte) []byte {
	for ; w.nOpen > 0; w.nOpen-- {
		s := &w.open[w.nOpen-1]
		dst = lenSlot{pos: s[2]}.done(dst)
		dst = lenSlot{pos: s[1]}.done(dst)
		dst = lenSlot{pos: s[0]}.done(dst)
	}
	return dst
}

// tag is the key byte of a KeyValue at the current level: a LogRecord
// attribute, or a value of the innermost open group's KeyValueList.
func (w *otlpAttrs) tag() byte {
	if w.nOpen == 0 {
		return tagBytes(lrAttributes)
	}
	return tagBytes(listValues)
}

// fields writes fields at the current level, taking trace and span ids
// from the top level.
func (w *otlpAttrs) fields(dst []byte, fields []Field) []byte {
	tag := w.tag()
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup && f.Name == "" {
			dst = w.fields(dst, f.GroupValue())
			continue
		}
		if w.nOpen == 0 && w.takeID(f) {
			continue
		}
		dst = appendOTLPAttr(dst, tag, f, w.nOpen+1)
	}
	return dst
}

// takeID reports whether f is a valid trace_id or span_id and keeps it.
func (w *otlpAttrs) takeID(f *Field) bool {
	switch f.Name {
	case OTLPTraceIDField:
		if otlpID(w.trace[:], f) {
			w.hasTrace = true
			return true
		}
	case OTLPSpanIDField:
		if otlpID(w.span[:], f) {
			w.hasSpan = true
			return true
		}
	}
	return false
}

// otlpID fills id from f when f holds len(id) bytes or 2*len(id) hex
// digits, not all zero (an all-zero id is invalid in OTLP).
func otlpID(id []byte, f *Field) bool {
	var ok bool
	switch {
	case f.multi:
	case f.kind == KindBytes && f.n == len(id):
		copy(id, f.BytesValue())
		ok = true
	case f.kind == KindString && f.n == 2*len(id):
		_, err := hex.Decode(id, unsafe.Slice((*byte)(f.ptr), f.n))
		ok = err == nil
	}
	if !ok {
		return false
	}
	for _, c := range id {
		if c != 0 {
			return true
		}
	}
	return false
}

// appendOTLPStringAttr writes a KeyValue with a string value.
func appendOTLPStringAttr(dst []byte, tag byte, key, v string) []byte {
	f := String(key, v)
	return appendOTLPAttr(dst, tag, &f, 1)
}

// appendOTLPAttr writes f as a KeyValue after the key byte tag, at depth
// (1 for a record's attribute).
func appendOTLPAttr(dst []byte, tag byte, f *Field, depth int) []byte {
	dst = append(dst, tag)
	kv := reserveLen(dst)
	name := f.Name
	if name == "" {
		name = "_"
	}
	dst = appendPBStringAlways(kv.dst, kvKey, name)
	dst = append(dst, tagBytes(kvValue))
	v := reserveLen(dst)
	dst = v.done(appendOTLPValue(v.dst, f, depth))
	return kv.done(dst)
}

// appendOTLPValue writes the contents of f's AnyValue.
func appendOTLPValue(dst []byte, f *Field, depth int) []byte {
	if f.multi {
		dst = append(dst, tagBytes(avArray))
		a := reserveLen(dst)
		dst = a.dst
		switch f.kind {
		case KindString:
			for _, v := range f.StringsValue() {
				dst = append(dst, tagBytes(listValues))
				r := reserveLen(dst)
				dst = r.done(appendPBStringAlways(r.dst, avString, v))
			}
		case KindBytes:
			for _, v := range f.ByteSlicesValue() {
				dst = append(dst, tagBytes(listValues))
				r := reserveLen(dst)
				dst = append(r.dst, tagBytes(avBytes))
				dst = r.done(protowire.AppendBytes(dst, v))
			}
		case KindInt:
			for _, v := range f.IntsValue() {
				dst = append(dst, tagBytes(listValues), byte(1+protowire.SizeVarint(uint64(v))), tagVarint(avInt))
				dst = appendVarint(dst, uint64(v))
			}
		case KindFloat:
			for _, v := range f.FloatsValue() {
				dst = append(dst, tagBytes(listValues), 9, avDouble<<3|byte(protowire.Fixed64Type))
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
			}
		case KindBool:
			for _, v := range f.BoolsValue() {
				dst = append(dst, tagBytes(listValues), 2, tagVarint(avBool), byte(protowire.EncodeBool(v)))
			}
		}
		return a.done(dst)
	}
	switch f.kind {
	case KindString, KindJSON:
		return appendPBStringAlways(dst, avString, f.str())
	case KindBytes:
		return protowire.AppendBytes(append(dst, tagBytes(avBytes)), f.BytesValue())
	case KindInt:
		return appendVarint(append(dst, tagVarint(avInt)), f.num)
	case kindUint:
		if f.num <= math.MaxInt64 {
			return appendVarint(append(dst, tagVarint(avInt)), f.num)
		}
		dst = append(dst, tagBytes(avString))
		r := reserveLen(dst)
		return r.done(appendUint(r.dst, f.num))
	case KindFloat:
		dst = append(dst, avDouble<<3|byte(protowire.Fixed64Type))
		return binary.LittleEndian.AppendUint64(dst, f.num)
	case KindBool:
		return append(dst, tagVarint(avBool), byte(f.num&1))
	case kindTime:
		dst = append(dst, tagBytes(avString))
		r := reserveLen(dst)
		return r.done(jsontext.AppendRFC3339(r.dst, int64(f.num), f.n))
	case KindGroup:
		if depth >= jsontext.MaxDepth {
			return appendPBStringAlways(dst, avString, jsontext.DepthMarker)
		}
		dst = append(dst, tagBytes(avKvlist))
		l := reserveLen(dst)
		return l.done(appendOTLPList(l.dst, f.GroupValue(), depth+1))
	}
	return dst
}

// appendOTLPList writes fields as KeyValueList values at depth, unnamed
// groups inlined.
func appendOTLPList(dst []byte, fields []Field, depth int) []byte {
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup && f.Name == "" {
			dst = appendOTLPList(dst, f.GroupValue(), depth)
			continue
		}
		dst = appendOTLPAttr(dst, tagBytes(listValues), f, depth)
	}
	return dst
}
