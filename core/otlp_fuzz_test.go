package core

import (
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"
)

// FuzzOTLPEncode builds messages from fuzz input, encodes them as OTLP and
// decodes the frame with the official types: it must decode, and every
// value must be what the mapping says. Run it with
//
//	go test -run='^$' -fuzz=FuzzOTLPEncode -fuzztime=30s ./core
func FuzzOTLPEncode(f *testing.F) {
	f.Add("payload", "deploy", "lg", "name", "value", []byte{1, 2}, int64(-1), 1.5, true, uint8(2), "grp")
	f.Add("", TypeOldstyle, "", OTLPTraceIDField, "4bf92f3577b34da6a3ce929d0e0e4736", []byte{}, int64(0), math.NaN(), false, uint8(40), "")
	f.Add("\xff", TypeCounter, "l\xfe", "", "\x00", []byte(nil), int64(math.MinInt64), math.Inf(1), true, uint8(0), "g\xff")
	f.Add("12.5", TypeGauge, "x", OTLPSpanIDField, "00F067AA0BA902B7", []byte("{}"), int64(math.MaxInt64), -0.0, false, uint8(35), "")

	cfg := fixedConfig()
	cfg.MaxSize = 1 << 30 // no truncation: bodies compare whole
	enc := mustEncoder(f, FormatOTLP, cfg)
	f.Fuzz(func(t *testing.T, payload, typ, logger, name, sval string, bval []byte, ival int64, fval float64, bl bool, depth uint8, group string) {
		fields := []Field{
			String(name, sval), Bytes("b", bval), Int64("i", ival), Float("f", fval), Bool("t", bl),
			Strings("ss", []string{sval, name}), Floats("fs", []float64{fval, -fval}), Ints("is", []int64{ival}),
			Time("at", time.Unix(ival%1e11, ival%1e9)), Uint64("u", uint64(ival)), RawJSON("raw", bval),
		}
		nested := Group(group, fields...)
		for i := 0; i < int(depth%40); i++ {
			nested = Group(group, nested)
		}
		fields = append(fields, nested)
		m := &Message{Type: typ, Logger: logger, Payload: payload, Severity: Severity(depth % 10),
			Scope:     NewScope(FormatJSON).With(String("sc", sval)).WithGroup(group),
			Fields:    fields,
			TopFields: []Field{String(name, sval)},
		}
		frame, err := enc.AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		rec := decodeOTLPFrame(t, frame)

		// What the record must hold, stated apart from the encoder.
		top := []Field{String("sc", sval)}
		if group != "" {
			top = append(top, Group(group, fields...))
		} else {
			top = append(top, fields...)
		}
		top = append(top, m.TopFields...)
		var want []Field
		var trace, span string
		for _, f := range inlineUnnamed(top) {
			if id, ok := fuzzID(f, 16); ok && f.Name == OTLPTraceIDField {
				trace = id
				continue
			}
			if id, ok := fuzzID(f, 8); ok && f.Name == OTLPSpanIDField {
				span = id
				continue
			}
			want = append(want, f)
		}
		if typ == TypeCounter || typ == TypeTimer || typ == TypeGauge {
			if v, err := strconv.ParseFloat(payload, 64); err == nil {
				want = append(want, Float(otlpMetricValueAttr, v))
			}
		}
		if logger == "" {
			logger = "cfg-logger"
		}
		want = append(want, String(otlpLoggerAttr, logger))
		checkOTLPAttrs(t, "fuzz", want, rec.Attributes)

		if got := hex.EncodeToString(rec.TraceId); got != trace {
			t.Errorf("trace_id %q, want %q", got, trace)
		}
		if got := hex.EncodeToString(rec.SpanId); got != span {
			t.Errorf("span_id %q, want %q", got, span)
		}
		if got := rec.GetBody().GetStringValue(); got != validEach(payload) || (payload == "") != (rec.Body == nil) {
			t.Errorf("body %q, want %q", got, payload)
		}
		wantEvent := validEach(typ)
		if typ == TypeOldstyle {
			wantEvent = ""
		}
		sev := m.Severity
		if !sev.Valid() {
			sev = Info
		}
		if rec.EventName != wantEvent || rec.SeverityText != sev.String() || byte(rec.SeverityNumber) != otlpSeverity[sev] {
			t.Errorf("event_name %q, severity %v %q", rec.EventName, rec.SeverityNumber, rec.SeverityText)
		}
		if rec.TimeUnixNano != uint64(testTime.UnixNano()) || rec.ObservedTimeUnixNano != rec.TimeUnixNano {
			t.Errorf("times %d %d", rec.TimeUnixNano, rec.ObservedTimeUnixNano)
		}
	})
}

// inlineUnnamed returns fields with the unnamed groups of the top level
// replaced by their fields.
func inlineUnnamed(fields []Field) []Field {
	var out []Field
	for _, f := range fields {
		if f.Kind() == KindGroup && f.Name == "" {
			out = append(out, inlineUnnamed(f.GroupValue())...)
			continue
		}
		out = append(out, f)
	}
	return out
}

// fuzzID reads a trace or span id of n bytes from a field: n bytes, or 2n
// hex digits, not all zero.
func fuzzID(f Field, n int) (string, bool) {
	if f.Repeated() {
		return "", false
	}
	var b []byte
	switch v := f.Value().(type) {
	case []byte:
		if f.Kind() == KindBytes {
			b = v
		}
	case string:
		if f.Kind() == KindString {
			var err error
			if b, err = hex.DecodeString(v); err != nil {
				return "", false // (DecodeString returns what it read before the error)
			}
		}
	}
	if len(b) != n || string(b) == string(make([]byte, n)) {
		return "", false
	}
	return hex.EncodeToString(b), true
}

// FuzzOTLPResponse feeds arbitrary bytes to the response readers (no
// panic), and checks that a response the official types write reads back.
func FuzzOTLPResponse(f *testing.F) {
	f.Add([]byte{0x0a, 0x02, 0x08, 0x05}, int64(5), "rejected")
	f.Add([]byte{0x0a, 0xff}, int64(-1), "")
	f.Add([]byte{}, int64(0), "\xff")
	f.Fuzz(func(t *testing.T, data []byte, rejected int64, msg string) {
		parsePartialSuccess(data)
		statusText(&http.Response{Header: http.Header{"Content-Type": {"application/x-protobuf"}}}, data)
		protoField(data, 2, 2)

		msg = validEach(msg)
		b, err := proto.Marshal(&collogspb.ExportLogsServiceResponse{PartialSuccess: &collogspb.ExportLogsPartialSuccess{
			RejectedLogRecords: rejected, ErrorMessage: msg}})
		if err != nil {
			t.Fatal(err)
		}
		n, got := parsePartialSuccess(b)
		if n != rejected || got != printable([]byte(msg)) {
			t.Errorf("read %d %q, want %d %q", n, got, rejected, msg)
		}
		if len(got) > otlpErrorMessageLimit+6 { // a rune cut short: up to 3 bytes, each U+FFFD
			t.Errorf("message of %d bytes", len(got))
		}
	})
}
