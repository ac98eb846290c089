package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// Fuzz targets. Run one with
//
//	go test -run='^$' -fuzz=FuzzDecodeHeka -fuzztime=30s ./core
//
// Crashers are kept under testdata/fuzz/<target>/ and rerun by go test.

func fuzzKeys(signer string, v uint32) (string, bool) {
	if signer == "ops" {
		return "key" + strconv.FormatUint(uint64(v), 10), true
	}
	return "", false
}

// FuzzDecodeHeka feeds arbitrary bytes to the Heka decoders and splitter.
// Nothing may panic; the splitter must account for every byte, make
// progress, and split a stream read in chunks exactly as it splits the
// whole buffer.
func FuzzDecodeHeka(f *testing.F) {
	enc := mustEncoder(f, FormatHeka, fixedConfig())
	signed := fixedConfig()
	signed.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashSHA1, Key: "key1"}
	encSigned := mustEncoder(f, FormatHeka, signed)
	m := &Message{UUID: testUUID, Timestamp: testTime, Type: "t", Payload: "p",
		Fields: []Field{String("s", "v"), Ints("i", []int64{1, -1}), Floats("f", []float64{1.5}), Bools("b", []bool{true}), Bytes("y", []byte{0x1e})}}
	r1 := mustEncode(f, enc, m)
	r2 := mustEncode(f, encSigned, m)
	f.Add(r1, uint8(0))
	f.Add(r2, uint8(3))
	f.Add(append(append([]byte("junk\x1e\xff"), r1...), r2[:len(r2)/2]...), uint8(1))
	f.Add(append(append([]byte{0x1e, 0x02, 0x08, 0x05, 0x1f}, r2...), 0x1e), uint8(7))
	f.Add([]byte{0x1e}, uint8(0))
	f.Add([]byte{}, uint8(0))

	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		const max = 1 << 10 // small, so that the limit is exercised
		decodeHekaHeader(data)
		DecodeHekaMessage(data)
		DecodeHekaRecord(data, fuzzKeys)
		DecodeHekaRecord(data, nil)

		whole, skipped := SplitHekaRecords(data, max)
		total := skipped
		for _, r := range whole {
			total += len(r)
			if len(r) < 3 || r[0] != RecordSeparator || r[2+int(r[1])] != UnitSeparator {
				t.Fatalf("record is not framed: %x", r)
			}
			if _, _, err := DecodeHekaRecord(r, fuzzKeys); err != nil && strings.Contains(err.Error(), "heka record:") {
				t.Fatalf("a split record fails framing checks: %v", err)
			}
		}
		if total != len(data) {
			t.Fatalf("records (%d) and skipped bytes (%d) do not account for %d bytes", total-skipped, skipped, len(data))
		}

		// Stream the data in chunks of 1..256 bytes through Split.
		step := int(chunk) + 1
		s := &HekaSplitter{MaxMessageSize: max}
		var streamed [][]byte
		buf := []byte{}
		read := 0
		for calls := 0; ; calls++ {
			if calls > 4*len(data)+10 {
				t.Fatalf("splitter makes no progress")
			}
			atEOF := read == len(data)
			adv, tok, err := s.Split(buf, atEOF)
			if err != nil || adv < 0 || adv > len(buf) {
				t.Fatalf("Split: advance %d of %d, err %v", adv, len(buf), err)
			}
			if tok != nil {
				streamed = append(streamed, bytes.Clone(tok))
			}
			buf = buf[adv:]
			if adv == 0 && tok == nil {
				if atEOF {
					if len(buf) != 0 {
						t.Fatalf("at EOF Split leaves %d bytes unconsumed", len(buf))
					}
					break
				}
				n := min(step, len(data)-read)
				buf = append(buf, data[read:read+n]...)
				read += n
			}
		}
		if len(streamed) != len(whole) || s.Skipped != uint64(skipped) {
			t.Fatalf("streamed: %d records, %d skipped; whole: %d records, %d skipped", len(streamed), s.Skipped, len(whole), skipped)
		}
		for i := range whole {
			if !bytes.Equal(whole[i], streamed[i]) {
				t.Fatalf("record %d differs between streamed and whole splitting", i)
			}
		}
	})
}

// FuzzDecodeJSON feeds arbitrary bytes to DecodeJSON. Nothing may panic;
// a decoded message must re-encode to valid JSON that decodes again, and
// after one round decoding and encoding must be stable. It must also
// encode in Heka and decode back.
func FuzzDecodeJSON(f *testing.F) {
	enc := mustEncoder(f, FormatJSON, fixedConfig())
	m := &Message{UUID: testUUID, Timestamp: testTime, Type: "t", Payload: "p\x00\xff",
		Fields: []Field{String("s", "v"), Ints("i", []int64{1, -1}), Floats("f", []float64{1.5, math.NaN()}),
			Group("g", Bool("b", true), RawJSON("r", []byte(`[1,{"a":null}]`))), Uint64("u", math.MaxUint64)}}
	f.Add(mustEncode(f, enc, m))
	f.Add([]byte(`{"fields":{"":{"":[]},"x":[1,2.5],"y":1e400,"z":[true,false]},"timestamp":"2023-11-14T22:13:20+01:00"}`))
	f.Add([]byte(`{"type":"\ud800","severity":7,"metlog_pid":-1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"fields":{"a":{"b":{"c":{}}}}}`))

	fixed := fixedConfig()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeJSON(data)
		if err != nil {
			return
		}
		if m.Timestamp.IsZero() {
			m.Timestamp = testTime
		}
		enc1, err := enc.AppendMessage(nil, m)
		if err != nil {
			return // oversize
		}
		if !json.Valid(enc1) || !utf8.Valid(enc1) {
			t.Fatalf("re-encoded JSON is invalid: %q", enc1)
		}
		m2, err := DecodeJSON(enc1)
		if err != nil {
			t.Fatalf("decoding the encoder's output: %v\n%q", err, enc1)
		}
		// The first encoding may differ from later ones only in how it
		// writes what it repaired (an invalid byte as \ufffd, later as
		// U+FFFD itself); from then on decoding and encoding are stable.
		enc2, err := enc.AppendMessage(nil, m2)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		m3, err := DecodeJSON(enc2)
		if err != nil {
			t.Fatalf("decoding the encoder's output: %v\n%q", err, enc2)
		}
		enc3, err := enc.AppendMessage(nil, m3)
		if err != nil || !bytes.Equal(enc2, enc3) {
			t.Fatalf("encoding is not stable (%v):\n%q\n%q", err, enc2, enc3)
		}
		checkMessage(t, "decode(encode(decode))", m2, m3)
		rec, err := mustEncoder(t, FormatHeka, fixed).AppendMessage(nil, m)
		if err != nil {
			return
		}
		if _, _, err := DecodeHekaRecord(rec, nil); err != nil {
			t.Fatalf("Heka record of a decoded JSON message: %v", err)
		}
	})
}

// fixUTF8 replaces each invalid byte with U+FFFD, the encoders' rule.
func fixUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func fixName(s string) string {
	if s == "" {
		return "_"
	}
	return fixUTF8(s)
}

// jsonFloat is what a float field becomes in the JSON envelope.
func jsonFloat(name string, v float64) Field {
	switch {
	case math.IsNaN(v):
		return String(name, "NaN")
	case math.IsInf(v, 1):
		return String(name, "+Inf")
	case math.IsInf(v, -1):
		return String(name, "-Inf")
	}
	return Float(name, v)
}

// FuzzRoundTrip builds a message from fuzzed values, encodes it in both
// formats and checks the decoders return what the rules of each format say,
// computed here independently of the encoders.
func FuzzRoundTrip(f *testing.F) {
	f.Add("type", "logger", int64(-1), uint64(math.MaxUint64), 1.5, []byte(`{"a":1}`), "", uint8(0))
	f.Add("", "", int64(0), uint64(0), math.NaN(), []byte{}, "ms", uint8(1))
	f.Add("a\xffb", "\xe2\x82", int64(math.MinInt64), uint64(1<<63), math.Inf(-1), []byte("\xff\x00"), "\x80", uint8(2))
	f.Add("\x00\n\"\\", "é", int64(1e18), uint64(7), math.Copysign(0, -1), []byte(" [1, 2] "), "json", uint8(3))
	f.Add("g", "x.y", int64(42), uint64(42), 5e-324, []byte(`"\u00e9"`), "", uint8(0x0f))

	f.Fuzz(func(t *testing.T, s1, s2 string, i int64, u uint64, fl float64, b []byte, rep string, flags uint8) {
		if len(s1)+len(s2)+len(b)+len(rep) > 4096 {
			return
		}
		cfg := fixedConfig()
		// The round trip checks what the formats keep, not the size limit
		// (tested on its own): 4 KiB of input can encode to over 64 KiB,
		// since s2 goes into many fields and every invalid byte of it
		// becomes a 6-byte \ufffd escape in JSON.
		cfg.MaxSize = 16 << 20
		switch flags & 3 {
		case 1:
			cfg.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashMD5, Key: "key1"}
		case 2:
			cfg.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 2, Hash: HashSHA1, Key: "key2"}
		}
		scoped := flags&4 != 0
		ts := time.Unix(0, i).UTC()
		m := &Message{
			UUID: testUUID, Timestamp: testTime, Type: s1, Logger: s2, Severity: Emergency + Severity(flags>>4)%8,
			Payload: s1 + s2, Hostname: s2,
			Fields: []Field{
				String("s", s2).WithRepresentation(rep),
				Int64("i", i),
				Uint64("u", u),
				Float("f", fl),
				Bool("t", flags&8 != 0),
				Bytes("b", b),
				Time("tm", ts),
				Strings("ss", []string{s1, s2}),
				Ints("is", []int64{i, -i}),
				Ints("one", []int64{i}),
				Floats("fs", []float64{fl, 1.5}),
				Bools("bs", []bool{true, flags&8 != 0}),
				Group("fz", String(s1, s2), Group(s2, Int("n", 1))),
				RawJSON("raw", b),
			},
		}
		if scoped {
			m.Scope = NewScope(FormatJSON).With(String("scoped", s2)).WithGroup("sg")
		}

		// Expected after a Heka round trip.
		logger, host := s2, s2
		if logger == "" {
			logger = "cfg-logger"
		}
		if host == "" {
			host = "host.example"
		}
		uf := Int64("u", int64(u))
		if u > math.MaxInt64 {
			uf = String("u", strconv.FormatUint(u, 10))
		}
		inner := func(prefix string) []Field {
			g2 := fixUTF8(s2) + "."
			if s2 == "" {
				g2 = ""
			}
			return []Field{
				String(prefix+"s", fixUTF8(s2)).WithRepresentation(fixUTF8(rep)),
				Int64(prefix+"i", i),
				uf.withName(prefix + "u"),
				Float(prefix+"f", fl),
				Bool(prefix+"t", flags&8 != 0),
				Bytes(prefix+"b", b),
				String(prefix+"tm", ts.Format(time.RFC3339Nano)),
				Strings(prefix+"ss", []string{fixUTF8(s1), fixUTF8(s2)}),
				Ints(prefix+"is", []int64{i, -i}),
				Int64(prefix+"one", i),
				Floats(prefix+"fs", []float64{fl, 1.5}),
				Bools(prefix+"bs", []bool{true, flags&8 != 0}),
				String(prefix+"fz."+fixName(s1), fixUTF8(s2)),
				Int64(prefix+"fz."+g2+"n", 1),
				String(prefix+"raw", fixUTF8(string(b))).WithRepresentation("json"),
			}
		}
		var wantHeka []Field
		if scoped {
			wantHeka = append([]Field{String("scoped", fixUTF8(s2))}, inner("sg.")...)
		} else {
			wantHeka = inner("")
		}
		wantEnv := &Message{UUID: testUUID, Timestamp: testTime, Type: fixUTF8(s1), Logger: fixUTF8(logger),
			Severity: m.Severity, Payload: fixUTF8(s1 + s2), EnvVersion: "0.8", Pid: 4242, Hostname: fixUTF8(host)}

		rec, err := mustEncoder(t, FormatHeka, cfg).AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("heka: %v", err)
		}
		got, _, err := DecodeHekaRecord(rec, fuzzKeys)
		if err != nil {
			t.Fatalf("heka decode: %v", err)
		}
		want := *wantEnv
		want.Fields = wantHeka
		checkMessage(t, "heka", &want, got)

		// Expected after a JSON round trip.
		ju := Int64("u", int64(u))
		if u > math.MaxInt64 {
			ju = Uint64("u", u)
		}
		var jfs Field
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			jfs = RawJSON("fs", []byte("["+strconv.Quote(jsonFloat("", fl).Str())+",1.5]"))
		} else {
			jfs = Floats("fs", []float64{fl, 1.5})
		}
		var fzInner []Field
		fzInner = append(fzInner, String(fixName(s1), fixUTF8(s2)))
		if s2 == "" {
			fzInner = append(fzInner, Int("n", 1))
		} else {
			fzInner = append(fzInner, Group(fixUTF8(s2), Int("n", 1)))
		}
		jsonInner := []Field{
			String("s", fixUTF8(s2)),
			Int64("i", i),
			ju,
			jsonFloat("f", fl),
			Bool("t", flags&8 != 0),
			String("b", base64.StdEncoding.EncodeToString(b)),
			String("tm", ts.Format(time.RFC3339Nano)),
			Strings("ss", []string{fixUTF8(s1), fixUTF8(s2)}),
			Ints("is", []int64{i, -i}),
			Ints("one", []int64{i}),
			jfs,
			Bools("bs", []bool{true, flags&8 != 0}),
			Group("fz", fzInner...),
			// "raw" is checked separately below.
		}
		var wantJSON []Field
		if scoped {
			wantJSON = []Field{String("scoped", fixUTF8(s2)), Group("sg", jsonInner...)}
		} else {
			wantJSON = jsonInner
		}

		line, err := mustEncoder(t, FormatJSON, cfg).AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		if !json.Valid(line) || !utf8.Valid(line) {
			t.Fatalf("invalid JSON: %q", line)
		}
		got, err = decodeJSONCopy(line, cfg.MaxSize)
		if err != nil {
			t.Fatalf("json decode: %v", err)
		}
		// Drop the raw field: its decoded form depends on its content.
		if scoped {
			g := got.Fields[len(got.Fields)-1]
			gf := g.GroupValue()
			if len(gf) == 0 || gf[len(gf)-1].Name != "raw" {
				t.Fatalf("no raw field last in %s", dumpFields(got.Fields))
			}
			got.Fields[len(got.Fields)-1] = Group(g.Name, gf[:len(gf)-1]...)
		} else {
			if got.Fields[len(got.Fields)-1].Name != "raw" {
				t.Fatalf("no raw field last in %s", dumpFields(got.Fields))
			}
			got.Fields = got.Fields[:len(got.Fields)-1]
		}
		want = *wantEnv
		want.UUID = [16]byte{}
		want.Timestamp = testTime.Truncate(time.Microsecond)
		want.Fields = wantJSON
		checkMessage(t, "json", &want, got)

		// The raw value: compact JSON when b is valid JSON, else a string.
		var top struct {
			Fields map[string]json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal(line, &top); err != nil {
			t.Fatal(err)
		}
		fields := top.Fields
		if scoped {
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(fields["sg"], &inner); err != nil {
				t.Fatal(err)
			}
			fields = inner
		}
		gotRaw := fields["raw"]
		nest := jsonNesting(b)
		if len(b) > 0 && json.Valid(b) && nest <= jsontext.MaxDepth-1 {
			// A JSON value is kept, compacted, its strings' invalid UTF-8
			// repaired as encoding/json's decoder repairs it.
			var want, got any
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(gotRaw, &got); err != nil || !reflect.DeepEqual(got, want) || !utf8.Valid(gotRaw) || bytes.IndexByte(gotRaw, '\n') >= 0 {
				t.Fatalf("raw member is %s, want the value of %q", gotRaw, b)
			}
			if utf8.Valid(b) {
				var c bytes.Buffer
				json.Compact(&c, b)
				if !bytes.Equal(gotRaw, c.Bytes()) {
					t.Fatalf("raw member is %s, want %s", gotRaw, c.Bytes())
				}
			}
		} else if len(b) > 0 && json.Valid(b) && nest <= 512 {
			// Nested deeper than MaxDepth: kept, its deepest values
			// replaced by the marker.
			if !json.Valid(gotRaw) || !utf8.Valid(gotRaw) || bytes.IndexByte(gotRaw, '\n') >= 0 || jsonNesting(gotRaw) > jsontext.MaxDepth {
				t.Fatalf("raw member is %s, want the value of %q with its deepest values replaced", gotRaw, b)
			}
		} else if len(b) > 0 && json.Valid(b) {
			// Nested deeper than the encoder follows: written as a string.
			if wantRaw, _ := json.Marshal(fixUTF8(string(b))); !bytes.Equal(gotRaw, wantRaw) && !sameJSONString(gotRaw, wantRaw) {
				t.Fatalf("raw member is %s, want %s", gotRaw, wantRaw)
			}
		} else {
			wantRaw, _ := json.Marshal(fixUTF8(string(b)))
			if !bytes.Equal(gotRaw, wantRaw) && !sameJSONString(gotRaw, wantRaw) {
				t.Fatalf("raw member is %s, want %s", gotRaw, wantRaw)
			}
		}
	})
}

// jsonNesting returns how many objects and arrays deep b, valid JSON,
// nests (0 for a scalar or invalid JSON).
func jsonNesting(b []byte) int {
	d := json.NewDecoder(bytes.NewReader(b))
	depth, most := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return most
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			most = max(most, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}

// sameJSONString reports whether a and b are JSON strings with equal
// values (escaping may differ: encoding/json escapes <, > and &).
func sameJSONString(a, b []byte) bool {
	var x, y string
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && x == y
}

// withName returns f renamed (test helper for building expectations).
func (f Field) withName(name string) Field {
	f.Name = name
	return f
}
