package core

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Shared helpers of the encoder and decoder tests: a readable, exact dump
// of messages and fields, and line diffs of dumps.

// dumpFields renders fields one per line, groups indented, through the
// public accessors only. Two field lists are equal for these tests when
// their dumps are equal: name, wire kind, repeated or not, representation
// and exact value (floats by their bits, so NaN and -0 compare exactly).
func dumpFields(fields []Field) string {
	var b strings.Builder
	dumpFieldsTo(&b, fields, "")
	return b.String()
}

func dumpFieldsTo(b *strings.Builder, fields []Field, indent string) {
	for _, f := range fields {
		fmt.Fprintf(b, "%s%q %s", indent, f.Name, f.Kind())
		if f.Repeated() {
			b.WriteString("[]")
		}
		if f.Representation != "" {
			fmt.Fprintf(b, " rep=%q", f.Representation)
		}
		b.WriteString(" = ")
		switch v := f.Value().(type) {
		case []Field:
			fmt.Fprintf(b, "group(%d)\n", len(v))
			dumpFieldsTo(b, v, indent+"  ")
			continue
		case string:
			b.WriteString(strconv.Quote(v))
		case []byte:
			b.WriteString("0x" + hex.EncodeToString(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case uint64:
			b.WriteString("uint:" + strconv.FormatUint(v, 10))
		case float64:
			b.WriteString(dumpFloat(v))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case []string:
			fmt.Fprintf(b, "%q", v)
		case [][]byte:
			fmt.Fprintf(b, "%x", v)
		case []int64:
			fmt.Fprint(b, v)
		case []float64:
			s := make([]string, len(v))
			for i, x := range v {
				s[i] = dumpFloat(x)
			}
			fmt.Fprint(b, s)
		case []bool:
			fmt.Fprint(b, v)
		default:
			fmt.Fprintf(b, "?%T", v)
		}
		b.WriteByte('\n')
	}
}

func dumpFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64) + "/" + strconv.FormatUint(math.Float64bits(v), 16)
}

// dumpMessage renders every envelope value and the fields of m.
func dumpMessage(m *Message) string {
	if m == nil {
		return "<nil>\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "uuid=%x\n", m.UUID)
	fmt.Fprintf(&b, "timestamp=%s\n", m.Timestamp.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "type=%q logger=%q severity=%d\n", m.Type, m.Logger, m.Severity)
	fmt.Fprintf(&b, "payload=%q\n", m.Payload)
	fmt.Fprintf(&b, "env_version=%q pid=%d hostname=%q\n", m.EnvVersion, m.Pid, m.Hostname)
	if m.Scope != nil {
		b.WriteString("scope=set\n")
	}
	dumpFieldsTo(&b, m.Fields, "  ")
	return b.String()
}

// lineDiff returns "" when want == got, else both texts with the lines that
// differ marked.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	wl := strings.Split(want, "\n")
	gl := strings.Split(got, "\n")
	var b strings.Builder
	b.WriteString("(- want, + got)\n")
	n := max(len(wl), len(gl))
	for i := 0; i < n; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w == g {
			b.WriteString("  " + trim(w) + "\n")
			continue
		}
		if i < len(wl) {
			b.WriteString("- " + trim(w) + "\n")
		}
		if i < len(gl) {
			b.WriteString("+ " + trim(g) + "\n")
		}
	}
	return b.String()
}

// trim shortens very long dump lines (large values) for failure messages.
func trim(s string) string {
	if len(s) > 300 {
		return s[:150] + fmt.Sprintf("...(%d bytes)...", len(s)-300) + s[len(s)-150:]
	}
	return s
}

func checkFields(t *testing.T, what string, want, got []Field) {
	t.Helper()
	if d := lineDiff(dumpFields(want), dumpFields(got)); d != "" {
		t.Fatalf("%s: fields differ:\n%s", what, d)
	}
}

func checkMessage(t *testing.T, what string, want, got *Message) {
	t.Helper()
	if d := lineDiff(dumpMessage(want), dumpMessage(got)); d != "" {
		t.Fatalf("%s: messages differ:\n%s", what, d)
	}
}

func mustEncoder(t testing.TB, f Format, cfg EncoderConfig) *Encoder {
	t.Helper()
	enc, err := NewEncoder(f, cfg)
	if err != nil {
		t.Fatalf("NewEncoder(%s): %v", f, err)
	}
	return enc
}

func mustEncode(t testing.TB, enc *Encoder, m *Message) []byte {
	t.Helper()
	b, err := enc.AppendMessage(nil, m)
	if err != nil {
		t.Fatalf("%s AppendMessage: %v", enc.Format(), err)
	}
	return b
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// hexDump renders b as hex, 16 bytes a line with offsets, for diffs.
func hexDump(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 16 {
		j := min(i+16, len(b))
		fmt.Fprintf(&s, "%04x: % x\n", i, b[i:j])
	}
	return s.String()
}

// testUUID is a fixed UUID for messages whose bytes the tests pin.
var testUUID = [16]byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x46, 0x07, 0x88, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}

// testTime is 2023-11-14T22:13:20.123456789Z: 1700000000123456789 ns.
var testTime = time.Unix(1700000000, 123456789).UTC()

// fixedConfig gives an encoder fixed envelope values, so output is
// deterministic for messages with a UUID and a timestamp.
func fixedConfig() EncoderConfig {
	return EncoderConfig{
		Logger:   "cfg-logger",
		Hostname: "host.example",
		Pid:      4242,
		Now:      func() time.Time { return testTime },
	}
}

// decodeHekaHeader decodes a Heka stream Header protobuf (the bytes between
// the header length byte and 0x1F) into a header that does not refer to b.
func decodeHekaHeader(b []byte) (HekaHeader, error) {
	r, err := parseHekaHeader(b)
	if err != nil {
		return HekaHeader{}, err
	}
	return r.header().clone(), nil
}
