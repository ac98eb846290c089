package core

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Round trips: encode a message in each format, decode it, and compare with
// an expectation written out per format. Heka keeps every value (groups
// flattened to dotted names, times as RFC 3339 strings, unsigned integers
// above MaxInt64 as decimal strings, raw JSON as a "json" string, a single
// value of a repeated field as a scalar). The JSON envelope is lossy by
// design: bytes become base64 strings, NaN/Inf strings, representations
// are dropped, timestamps keep microseconds, empty arrays are RawJSON "[]"
// and raw JSON is parsed back into fields.

type roundTrip struct {
	name string
	cfg  func(*EncoderConfig) // adjusts fixedConfig(); optional
	msg  Message
	heka []Field // expected fields after Heka encode/decode
	json []Field // expected fields after JSON encode/decode
}

var (
	rtBytes  = []byte{0x00, 0x01, 0x02, 0xff}
	rtTime   = time.Date(2024, 2, 29, 23, 59, 58, 987654321, time.UTC)
	rtTimeS  = "2024-02-29T23:59:58.987654321Z"
	rtLarge  = strings.Repeat("0123456789abcdef", 3800)      // 60800 bytes: near the 64 KiB limit
	rtLargeB = bytes.Repeat([]byte{0xfe, 0x00, 0x7f}, 15000) // base64: 60000 bytes
)

func roundTrips() []roundTrip {
	return []roundTrip{
		{
			name: "no fields, envelope defaults",
			msg:  Message{Type: "t", Payload: "p", Severity: DefaultSeverity},
		},
		{
			name: "scalars",
			msg: Message{Type: "scalars", Severity: Debug, Fields: []Field{
				String("s", "hello"),
				Bytes("b", rtBytes),
				Int("i", -42),
				Int64("imin", math.MinInt64),
				Int64("imax", math.MaxInt64),
				Uint64("u", 7),
				Uint64("umax63", math.MaxInt64),
				Uint64("ubig", math.MaxUint64),
				Float("f", 1.5),
				Float("fneg", -2.25e-10),
				Float("fint", 2),
				Float("fzero", math.Copysign(0, -1)),
				Float("fhuge", 1e300),
				Bool("yes", true),
				Bool("no", false),
				Time("tm", rtTime),
				Duration("d", 1500*time.Millisecond),
				Duration("dneg", -time.Second),
				RawJSON("raw", []byte(`{"a": [1, 2], "b": null}`)),
				RawJSON("rawnum", []byte(`12.5`)),
			}},
			heka: []Field{
				String("s", "hello"),
				Bytes("b", rtBytes),
				Int("i", -42),
				Int64("imin", math.MinInt64),
				Int64("imax", math.MaxInt64),
				Int("u", 7),
				Int64("umax63", math.MaxInt64),
				String("ubig", "18446744073709551615"),
				Float("f", 1.5),
				Float("fneg", -2.25e-10),
				Float("fint", 2),
				Float("fzero", math.Copysign(0, -1)),
				Float("fhuge", 1e300),
				Bool("yes", true),
				Bool("no", false),
				String("tm", rtTimeS),
				Int("d", 1500000000).WithRepresentation("ns"),
				Int("dneg", -1000000000).WithRepresentation("ns"),
				String("raw", `{"a": [1, 2], "b": null}`).WithRepresentation("json"),
				String("rawnum", `12.5`).WithRepresentation("json"),
			},
			json: []Field{
				String("s", "hello"),
				String("b", "AAEC/w=="),
				Int("i", -42),
				Int64("imin", math.MinInt64),
				Int64("imax", math.MaxInt64),
				Int("u", 7),
				Int64("umax63", math.MaxInt64),
				Uint64("ubig", math.MaxUint64),
				Float("f", 1.5),
				Float("fneg", -2.25e-10),
				Float("fint", 2), // written 2.0: stays a float
				Float("fzero", math.Copysign(0, -1)),
				Float("fhuge", 1e300),
				Bool("yes", true),
				Bool("no", false),
				String("tm", rtTimeS),
				Int("d", 1500000000),
				Int("dneg", -1000000000),
				Group("raw", Ints("a", []int64{1, 2}), RawJSON("b", []byte("null"))),
				Float("rawnum", 12.5),
			},
		},
		{
			name: "repeated",
			msg: Message{Type: "repeated", Severity: Warning, Fields: []Field{
				Strings("ss", []string{"a", "", "c"}),
				ByteSlices("bs", [][]byte{{1}, {}, {2, 3}}),
				Ints("is", []int64{1, -2, math.MaxInt64, math.MinInt64}),
				Floats("fs", []float64{0.5, -1, 1e300, 5e-324}),
				Bools("bl", []bool{true, false, true}),
				Ints("one", []int64{5}),
				Strings("ones", []string{"x"}),
			}},
			heka: []Field{
				Strings("ss", []string{"a", "", "c"}),
				ByteSlices("bs", [][]byte{{1}, {}, {2, 3}}),
				Ints("is", []int64{1, -2, math.MaxInt64, math.MinInt64}),
				Floats("fs", []float64{0.5, -1, 1e300, 5e-324}),
				Bools("bl", []bool{true, false, true}),
				Int("one", 5),
				String("ones", "x"), // likewise
			},
			json: []Field{
				Strings("ss", []string{"a", "", "c"}),
				Strings("bs", []string{"AQ==", "", "AgM="}),
				Ints("is", []int64{1, -2, math.MaxInt64, math.MinInt64}),
				Floats("fs", []float64{0.5, -1, 1e300, 5e-324}),
				Bools("bl", []bool{true, false, true}),
				Ints("one", []int64{5}), // a JSON array stays repeated
				Strings("ones", []string{"x"}),
			},
		},
		{
			name: "empty values",
			msg: Message{Type: "", Logger: "", Payload: "", Fields: []Field{
				String("es", ""),
				Bytes("eb", nil),
				Strings("ess", nil),
				ByteSlices("ebs", [][]byte{}),
				Ints("eis", nil),
				Floats("efs", []float64{}),
				Bools("ebl", nil),
				RawJSON("ej", nil),
			}},
			heka: []Field{
				String("es", ""),
				Bytes("eb", nil),
				Strings("ess", nil),
				ByteSlices("ebs", nil),
				Ints("eis", nil),
				Floats("efs", nil),
				Bools("ebl", nil),
				String("ej", "").WithRepresentation("json"),
			},
			json: []Field{
				String("es", ""),
				String("eb", ""),
				RawJSON("ess", []byte("[]")), // an empty array has no element type
				RawJSON("ebs", []byte("[]")),
				RawJSON("eis", []byte("[]")),
				RawJSON("efs", []byte("[]")),
				RawJSON("ebl", []byte("[]")),
				String("ej", ""), // invalid (empty) raw JSON is written as a string
			},
		},
		{
			name: "large string",
			msg:  Message{Type: "large", Fields: []Field{String("big", rtLarge)}},
			heka: []Field{String("big", rtLarge)},
			json: []Field{String("big", rtLarge)},
		},
		{
			name: "large bytes",
			msg:  Message{Type: "large", Fields: []Field{Bytes("big", rtLargeB)}},
			heka: []Field{Bytes("big", rtLargeB)},
			json: []Field{String("big", strings.Repeat("/gB/", 15000))},
		},
		{
			name: "large payload",
			msg:  Message{Type: "large", Payload: rtLarge},
		},
		{
			name: "representation",
			msg: Message{Type: "rep", Fields: []Field{
				Int("elapsed", 12).WithRepresentation("ms"),
				Floats("ratios", []float64{0.25, 0.75}).WithRepresentation("%"),
				String("when", "now").WithRepresentation("date"),
				Duration("d", 3).WithRepresentation("ticks"),
				RawJSON("obj", []byte(`[1,"a"]`)).WithRepresentation("list"),
			}},
			heka: []Field{
				Int("elapsed", 12).WithRepresentation("ms"),
				Floats("ratios", []float64{0.25, 0.75}).WithRepresentation("%"),
				String("when", "now").WithRepresentation("date"),
				Int("d", 3).WithRepresentation("ticks"),
				String("obj", `[1,"a"]`).WithRepresentation("list"),
			},
			json: []Field{
				Int("elapsed", 12),
				Floats("ratios", []float64{0.25, 0.75}),
				String("when", "now"),
				Int("d", 3),
				RawJSON("obj", []byte(`[1,"a"]`)), // mixed array
			},
		},
		{
			name: "groups",
			msg: Message{Type: "groups", Fields: []Field{
				Group("http",
					Int("status", 200),
					Group("req", String("method", "GET"), Ints("sizes", []int64{1, 2})),
					String("path", "/"),
				),
				Group("", Int("inlined", 1), Group("", Bool("deep", true))),
				String("", "anon"),
				Group("empty"),
			}},
			heka: []Field{
				Int("http.status", 200),
				String("http.req.method", "GET"),
				Ints("http.req.sizes", []int64{1, 2}),
				String("http.path", "/"),
				Int("inlined", 1),
				Bool("deep", true),
				String("_", "anon"),
				// Group("empty") has no field to carry its name.
			},
			json: []Field{
				Group("http",
					Int("status", 200),
					Group("req", String("method", "GET"), Ints("sizes", []int64{1, 2})),
					String("path", "/"),
				),
				Int("inlined", 1),
				Bool("deep", true),
				String("_", "anon"),
				Group("empty"), // "empty":{}
			},
		},
		{
			name: "scope With and WithGroup",
			msg: Message{Type: "scope",
				Scope: NewScope(FormatJSON).With(String("svc", "api")).
					WithGroup("req").With(Int("id", 7)).
					WithGroup("inner"),
				Fields: []Field{Int("n", 1), Group("g", Bool("b", true))},
			},
			heka: []Field{
				String("svc", "api"),
				Int("req.id", 7),
				Int("req.inner.n", 1),
				Bool("req.inner.g.b", true),
			},
			json: []Field{
				String("svc", "api"),
				Group("req", Int("id", 7), Group("inner", Int("n", 1), Group("g", Bool("b", true)))),
			},
		},
		{
			name: "scope WithGroup without attrs is not written",
			msg: Message{Type: "scope",
				Scope: NewScope(FormatJSON).With(Int("a", 1)).WithGroup("empty").WithGroup("empty2"),
			},
			heka: []Field{Int("a", 1)},
			json: []Field{Int("a", 1)},
		},
		{
			name: "scope only WithGroup, no fields anywhere",
			msg:  Message{Type: "scope", Scope: NewScope(FormatJSON).WithGroup("g")},
		},
		{
			name: "scope nested WithGroup then With",
			msg: Message{Type: "scope",
				Scope:  NewScope(FormatJSON).WithGroup("g").WithGroup("h").With(Int("x", 1)),
				Fields: []Field{Int("y", 2)},
			},
			heka: []Field{Int("g.h.x", 1), Int("g.h.y", 2)},
			json: []Field{Group("g", Group("h", Int("x", 1), Int("y", 2)))},
		},
		{
			name: "scope with open group, message without fields",
			msg: Message{Type: "scope",
				Scope: NewScope(FormatJSON).WithGroup("g").With(Int("x", 1)).WithGroup("h"),
			},
			heka: []Field{Int("g.x", 1)},
			json: []Field{Group("g", Int("x", 1))},
		},
		{
			name: "scope WithGroup, message fields only",
			msg: Message{Type: "scope",
				Scope:  NewScope(FormatJSON).WithGroup("g"),
				Fields: []Field{Int("y", 2)},
			},
			heka: []Field{Int("g.y", 2)},
			json: []Field{Group("g", Int("y", 2))},
		},
		{
			name: "env fields, scope and fields in order",
			cfg: func(c *EncoderConfig) {
				c.Env = []Field{String("env", "prod"), Group("build", String("rev", "abc"))}
			},
			msg: Message{Type: "env",
				Scope:  NewScope(FormatJSON).With(String("svc", "api")).WithGroup("req"),
				Fields: []Field{Int("n", 1)},
			},
			heka: []Field{String("env", "prod"), String("build.rev", "abc"), String("svc", "api"), Int("req.n", 1)},
			json: []Field{String("env", "prod"), Group("build", String("rev", "abc")), String("svc", "api"), Group("req", Int("n", 1))},
		},
		{
			name: "env fields only",
			cfg:  func(c *EncoderConfig) { c.Env = []Field{String("env", "prod")} },
			msg:  Message{Type: "env"},
			heka: []Field{String("env", "prod")},
			json: []Field{String("env", "prod")},
		},
		{
			name: "envelope values from the message",
			msg: Message{Type: "env", Logger: "mine", Severity: Emergency, Pid: -5,
				Hostname: "h2", EnvVersion: "0.9", Payload: "multi\nline\x00payload ✓"},
		},
		{
			name: "signed md5",
			cfg: func(c *EncoderConfig) {
				c.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashMD5, Key: "md5 key"}
			},
			msg:  Message{Type: "signed", Payload: "md5", Fields: []Field{Int("n", 1)}},
			heka: []Field{Int("n", 1)},
			json: []Field{Int("n", 1)},
		},
		{
			name: "signed sha1",
			cfg: func(c *EncoderConfig) {
				c.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 300, Hash: HashSHA1, Key: "sha1 key"}
			},
			msg:  Message{Type: "signed", Payload: "sha1", Fields: []Field{Int("n", 1)}},
			heka: []Field{Int("n", 1)},
			json: []Field{Int("n", 1)},
		},
	}
}

// rtKeys knows the keys of the signed round trips.
func rtKeys(signer string, v uint32) (string, bool) {
	switch {
	case signer == "ops" && v == 1:
		return "md5 key", true
	case signer == "ops" && v == 300:
		return "sha1 key", true
	}
	return "", false
}

// expectedEnvelope is what a decoder returns for m encoded with
// fixedConfig: the message's values or the configuration's defaults.
func expectedEnvelope(m *Message, f Format) *Message {
	w := &Message{
		UUID: m.UUID, Timestamp: m.Timestamp, Type: m.Type, Logger: m.Logger,
		Severity: m.Severity, Payload: m.Payload, EnvVersion: m.EnvVersion,
		Pid: m.Pid, Hostname: m.Hostname,
	}
	if w.Logger == "" {
		w.Logger = "cfg-logger"
	}
	if w.Hostname == "" {
		w.Hostname = "host.example"
	}
	if w.Pid == 0 {
		w.Pid = 4242
	}
	if w.EnvVersion == "" {
		w.EnvVersion = "0.8"
	}
	if !w.Severity.Valid() {
		w.Severity = Info
	}
	if f == FormatJSON {
		w.UUID = [16]byte{}                                  // the envelope has no UUID
		w.Timestamp = w.Timestamp.Truncate(time.Microsecond) // six fraction digits
	}
	return w
}

func TestRoundTrip(t *testing.T) {
	for _, rt := range roundTrips() {
		t.Run(rt.name, func(t *testing.T) {
			cfg := fixedConfig()
			if rt.cfg != nil {
				rt.cfg(&cfg)
			}
			m := rt.msg
			m.UUID = testUUID
			m.Timestamp = rtTime

			t.Run("heka", func(t *testing.T) {
				enc := mustEncoder(t, FormatHeka, cfg)
				rec := mustEncode(t, enc, &m)
				recs, skipped := SplitHekaRecords(rec, 0)
				if len(recs) != 1 || skipped != 0 || len(recs[0]) != len(rec) {
					t.Fatalf("SplitHekaRecords: %d records, %d skipped; want the 1 record of %d bytes", len(recs), skipped, len(rec))
				}
				got, hdr, err := DecodeHekaRecord(rec, rtKeys)
				if err != nil {
					t.Fatalf("DecodeHekaRecord: %v\n%s", err, hexDump(rec))
				}
				if cfg.HMAC != nil {
					if hdr.Signer != cfg.HMAC.Signer || hdr.KeyVersion != cfg.HMAC.KeyVersion || hdr.HashFunction != cfg.HMAC.Hash || !hdr.Signed() {
						t.Fatalf("header %+v does not carry the signature of %+v", hdr, *cfg.HMAC)
					}
				} else if hdr.Signed() || hdr.Signer != "" {
					t.Fatalf("unsigned record has header %+v", hdr)
				}
				want := expectedEnvelope(&m, FormatHeka)
				want.Fields = rt.heka
				checkMessage(t, "heka", want, got)
				checkHekaUTF8(t, got)
			})

			t.Run("json", func(t *testing.T) {
				enc := mustEncoder(t, FormatJSON, cfg)
				out := mustEncode(t, enc, &m)
				if !bytes.HasSuffix(out, []byte("}\n")) || bytes.Count(out, []byte("\n")) != 1 {
					t.Fatalf("JSON frame is not one line ending in }\\n: %.200q", out)
				}
				if !json.Valid(out) || !utf8.Valid(out) {
					t.Fatalf("invalid JSON or UTF-8: %.300q", out)
				}
				checkJSONKeys(t, out)
				got, err := DecodeJSON(out)
				if err != nil {
					t.Fatalf("DecodeJSON: %v\n%.300q", err, out)
				}
				want := expectedEnvelope(&m, FormatJSON)
				want.Fields = rt.json
				checkMessage(t, "json", want, got)
			})
		})
	}
}

// checkJSONKeys checks that a JSON frame has exactly metlog's keys, in
// metlog's order, with the types the wire format gives them.
func checkJSONKeys(t *testing.T, frame []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.UseNumber()
	want := []string{"type", "timestamp", "logger", "severity", "payload", "fields", "env_version", "metlog_pid", "metlog_hostname"}
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		t.Fatalf("frame does not start an object: %v %v", tok, err)
	}
	for i := 0; dec.More(); i++ {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if i >= len(want) || k != want[i] {
			t.Fatalf("key %d is %v, want the keys %q in order", i, k, want)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("value of %s: %v", k, err)
		}
		ok := false
		switch k {
		case "severity", "metlog_pid":
			_, ok = v.(json.Number)
			if ok {
				_, err := v.(json.Number).Int64()
				ok = err == nil
			}
		case "fields":
			_, ok = v.(map[string]any)
		default:
			_, ok = v.(string)
		}
		if !ok {
			t.Fatalf("%s has value %#v of the wrong type", k, v)
		}
		if k == "timestamp" {
			s := v.(string)
			if _, err := time.Parse("2006-01-02T15:04:05.000000Z", s); err != nil || len(s) != len("2006-01-02T15:04:05.000000Z") {
				t.Fatalf("timestamp %q is not YYYY-MM-DDTHH:MM:SS.ffffffZ", s)
			}
		}
		if k == "env_version" && v.(string) == "" {
			t.Fatalf("empty env_version")
		}
	}
}

// checkHekaUTF8 checks every string a decoded Heka message holds is valid UTF-8.
func checkHekaUTF8(t *testing.T, m *Message) {
	t.Helper()
	for _, s := range []string{m.Type, m.Logger, m.Payload, m.EnvVersion, m.Hostname} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in envelope value %q", s)
		}
	}
	for _, f := range m.Fields {
		ok := utf8.ValidString(f.Name) && utf8.ValidString(f.Representation) && utf8.ValidString(f.Str())
		for _, s := range f.StringsValue() {
			ok = ok && utf8.ValidString(s)
		}
		if !ok {
			t.Fatalf("invalid UTF-8 in field %q", f.Name)
		}
	}
}
