package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Encoder behaviour on awkward input: invalid UTF-8, non-finite floats,
// control characters, empty names, oversize messages, bad configuration.

// encodeBoth encodes m in both formats with cfg and decodes the results,
// checking the JSON is one valid line of valid UTF-8 and the Heka record
// decodes and holds valid UTF-8.
func encodeBoth(t *testing.T, cfg EncoderConfig, m *Message) (hekaRec, jsonLine []byte, fromHeka, fromJSON *Message) {
	t.Helper()
	hekaRec = mustEncode(t, mustEncoder(t, FormatHeka, cfg), m)
	fromHeka, _, err := DecodeHekaRecord(hekaRec, nil)
	if err != nil {
		t.Fatalf("DecodeHekaRecord: %v\n%s", err, hexDump(hekaRec))
	}
	checkHekaUTF8(t, fromHeka)
	jsonLine = mustEncode(t, mustEncoder(t, FormatJSON, cfg), m)
	if !json.Valid(jsonLine) || !utf8.Valid(jsonLine) || bytes.IndexByte(jsonLine, '\n') != len(jsonLine)-1 {
		t.Fatalf("JSON output is not one valid line of valid UTF-8: %.400q", jsonLine)
	}
	fromJSON, err = DecodeJSON(jsonLine)
	if err != nil {
		t.Fatalf("DecodeJSON: %v\n%.400q", err, jsonLine)
	}
	return
}

func TestInvalidUTF8(t *testing.T) {
	const bad = "a\xffb\xe2\x82c"      // a, an invalid byte, b, a truncated 3-byte sequence, c
	const fx = "a\uFFFDb\uFFFD\uFFFDc" // each invalid byte becomes U+FFFD
	cfg := fixedConfig()
	cfg.Env = []Field{String(bad, bad)}
	m := &Message{
		Type: bad, Logger: bad, Payload: bad, Hostname: bad, EnvVersion: bad,
		Scope: NewScope(FormatJSON).With(String("k", bad)).WithGroup(bad),
		Fields: []Field{
			String(bad, bad).WithRepresentation(bad),
			Strings("ss", []string{"x", bad}),
			Group(bad, Int("x", 1)),
			RawJSON("rj", []byte(`"`+bad+`"`)), // JSON syntax, but not UTF-8
		},
	}
	_, line, fromHeka, fromJSON := encodeBoth(t, cfg, m)

	for _, got := range []*Message{fromHeka, fromJSON} {
		if got.Type != fx || got.Logger != fx || got.Payload != fx || got.Hostname != fx || got.EnvVersion != fx {
			t.Fatalf("envelope strings not repaired: %q %q %q %q %q", got.Type, got.Logger, got.Payload, got.Hostname, got.EnvVersion)
		}
	}
	checkFields(t, "heka", []Field{
		String(fx, fx),
		String("k", fx),
		String(fx+"."+fx, fx).WithRepresentation(fx),
		Strings(fx+".ss", []string{"x", fx}),
		Int64(fx+"."+fx+".x", 1),
		String(fx+".rj", `"`+fx+`"`).WithRepresentation("json"),
	}, fromHeka.Fields)
	checkFields(t, "json", []Field{
		String(fx, fx),
		String("k", fx),
		Group(fx,
			String(fx, fx),
			Strings("ss", []string{"x", fx}),
			Group(fx, Int("x", 1)),
			String("rj", fx), // a JSON string value: kept, its UTF-8 repaired
		),
	}, fromJSON.Fields)
	if !bytes.Contains(line, []byte(`"payload":"a\ufffdb\ufffd\ufffdc"`)) {
		t.Fatalf("JSON does not escape invalid bytes as \\ufffd: %s", line)
	}
}

func TestNonFiniteFloats(t *testing.T) {
	nan, pinf, ninf := math.NaN(), math.Inf(1), math.Inf(-1)
	m := &Message{Type: "f", UUID: testUUID, Timestamp: testTime, Fields: []Field{
		Float("nan", nan), Float("pinf", pinf), Float("ninf", ninf),
		Floats("fs", []float64{1, nan, pinf, ninf}),
	}}
	_, line, fromHeka, fromJSON := encodeBoth(t, fixedConfig(), m)
	const wantText = `"fields":{"nan":"NaN","pinf":"+Inf","ninf":"-Inf","fs":[1.0,"NaN","+Inf","-Inf"]}`
	if !bytes.Contains(line, []byte(wantText)) {
		t.Fatalf("JSON fields are not\n%s\nin\n%s", wantText, line)
	}
	checkFields(t, "heka keeps the doubles", m.Fields, fromHeka.Fields)
	checkFields(t, "json", []Field{
		String("nan", "NaN"), String("pinf", "+Inf"), String("ninf", "-Inf"),
		RawJSON("fs", []byte(`[1.0,"NaN","+Inf","-Inf"]`)), // mixed array
	}, fromJSON.Fields)
}

func TestControlCharacters(t *testing.T) {
	const s = "\x00\x01\x1f\x7f\n\r\t\"\\/<>&\u2028é"
	m := &Message{Type: "c\x02", Payload: s, Fields: []Field{String("k\n", s)}}
	_, line, fromHeka, fromJSON := encodeBoth(t, fixedConfig(), m)
	const esc = `\u0000\u0001\u001f` + "\x7f" + `\n\r\t\"\\/<>&` + "\u2028é"
	for _, want := range []string{`"type":"c\u0002"`, `"payload":"` + esc + `"`, `"k\n":"` + esc + `"`} {
		if !bytes.Contains(line, []byte(want)) {
			t.Fatalf("JSON lacks %s:\n%s", want, line)
		}
	}
	for name, got := range map[string]*Message{"heka": fromHeka, "json": fromJSON} {
		if got.Type != m.Type || got.Payload != s {
			t.Fatalf("%s: type %q payload %q", name, got.Type, got.Payload)
		}
		checkFields(t, name, []Field{String("k\n", s)}, got.Fields)
	}
}

func TestEmptyNames(t *testing.T) {
	// The rule: an empty field name is written "_"; a group with an empty
	// name is inlined into its parent, at any depth.
	m := &Message{Type: "e", Fields: []Field{
		String("", "top"),
		Group("g", String("", "in-g"), Group("", Int("inl", 1)), Group("", Group("", Bool("deep", true)))),
		Group("", Int("top-inl", 2)),
		Int("", 3),
	}}
	_, line, fromHeka, fromJSON := encodeBoth(t, fixedConfig(), m)
	const wantText = `"fields":{"_":"top","g":{"_":"in-g","inl":1,"deep":true},"top-inl":2,"_":3}`
	if !bytes.Contains(line, []byte(wantText)) {
		t.Fatalf("JSON fields are not\n%s\nin\n%s", wantText, line)
	}
	checkFields(t, "heka", []Field{
		String("_", "top"), String("g._", "in-g"), Int("g.inl", 1), Bool("g.deep", true), Int("top-inl", 2), Int("_", 3),
	}, fromHeka.Fields)
	checkFields(t, "json", []Field{
		String("_", "top"), Group("g", String("_", "in-g"), Int("inl", 1), Bool("deep", true)), Int("top-inl", 2), Int("_", 3),
	}, fromJSON.Fields)
}

func TestEmptyGroupsWriteNothing(t *testing.T) {
	// Fields that write nothing (groups with empty names and no members)
	// must neither open a scope's pending groups nor leave a stray comma
	// before the truncation marker.
	cfg := fixedConfig()
	cfg.MaxSize = 300
	big := strings.Repeat("p", 1000)
	cases := []struct {
		name string
		m    Message
		want []Field // JSON fields; Heka drops the group names alike
	}{
		{"alone", Message{Fields: []Field{Group("")}}, nil},
		{"nested", Message{Fields: []Field{Group("", Group(""))}}, nil},
		{"pending scope", Message{Scope: NewScope(FormatJSON).WithGroup("g"), Fields: []Field{Group("")}}, nil},
		{"scope With", Message{Scope: NewScope(FormatJSON).WithGroup("g").With(Group(""))}, nil},
		{"scope With then field", Message{Scope: NewScope(FormatJSON).WithGroup("g").With(Group("")), Fields: []Field{Int("x", 1)}},
			[]Field{Group("g", Int("x", 1))}},
		{"truncated alone", Message{Payload: big, Fields: []Field{Group("")}},
			[]Field{Int64(TruncatedField, 1000)}},
		{"truncated pending scope", Message{Payload: big, Scope: NewScope(FormatJSON).WithGroup("g"), Fields: []Field{Group("", Group(""))}},
			[]Field{Int64(TruncatedField, 1000)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.m
			m.Type = "eg"
			_, line, fromHeka, fromJSON := encodeBoth(t, cfg, &m)
			checkFields(t, "json", c.want, fromJSON.Fields)
			var wantHeka []Field
			if len(c.want) > 0 && c.want[0].Name == TruncatedField {
				wantHeka = c.want
			} else if len(c.want) > 0 {
				wantHeka = []Field{Int("g.x", 1)}
			}
			checkFields(t, "heka", wantHeka, fromHeka.Fields)
			if len(c.want) == 0 && !bytes.Contains(line, []byte(`"fields":{}`)) {
				t.Fatalf("fields not empty: %s", line)
			}
		})
	}
}

func TestTruncatePayload(t *testing.T) {
	cases := []struct {
		name    string
		max     int
		payload string
		env     bool
	}{
		{"ascii default limit", 0, strings.Repeat("x", 100000), false},
		{"two-byte runes", 0, strings.Repeat("é", 50000), true},
		{"three-byte runes small limit", 1000, strings.Repeat("€", 2000), true},
		{"escapes", 0, strings.Repeat("\x01\"", 40000), false},
		{"invalid bytes", 2000, strings.Repeat("\xff", 3000), false},
		{"just over", 0, strings.Repeat("y", DefaultMaxMessageSize), false},
	}
	for _, c := range cases {
		for _, f := range []Format{FormatHeka, FormatJSON} {
			t.Run(c.name+"/"+f.String(), func(t *testing.T) {
				limit := c.max
				if limit == 0 {
					limit = DefaultMaxMessageSize
				}
				cfg := fixedConfig()
				cfg.MaxSize = c.max
				var wantFields []Field
				m := &Message{Type: "trunc", Payload: c.payload, Fields: []Field{Int("n", 1)}}
				if c.env {
					cfg.Env = []Field{String("env", "e")}
					m.Scope = NewScope(f).With(String("s", "v")).WithGroup("grp")
					wantFields = []Field{String("env", "e"), String("s", "v")}
				}
				out := mustEncode(t, mustEncoder(t, f, cfg), m)

				var got *Message
				var size int
				if f == FormatHeka {
					var hdr HekaHeader
					var err error
					got, hdr, err = DecodeHekaRecord(out, nil)
					if err != nil {
						t.Fatal(err)
					}
					size = int(hdr.MessageLength)
					if c.env {
						wantFields = append(wantFields, Int("grp.n", 1))
					} else {
						wantFields = append(wantFields, Int("n", 1))
					}
				} else {
					if !json.Valid(out) || !utf8.Valid(out) {
						t.Fatalf("invalid JSON: %.300q", out)
					}
					size = len(out) - 1
					var err error
					if got, err = DecodeJSON(out); err != nil {
						t.Fatal(err)
					}
					if c.env {
						wantFields = append(wantFields, Group("grp", Int("n", 1)))
					} else {
						wantFields = append(wantFields, Int("n", 1))
					}
				}
				if size > limit {
					t.Fatalf("encoded message is %d bytes, limit %d", size, limit)
				}
				// fit cuts the payload by the excess in raw bytes, which
				// overshoots when escaping or U+FFFD replacement inflate
				// it (JSON escapes, invalid bytes): only plain text must
				// come close to the limit.
				if size < limit-300 && c.name != "invalid bytes" && !(c.name == "escapes" && f == FormatJSON) {
					t.Fatalf("encoded message is %d bytes: truncated far more than needed for limit %d", size, limit)
				}
				wantFields = append(wantFields, Int64(TruncatedField, int64(len(c.payload))))
				checkFields(t, "fields", wantFields, got.Fields)
				if !utf8.ValidString(got.Payload) {
					t.Fatalf("truncated payload is not valid UTF-8")
				}
				want := c.payload[:min(len(got.Payload), len(c.payload))]
				if c.name == "invalid bytes" {
					want = strings.Repeat("\uFFFD", len(got.Payload)/3)
				}
				if got.Payload != want || len(got.Payload) >= len(c.payload) {
					t.Fatalf("payload of %d bytes is not a proper prefix of the original", len(got.Payload))
				}
			})
		}
	}
}

func TestOversizeFields(t *testing.T) {
	huge := strings.Repeat("z", DefaultMaxMessageSize+1)
	msgs := map[string]*Message{
		"huge field, small payload": {Type: "o", Payload: "small", Fields: []Field{String("big", huge)}},
		"huge field, no payload":    {Type: "o", Fields: []Field{String("big", huge)}},
		"huge field, huge payload":  {Type: "o", Payload: huge, Fields: []Field{String("big", huge)}},
		"huge scope":                {Type: "o", Scope: NewScope(FormatJSON).With(String("big", huge))},
	}
	for name, m := range msgs {
		for _, f := range []Format{FormatHeka, FormatJSON} {
			t.Run(name+"/"+f.String(), func(t *testing.T) {
				enc := mustEncoder(t, f, fixedConfig())
				dst := make([]byte, 6, 200000)
				copy(dst, "prefix")
				out, err := enc.AppendMessage(dst, m)
				if !errors.Is(err, ErrOversize) {
					t.Fatalf("err = %v, want ErrOversize", err)
				}
				if string(out) != "prefix" || &out[0] != &dst[0] {
					t.Fatalf("dst changed: %.40q", out)
				}
			})
		}
	}
}

func TestNewEncoderErrors(t *testing.T) {
	bad := Severity(9)
	cases := map[string]struct {
		f   Format
		cfg EncoderConfig
	}{
		"signer over 200 bytes": {FormatHeka, EncoderConfig{HMAC: &HMACConfig{Signer: strings.Repeat("s", 201), Key: "k"}}},
		"unknown hash":          {FormatHeka, EncoderConfig{HMAC: &HMACConfig{Signer: "s", Hash: 2, Key: "k"}}},
		"bad severity":          {FormatJSON, EncoderConfig{Severity: bad}},
		"unknown format":        {Format(7), EncoderConfig{}},
	}
	for name, c := range cases {
		if enc, err := NewEncoder(c.f, c.cfg); err == nil {
			t.Errorf("%s: NewEncoder returned %T and no error", name, enc)
		}
	}
}

func TestLongestSigner(t *testing.T) {
	// A 200-byte signer with the largest key version and SHA1 is the
	// largest header the encoder writes; it must fit the one-byte length.
	signer := strings.Repeat("s", 200)
	cfg := fixedConfig()
	cfg.HMAC = &HMACConfig{Signer: signer, KeyVersion: math.MaxUint32, Hash: HashSHA1, Key: "k"}
	rec := mustEncode(t, mustEncoder(t, FormatHeka, cfg), &Message{Type: "s"})
	keys := func(s string, v uint32) (string, bool) { return "k", s == signer && v == math.MaxUint32 }
	_, hdr, err := DecodeHekaRecord(rec, keys)
	if err != nil {
		t.Fatal(err)
	}
	// message_length (2-3 bytes), hash (2), signer (3+200), version (6), hmac (22)
	if hl := int(rec[1]); hl < 2+2+203+6+22 || hl > MaxHeaderSize {
		t.Fatalf("header length %d", hl)
	}
	if hdr.Signer != signer || hdr.KeyVersion != math.MaxUint32 || len(hdr.HMAC) != 20 {
		t.Fatalf("header %+v", hdr)
	}
}

func TestEncodeConcurrent(t *testing.T) {
	// One encoder of each format shared by several goroutines, messages
	// with timestamps in the same and in different seconds: each frame
	// must decode to its own message.
	signed := fixedConfig()
	signed.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashSHA1, Key: "md5 key"}
	encs := []*Encoder{
		mustEncoder(t, FormatJSON, fixedConfig()),
		mustEncoder(t, FormatHeka, fixedConfig()),
		mustEncoder(t, FormatHeka, signed),
	}
	const goroutines, each = 6, 300
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		go func() {
			var dst []byte
			for i := 0; i < each; i++ {
				ts := testTime.Add(time.Duration(g*each+i) * 333 * time.Millisecond)
				m := &Message{UUID: testUUID, Timestamp: ts, Type: "c", Payload: strconv.Itoa(g*each + i),
					Fields: []Field{Int64("g", int64(g)), Time("t", ts)}}
				for _, enc := range encs {
					var err error
					dst, err = enc.AppendMessage(dst[:0], m)
					if err != nil {
						errs <- err
						return
					}
					var got *Message
					wantTS := ts
					if enc.Format() == FormatJSON {
						got, err = DecodeJSON(dst)
						wantTS = ts.Truncate(time.Microsecond)
					} else {
						got, _, err = DecodeHekaRecord(dst, rtKeys)
					}
					if err != nil {
						errs <- err
						return
					}
					if !got.Timestamp.Equal(wantTS) || got.Payload != m.Payload || len(got.Fields) != 2 ||
						got.Fields[0].IntValue() != int64(g) || got.Fields[1].Str() != m.Fields[1].Str() {
						errs <- fmt.Errorf("%s: goroutine %d message %d decoded as\n%s", enc.Format(), g, i, dumpMessage(got))
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < goroutines; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestUUIDVersion4: UUIDs, made alone or by the Heka encoder for a
// message without one, are random version 4, RFC 4122 variant, and
// distinct.
func TestUUIDVersion4(t *testing.T) {
	enc := mustEncoder(t, FormatHeka, EncoderConfig{})
	seen := map[[16]byte]bool{}
	for i := 0; i < 1000; i++ {
		u := NewUUID()
		rec, err := enc.AppendMessage(nil, &Message{Type: "t"})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := DecodeHekaRecord(rec, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range [][16]byte{u, m.UUID} {
			if u[6]>>4 != 4 || u[8]>>6 != 2 {
				t.Fatalf("UUID %x: version %d, variant bits %02b; want 4 and 10", u, u[6]>>4, u[8]>>6)
			}
			if seen[u] {
				t.Fatalf("UUID %x made twice", u)
			}
			seen[u] = true
		}
	}
}
