package core

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

// The OTLP encoder's tests decode its bytes with the official generated
// types of opentelemetry-proto (go.opentelemetry.io/proto/otlp, a test-only
// dependency), so that what they check is what a collector reads.

// decodeOTLPFrame reads one frame: a ScopeLogs.log_records entry, so the
// frame parses as a ScopeLogs holding exactly one record.
func decodeOTLPFrame(t testing.TB, frame []byte) *logspb.LogRecord {
	t.Helper()
	if len(frame) == 0 || frame[0] != 0x12 {
		t.Fatalf("frame does not start with the log_records key 0x12: % x", frame[:min(len(frame), 8)])
	}
	var sl logspb.ScopeLogs
	if err := proto.Unmarshal(frame, &sl); err != nil {
		t.Fatalf("official proto cannot read the frame: %v\n%s", err, hexDump(frame))
	}
	if len(sl.LogRecords) != 1 {
		t.Fatalf("frame holds %d records, want 1", len(sl.LogRecords))
	}
	return sl.LogRecords[0]
}

// dumpOTLPAttrs renders decoded attributes one per line, nested values
// indented: the form wantOTLPAttrs renders fields in.
func dumpOTLPAttrs(kvs []*commonpb.KeyValue) string {
	var b strings.Builder
	dumpOTLPKVs(&b, kvs, "")
	return b.String()
}

func dumpOTLPKVs(b *strings.Builder, kvs []*commonpb.KeyValue, indent string) {
	for _, kv := range kvs {
		fmt.Fprintf(b, "%s%q = ", indent, kv.GetKey())
		dumpOTLPValue(b, kv.GetValue(), indent)
	}
}

func dumpOTLPValue(b *strings.Builder, v *commonpb.AnyValue, indent string) {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		fmt.Fprintf(b, "string %q\n", x.StringValue)
	case *commonpb.AnyValue_IntValue:
		fmt.Fprintf(b, "int %d\n", x.IntValue)
	case *commonpb.AnyValue_DoubleValue:
		fmt.Fprintf(b, "double %s\n", dumpFloat(x.DoubleValue))
	case *commonpb.AnyValue_BoolValue:
		fmt.Fprintf(b, "bool %v\n", x.BoolValue)
	case *commonpb.AnyValue_BytesValue:
		fmt.Fprintf(b, "bytes 0x%x\n", x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		b.WriteString("array\n")
		for _, e := range x.ArrayValue.GetValues() {
			b.WriteString(indent + "  - ")
			dumpOTLPValue(b, e, indent+"  ")
		}
	case *commonpb.AnyValue_KvlistValue:
		b.WriteString("kvlist\n")
		dumpOTLPKVs(b, x.KvlistValue.GetValues(), indent+"  ")
	default:
		fmt.Fprintf(b, "none %T\n", x)
	}
}

// wantOTLPAttrs renders fields as the OTLP encoder should write them, from
// the public accessors: the test's own statement of the mapping.
func wantOTLPAttrs(fields []Field) string {
	var b strings.Builder
	wantOTLPList(&b, fields, "", 1)
	return b.String()
}

func wantOTLPList(b *strings.Builder, fields []Field, indent string, depth int) {
	for _, f := range fields {
		if f.Kind() == KindGroup && f.Name == "" {
			wantOTLPList(b, f.GroupValue(), indent, depth)
			continue
		}
		name := f.Name
		if name == "" {
			name = "_"
		}
		fmt.Fprintf(b, "%s%q = ", indent, validEach(name))
		wantOTLPValue(b, f, indent, depth)
	}
}

func wantOTLPValue(b *strings.Builder, f Field, indent string, depth int) {
	item := func(s string) { fmt.Fprintf(b, "%s  - %s\n", indent, s) }
	switch v := f.Value().(type) {
	case []string:
		b.WriteString("array\n")
		for _, s := range v {
			item(fmt.Sprintf("string %q", validEach(s)))
		}
	case [][]byte:
		b.WriteString("array\n")
		for _, s := range v {
			item(fmt.Sprintf("bytes 0x%x", s))
		}
	case []int64:
		b.WriteString("array\n")
		for _, s := range v {
			item(fmt.Sprintf("int %d", s))
		}
	case []float64:
		b.WriteString("array\n")
		for _, s := range v {
			item("double " + dumpFloat(s))
		}
	case []bool:
		b.WriteString("array\n")
		for _, s := range v {
			item(fmt.Sprintf("bool %v", s))
		}
	case string:
		fmt.Fprintf(b, "string %q\n", validEach(v))
	case []byte:
		if f.Kind() == KindJSON {
			fmt.Fprintf(b, "string %q\n", validEach(string(v)))
		} else {
			fmt.Fprintf(b, "bytes 0x%x\n", v)
		}
	case int64:
		fmt.Fprintf(b, "int %d\n", v)
	case uint64:
		fmt.Fprintf(b, "string %q\n", strconv.FormatUint(v, 10))
	case float64:
		fmt.Fprintf(b, "double %s\n", dumpFloat(v))
	case bool:
		fmt.Fprintf(b, "bool %v\n", v)
	case []Field:
		if depth >= jsontext.MaxDepth {
			fmt.Fprintf(b, "string %q\n", jsontext.DepthMarker)
			return
		}
		b.WriteString("kvlist\n")
		wantOTLPList(b, v, indent+"  ", depth+1)
	default:
		fmt.Fprintf(b, "? %T\n", v)
	}
}

// validEach replaces each byte of s that is not part of valid UTF-8 by
// U+FFFD, as every encoder does.
func validEach(s string) string {
	var b strings.Builder
	for _, r := range s { // ranging yields U+FFFD for each invalid byte
		b.WriteRune(r)
	}
	return b.String()
}

func checkOTLPAttrs(t *testing.T, what string, want []Field, got []*commonpb.KeyValue) {
	t.Helper()
	if d := lineDiff(wantOTLPAttrs(want), dumpOTLPAttrs(got)); d != "" {
		t.Errorf("%s: attributes differ:\n%s", what, d)
	}
}

// allKinds holds a field of every kind and shape.
func allKinds() []Field {
	return []Field{
		String("s", "text"),
		String("", "unnamed"),
		Bytes("b", []byte{0, 1, 0xff}),
		Int("i", -42),
		Uint64("u", 7),
		Uint64("big", math.MaxUint64),
		Float("f", 1.5),
		Float("nan", math.NaN()),
		Float("inf", math.Inf(-1)),
		Bool("t", true),
		Bool("no", false),
		Time("at", testTime),
		Duration("d", 1500*time.Millisecond),
		RawJSON("raw", []byte(`{"a":[1,2]}`)),
		Strings("ss", []string{"a", "", "c"}),
		ByteSlices("bs", [][]byte{{1}, {}}),
		Ints("is", []int64{1, -1, math.MaxInt64}),
		Floats("fs", []float64{0.25, math.Inf(1)}),
		Bools("bb", []bool{true, false}),
		Strings("empty", nil),
		Group("g", Int("x", 1), Group("h", String("y", "z")), Group("", Bool("inl", true))),
		Group("", String("inlined", "top")),
		Group("eg"),
		String("bad\xff", "v\xfe"),
	}
}

func TestOTLPEncodeFields(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	m := &Message{Timestamp: testTime, Type: "deploy", Severity: Warning, Payload: "rolled out", Fields: allKinds()}
	rec := decodeOTLPFrame(t, mustEncode(t, enc, m))
	want := append(allKinds(), String(otlpLoggerAttr, "cfg-logger"))
	checkOTLPAttrs(t, "all kinds", want, rec.Attributes)
	if got := rec.GetBody().GetStringValue(); got != "rolled out" {
		t.Errorf("body %q", got)
	}
	if rec.TimeUnixNano != uint64(testTime.UnixNano()) || rec.ObservedTimeUnixNano != uint64(testTime.UnixNano()) {
		t.Errorf("times %d, %d; want %d", rec.TimeUnixNano, rec.ObservedTimeUnixNano, testTime.UnixNano())
	}
	if rec.EventName != "deploy" || rec.SeverityNumber != logspb.SeverityNumber_SEVERITY_NUMBER_WARN || rec.SeverityText != "warning" {
		t.Errorf("event_name %q, severity %v %q", rec.EventName, rec.SeverityNumber, rec.SeverityText)
	}
	if len(rec.TraceId) != 0 || len(rec.SpanId) != 0 || rec.Flags != 0 || rec.DroppedAttributesCount != 0 {
		t.Errorf("unexpected ids or flags: %x %x %d %d", rec.TraceId, rec.SpanId, rec.Flags, rec.DroppedAttributesCount)
	}
}

// TestOTLPSeverities pins the table of FormatOTLP's documentation.
func TestOTLPSeverities(t *testing.T) {
	want := map[Severity]logspb.SeverityNumber{
		Emergency: logspb.SeverityNumber_SEVERITY_NUMBER_FATAL,
		Alert:     logspb.SeverityNumber_SEVERITY_NUMBER_ERROR3,
		Critical:  logspb.SeverityNumber_SEVERITY_NUMBER_ERROR2,
		Error:     logspb.SeverityNumber_SEVERITY_NUMBER_ERROR,
		Warning:   logspb.SeverityNumber_SEVERITY_NUMBER_WARN,
		Notice:    logspb.SeverityNumber_SEVERITY_NUMBER_INFO2,
		Info:      logspb.SeverityNumber_SEVERITY_NUMBER_INFO,
		Debug:     logspb.SeverityNumber_SEVERITY_NUMBER_DEBUG,
	}
	cfg := fixedConfig()
	cfg.Severity = Notice
	enc := mustEncoder(t, FormatOTLP, cfg)
	for sev := DefaultSeverity; sev <= Debug+1; sev++ {
		rec := decodeOTLPFrame(t, mustEncode(t, enc, &Message{Severity: sev, Payload: "p"}))
		exp := sev
		if !sev.Valid() {
			exp = Notice // the encoder's default
		}
		if rec.SeverityNumber != want[exp] || rec.SeverityText != exp.String() {
			t.Errorf("%v: severity %v %q, want %v %q", sev, rec.SeverityNumber, rec.SeverityText, want[exp], exp)
		}
	}
}

// TestOTLPScope: a scope's fields (and the encoder's env fields) come first,
// its groups hold the message's fields as nested kvlists, groups still
// empty are left out, and TopFields stay at the top level. A scope made
// for another format is read from its own copy of the fields.
func TestOTLPScope(t *testing.T) {
	cfg := fixedConfig()
	cfg.Env = []Field{String("env", "prod")}
	enc := mustEncoder(t, FormatOTLP, cfg)
	for _, f := range []Format{FormatOTLP, FormatJSON, FormatHeka} {
		sc := NewScope(f).With(String("req", "r1")).WithGroup("http").With(Int("status", 200)).WithGroup("a").WithGroup("b")
		own := []Field{String("k", "v"), Group("", Int("inl", 1))}
		top := []Field{String("source.file", "x.go")}
		m := &Message{Type: TypeOldstyle, Payload: "p", Scope: sc, Fields: own, TopFields: top}
		rec := decodeOTLPFrame(t, mustEncode(t, enc, m))
		want := []Field{
			String("env", "prod"),
			String("req", "r1"),
			Group("http", Int("status", 200), Group("a", Group("b", own...))),
			String("source.file", "x.go"),
			String(otlpLoggerAttr, "cfg-logger"),
		}
		checkOTLPAttrs(t, "scope of "+f.String(), want, rec.Attributes)
		if rec.EventName != "" {
			t.Errorf("oldstyle record has event_name %q", rec.EventName)
		}

		// Without fields of its own, the groups a and b never appear.
		m.Fields = nil
		rec = decodeOTLPFrame(t, mustEncode(t, enc, m))
		want = []Field{String("env", "prod"), String("req", "r1"), Group("http", Int("status", 200)),
			String("source.file", "x.go"), String(otlpLoggerAttr, "cfg-logger")}
		checkOTLPAttrs(t, "scope without fields, "+f.String(), want, rec.Attributes)
	}
}

func TestOTLPDepth(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	deep := String("leaf", "x")
	for i := 0; i < jsontext.MaxDepth+3; i++ {
		deep = Group("g"+strconv.Itoa(i), deep)
	}
	rec := decodeOTLPFrame(t, mustEncode(t, enc, &Message{Fields: []Field{deep}}))
	checkOTLPAttrs(t, "deep groups", []Field{deep, String(otlpLoggerAttr, "cfg-logger")}, rec.Attributes)
	if !strings.Contains(dumpOTLPAttrs(rec.Attributes), jsontext.DepthMarker) {
		t.Error("no depth marker")
	}

	// A scope with more open groups than the limit: the deepest ones are
	// not opened, and nothing is lost.
	sc := NewScope(FormatOTLP)
	for i := 0; i < jsontext.MaxDepth+2; i++ {
		sc = sc.WithGroup("s" + strconv.Itoa(i))
	}
	rec = decodeOTLPFrame(t, mustEncode(t, enc, &Message{Scope: sc, Fields: []Field{Int("n", 1)}}))
	d := dumpOTLPAttrs(rec.Attributes)
	if !strings.Contains(d, `"n" = int 1`) || strings.Count(d, "kvlist") != jsontext.MaxDepth-1 {
		t.Errorf("deep scope:\n%s", d)
	}
}

func TestOTLPTraceIDs(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	traceHex, spanHex := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	traceBin, _ := hex.DecodeString(traceHex)
	spanBin, _ := hex.DecodeString(spanHex)
	logger := String(otlpLoggerAttr, "cfg-logger")
	cases := []struct {
		name        string
		m           Message
		trace, span string
		attrs       []Field
	}{
		{"hex in TopFields", Message{TopFields: []Field{String("trace_id", traceHex), String("span_id", spanHex)}},
			traceHex, spanHex, []Field{logger}},
		{"bytes in Fields", Message{Fields: []Field{Bytes("trace_id", traceBin), Int("n", 1), Bytes("span_id", spanBin)}},
			traceHex, spanHex, []Field{Int("n", 1), logger}},
		{"upper-case hex", Message{Fields: []Field{String("trace_id", strings.ToUpper(traceHex))}},
			traceHex, "", []Field{logger}},
		{"in the env scope", Message{Scope: NewScope(FormatJSON).With(String("span_id", spanHex))},
			"", spanHex, []Field{logger}},
		{"inside an unnamed group", Message{Fields: []Field{Group("", String("span_id", spanHex))}},
			"", spanHex, []Field{logger}},
		{"all zero", Message{Fields: []Field{String("trace_id", strings.Repeat("0", 32))}},
			"", "", []Field{String("trace_id", strings.Repeat("0", 32)), logger}},
		{"wrong length", Message{Fields: []Field{String("trace_id", spanHex), Bytes("span_id", traceBin)}},
			"", "", []Field{String("trace_id", spanHex), Bytes("span_id", traceBin), logger}},
		{"not hex", Message{Fields: []Field{String("span_id", "00f067aa0ba902bz")}},
			"", "", []Field{String("span_id", "00f067aa0ba902bz"), logger}},
		{"in a named group", Message{Fields: []Field{Group("ctx", String("span_id", spanHex))}},
			"", "", []Field{Group("ctx", String("span_id", spanHex)), logger}},
		{"in a scope's group", Message{Scope: NewScope(FormatOTLP).WithGroup("g"), Fields: []Field{String("span_id", spanHex)}},
			"", "", []Field{Group("g", String("span_id", spanHex)), logger}},
		{"repeated", Message{Fields: []Field{Strings("span_id", []string{spanHex})}},
			"", "", []Field{Strings("span_id", []string{spanHex}), logger}},
	}
	for _, c := range cases {
		rec := decodeOTLPFrame(t, mustEncode(t, enc, &c.m))
		if got := hex.EncodeToString(rec.TraceId); got != c.trace {
			t.Errorf("%s: trace_id %q, want %q", c.name, got, c.trace)
		}
		if got := hex.EncodeToString(rec.SpanId); got != c.span {
			t.Errorf("%s: span_id %q, want %q", c.name, got, c.span)
		}
		checkOTLPAttrs(t, c.name, c.attrs, rec.Attributes)
	}
}

// TestOTLPEnvelope: metric messages get metric.value, a message's own
// logger, host, pid, env_version and UUID become attributes, the clock
// stamps a message without a time, and a time before 1970 is left out.
func TestOTLPEnvelope(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	rec := decodeOTLPFrame(t, mustEncode(t, enc, &Message{Type: TypeTimer, Payload: "1.5",
		Fields: []Field{String("name", "req.time"), Float("rate", 1)}}))
	checkOTLPAttrs(t, "timer", []Field{String("name", "req.time"), Float("rate", 1), Float(otlpMetricValueAttr, 1.5),
		String(otlpLoggerAttr, "cfg-logger")}, rec.Attributes)
	if rec.EventName != TypeTimer || rec.GetBody().GetStringValue() != "1.5" {
		t.Errorf("timer: event_name %q body %v", rec.EventName, rec.Body)
	}
	rec = decodeOTLPFrame(t, mustEncode(t, enc, &Message{Type: TypeCounter, Payload: "x"}))
	checkOTLPAttrs(t, "counter with a payload that is no number", []Field{String(otlpLoggerAttr, "cfg-logger")}, rec.Attributes)

	m := &Message{Type: "t", UUID: testUUID, Logger: "own", Hostname: "other", Pid: 7, EnvVersion: "0.9",
		Timestamp: time.Unix(-5, 0)}
	rec = decodeOTLPFrame(t, mustEncode(t, enc, m))
	checkOTLPAttrs(t, "envelope", []Field{String(otlpLoggerAttr, "own"), String("host.name", "other"), Int("process.pid", 7),
		String("metlog.env_version", "0.9"), String("log.record.uid", "00010203-0405-4607-8809-0a0b0c0d0e0f")}, rec.Attributes)
	if rec.TimeUnixNano != 0 || rec.ObservedTimeUnixNano != uint64(testTime.UnixNano()) || rec.Body != nil {
		t.Errorf("time %d observed %d body %v", rec.TimeUnixNano, rec.ObservedTimeUnixNano, rec.Body)
	}

	// Values equal to the encoder's add nothing; no logger at all, none.
	enc2 := mustEncoder(t, FormatOTLP, EncoderConfig{Hostname: "h", Pid: 3})
	rec = decodeOTLPFrame(t, mustEncode(t, enc2, &Message{Hostname: "h", Pid: 3, EnvVersion: EnvVersion}))
	if len(rec.Attributes) != 0 || rec.TimeUnixNano == 0 || rec.TimeUnixNano != rec.ObservedTimeUnixNano {
		t.Errorf("attributes %v, time %d, observed %d", rec.Attributes, rec.TimeUnixNano, rec.ObservedTimeUnixNano)
	}
}

// TestOTLPInvalidUTF8: every string is valid UTF-8 (the official decoder
// rejects anything else), each bad byte replaced by U+FFFD.
func TestOTLPInvalidUTF8(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, EncoderConfig{Logger: "l\xff"})
	sc := NewScope(FormatOTLP).WithGroup("g\xfe").With(String("a", "b"))
	m := &Message{Type: "ty\xc3", Payload: "pay\xffload" + strings.Repeat("é", 100) + "\xe2\x82", Scope: sc,
		Fields: []Field{Strings("x\x80", []string{"\xff"}), RawJSON("j", []byte("\"\xff\""))}}
	rec := decodeOTLPFrame(t, mustEncode(t, enc, m))
	if got, want := rec.GetBody().GetStringValue(), validEach(m.Payload); got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if rec.EventName != "ty\uFFFD" {
		t.Errorf("event_name %q", rec.EventName)
	}
	checkOTLPAttrs(t, "invalid UTF-8", []Field{Group("g\xfe", String("a", "b"), m.Fields[0], m.Fields[1]),
		String(otlpLoggerAttr, "l\xff")}, rec.Attributes)
}

// TestOTLPTruncate: an oversize payload is cut (at a rune boundary) with
// the marker, and the LogRecord fits the limit.
func TestOTLPTruncate(t *testing.T) {
	cfg := fixedConfig()
	cfg.MaxSize = 1000
	enc := mustEncoder(t, FormatOTLP, cfg)
	payload := strings.Repeat("ü", 2000)
	frame := mustEncode(t, enc, &Message{Payload: payload, Fields: []Field{Int("n", 1)}})
	rec := decodeOTLPFrame(t, frame)
	if n := proto.Size(rec); n > 1000 {
		t.Errorf("record of %d bytes over the 1000 limit", n)
	}
	body := rec.GetBody().GetStringValue()
	if !strings.HasPrefix(payload, body) || len(body) < 800 || !utf8.ValidString(body) {
		t.Errorf("body of %d bytes is not a long prefix of the payload", len(body))
	}
	checkOTLPAttrs(t, "truncated", []Field{Int("n", 1), String(otlpLoggerAttr, "cfg-logger"), Int64(TruncatedField, int64(len(payload)))}, rec.Attributes)

	// Fields alone over the limit: rejected, nothing written.
	big := []Field{String("big", strings.Repeat("x", 2000))}
	out, err := enc.AppendMessage([]byte("keep"), &Message{Payload: "p", Fields: big})
	if err == nil || !strings.Contains(err.Error(), "size limit") || string(out) != "keep" {
		t.Errorf("oversize fields: %q, %v", out, err)
	}
}

// goldenOTLPHex is goldenMsg (less its UUID, pid and hostname, so that the
// encoder's are used) as an OTLP frame, written by hand from logs.proto.
const goldenOTLPHex = `
	12 42                             # ScopeLogs.log_records (2), 66 bytes
	09 15 cd 85 3d fe 9c 97 17        # 1 time_unix_nano: fixed64 1700000000123456789
	10 09                             # 2 severity_number INFO
	1a 04 69 6e 66 6f                 # 3 severity_text "info"
	2a 04 0a 02 68 69                 # 5 body: AnyValue{1 string_value "hi"}
	32 07                             # 6 attributes: KeyValue, 7 bytes
	   0a 01 6e                       #   1 key "n"
	   12 02 18 01                    #   2 value: AnyValue{3 int_value 1}
	32 14                             # 6 attributes: KeyValue, 20 bytes
	   0a 0d 6d 65 74 6c 6f 67 2e 6c 6f 67 67 65 72  # 1 key "metlog.logger"
	   12 03 0a 01 6c                 #   2 value: AnyValue{1 string_value "l"}
	59 15 cd 85 3d fe 9c 97 17        # 11 observed_time_unix_nano: the encoder's clock
	62 01 74                          # 12 event_name "t"
`

func TestGoldenOTLP(t *testing.T) {
	m := goldenMsg()
	m.UUID, m.Pid, m.Hostname = [16]byte{}, 0, ""
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	checkGolden(t, "otlp", hexLines(t, goldenOTLPHex), mustEncode(t, enc, m))
}

// TestOTLPNoAlloc: the OTLP encoder allocates nothing, with scopes, groups
// and trace ids.
func TestOTLPNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	enc := mustEncoder(t, FormatOTLP, EncoderConfig{Logger: "bench", Env: []Field{String("env", "x")}})
	for _, m := range []*Message{
		{Type: TypeOldstyle, Payload: benchPayload},
		{Type: "deploy", Payload: benchPayload, Fields: benchFields(), UUID: testUUID, Hostname: "other",
			Scope:     NewScope(FormatJSON).With(Int("ctx", 1)).WithGroup("g").With(String("a", "b")).WithGroup("h"),
			TopFields: []Field{String("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), String("span_id", "00f067aa0ba902b7")}},
		{Type: TypeGauge, Payload: "1.25", Fields: []Field{String("name", "g")}},
		{Payload: strings.Repeat("x", 70000)},
	} {
		dst, _ := enc.AppendMessage(nil, m)
		if allocs := testing.AllocsPerRun(100, func() { dst, _ = enc.AppendMessage(dst[:0], m) }); allocs != 0 {
			t.Errorf("%d fields: %v allocs per message", len(m.Fields), allocs)
		}
	}
}

// TestOTLPFramesConcatenate: frames laid end to end are one ScopeLogs's
// records, as the sender posts them and a stream carries them.
func TestOTLPFramesConcatenate(t *testing.T) {
	enc := mustEncoder(t, FormatOTLP, fixedConfig())
	var all []byte
	for i := 0; i < 3; i++ {
		all = mustEncodeAppend(t, enc, all, &Message{Payload: strings.Repeat("p", 100*i), Fields: []Field{Int64("i", int64(i))}})
	}
	var sl logspb.ScopeLogs
	if err := proto.Unmarshal(all, &sl); err != nil || len(sl.LogRecords) != 3 {
		t.Fatalf("%d records, %v", len(sl.LogRecords), err)
	}
	for i, r := range sl.LogRecords {
		if v := r.Attributes[0].GetValue().GetIntValue(); v != int64(i) || len(r.GetBody().GetStringValue()) != 100*i {
			t.Errorf("record %d: i=%d body %d bytes", i, v, len(r.GetBody().GetStringValue()))
		}
	}
	if !bytes.HasPrefix(all, []byte{0x12}) {
		t.Error("no log_records key")
	}
}

func mustEncodeAppend(t testing.TB, enc *Encoder, dst []byte, m *Message) []byte {
	t.Helper()
	out, err := enc.AppendMessage(dst, m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
