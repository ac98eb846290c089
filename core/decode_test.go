package core

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// Decoders on hand-built input: what they accept, what they reject, and
// that they never keep references to the input.

// pb builds protobuf bytes for hand-made test input.
type pb []byte

func (b pb) varint(num protowire.Number, v uint64) pb {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func (b pb) bytes(num protowire.Number, v []byte) pb {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func (b pb) str(num protowire.Number, s string) pb { return b.bytes(num, []byte(s)) }

func (b pb) fixed64(num protowire.Number, v uint64) pb {
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

// minimalMsg is a Message with only the required uuid and timestamp.
func minimalMsg() pb {
	return pb(nil).bytes(1, testUUID[:]).varint(2, uint64(testTime.UnixNano()))
}

// record frames msg with an unsigned header.
func record(msg []byte) []byte {
	h := pb(nil).varint(1, uint64(len(msg)))
	r := append([]byte{RecordSeparator, byte(len(h))}, h...)
	r = append(r, UnitSeparator)
	return append(r, msg...)
}

func TestDecodeHekaGolden(t *testing.T) {
	want := goldenMsg()
	want.EnvVersion = "0.8"
	rec := append(hexLines(t, "1e 02 08 3c 1f"), hexLines(t, goldenMsgHex)...)
	got, hdr, err := DecodeHekaRecord(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hdr.MessageLength != 60 || hdr.Signed() {
		t.Fatalf("header %+v", hdr)
	}
	checkMessage(t, "golden", want, got)
}

func TestDecodeHekaDefaults(t *testing.T) {
	m, err := DecodeHekaMessage(minimalMsg())
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{UUID: testUUID, Timestamp: testTime, Severity: Debug} // Heka's default severity is 7
	checkMessage(t, "minimal", want, m)
	if m.Timestamp.Location() != time.UTC {
		t.Fatalf("timestamp not in UTC: %v", m.Timestamp.Location())
	}
}

func TestDecodeHekaFieldEncodings(t *testing.T) {
	packedInts := protowire.AppendVarint(protowire.AppendVarint(nil, 5), uint64(math.MaxUint64)) // 5, -1
	packedBools := []byte{1, 0, 2}                                                               // any non-zero varint is true
	packedDoubles := protowire.AppendFixed64(protowire.AppendFixed64(nil, math.Float64bits(0.5)), math.Float64bits(-2))
	cases := []struct {
		name  string
		field pb
		want  Field
	}{
		{"unpacked int", pb(nil).str(1, "i").varint(2, 2).varint(6, 9), Int("i", 9)},
		{"unpacked ints", pb(nil).str(1, "i").varint(2, 2).varint(6, 9).varint(6, uint64(1<<63)), Ints("i", []int64{9, math.MinInt64})},
		{"packed ints", pb(nil).str(1, "i").varint(2, 2).bytes(6, packedInts), Ints("i", []int64{5, -1})},
		{"packed and unpacked ints", pb(nil).str(1, "i").varint(2, 2).bytes(6, packedInts).varint(6, 3), Ints("i", []int64{5, -1, 3})},
		{"unpacked double", pb(nil).str(1, "d").varint(2, 3).fixed64(7, math.Float64bits(1.25)), Float("d", 1.25)},
		{"packed doubles", pb(nil).str(1, "d").varint(2, 3).bytes(7, packedDoubles), Floats("d", []float64{0.5, -2})},
		{"unpacked bools", pb(nil).str(1, "b").varint(2, 4).varint(8, 1).varint(8, 0), Bools("b", []bool{true, false})},
		{"packed bools", pb(nil).str(1, "b").varint(2, 4).bytes(8, packedBools), Bools("b", []bool{true, false, true})},
		{"empty packed", pb(nil).str(1, "i").varint(2, 2).bytes(6, nil), Ints("i", nil)},
		{"value_type after values", pb(nil).str(1, "i").varint(6, 4).varint(2, 2), Int("i", 4)},
		{"name last", pb(nil).varint(2, 2).varint(6, 4).str(1, "i"), Int("i", 4)},
		{"string default type", pb(nil).str(1, "s").str(4, "v"), String("s", "v")},
		{"explicit STRING type", pb(nil).str(1, "s").varint(2, 0).str(4, "v"), String("s", "v")},
		{"strings", pb(nil).str(1, "s").str(4, "v").str(4, "w"), Strings("s", []string{"v", "w"})},
		{"no value", pb(nil).str(1, "s"), Strings("s", nil)},
		{"bytes", pb(nil).str(1, "b").varint(2, 1).bytes(5, []byte{9}), Bytes("b", []byte{9})},
		{"json representation", pb(nil).str(1, "j").str(3, "json").str(4, `{"a":1}`), String("j", `{"a":1}`).WithRepresentation("json")},
		{"empty name", pb(nil).str(1, "").str(4, "v"), String("", "v")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeHekaMessage(minimalMsg().bytes(10, c.field))
			if err != nil {
				t.Fatal(err)
			}
			checkFields(t, c.name, []Field{c.want}, m.Fields)
		})
	}
}

func TestDecodeHekaErrors(t *testing.T) {
	valid := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()), &Message{
		UUID: testUUID, Type: "t", Payload: "p", Fields: []Field{String("s", "v"), Ints("i", []int64{1, 2})},
	})
	validMsg := valid[3+int(valid[1]):]
	cases := []struct {
		name string
		msg  []byte
		want string // substring of the error
	}{
		{"unknown message tag", minimalMsg().varint(11, 1), "unknown tag 11"},
		{"tag zero", append(minimalMsg(), 0x00), "bad tag"},
		{"uuid wire type", pb(nil).varint(1, 1).varint(2, 1), "wire type"},
		{"timestamp wire type", pb(nil).bytes(1, testUUID[:]).bytes(2, nil), "wire type"},
		{"short uuid", pb(nil).bytes(1, testUUID[:15]).varint(2, 1), "uuid is 15 bytes"},
		{"long uuid", pb(nil).bytes(1, make([]byte, 17)).varint(2, 1), "uuid is 17 bytes"},
		{"no uuid", pb(nil).varint(2, 1), "no uuid"},
		{"no timestamp", pb(nil).bytes(1, testUUID[:]), "no timestamp"},
		{"severity 8", minimalMsg().varint(5, 8), "severity 8"},
		{"severity -1", minimalMsg().varint(5, math.MaxUint64), "severity -1"},
		{"truncated varint", append(pb(nil).bytes(1, testUUID[:]), 0x10, 0x95), "tag 2"},
		{"truncated bytes", pb(nil).bytes(1, testUUID[:]).varint(2, 1).str(6, "payload")[:25], "tag 6"},
		{"truncated uuid", pb(nil).bytes(1, testUUID[:])[:10], "tag 1"},
		{"truncated field", minimalMsg().bytes(10, pb(nil).str(1, "name"))[:30], "tag 10"},
		{"truncated inside field", minimalMsg().bytes(10, []byte{0x0a, 0x05, 'a'}), "field 0"},
		{"unknown field tag", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(9, 1)), "unknown tag 9"},
		{"field without name", minimalMsg().bytes(10, pb(nil).str(4, "v")), "no name"},
		{"unknown value_type", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 5)), "unknown value_type 5"},
		{"value of another type", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 2).str(4, "x")), "carries tag 4"},
		{"string type with ints", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(6, 1)), "carries tag 6"},
		{"name wire type", minimalMsg().bytes(10, pb(nil).varint(1, 1)), "wire type"},
		{"value_type wire type", minimalMsg().bytes(10, pb(nil).str(1, "f").bytes(2, nil)), "wire type"},
		{"double wire type", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 3).varint(7, 1)), "wire type"},
		{"int wire type", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 2).fixed64(6, 1)), "wire type"},
		{"packed doubles not 8n", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 3).bytes(7, make([]byte, 9))), "multiple of 8"},
		{"packed ints truncated", minimalMsg().bytes(10, pb(nil).str(1, "f").varint(2, 2).bytes(6, []byte{0x80})), "packed"},
		{"group wire type", append(minimalMsg(), 0x0b), "wire type 3"},
		{"cut encoder output", validMsg[:len(validMsg)-1], "metlog: heka message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeHekaMessage(c.msg)
			if err == nil {
				t.Fatalf("decoded %v", dumpMessage(m))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestDecodeHekaRecordErrors(t *testing.T) {
	msg := minimalMsg()
	good := record(msg)
	if _, _, err := DecodeHekaRecord(good, nil); err != nil {
		t.Fatalf("test bug: %v", err)
	}
	mod := func(f func(r []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string][]byte{
		"empty":                  nil,
		"too short":              {0x1e, 0x02},
		"bad separator":          mod(func(r []byte) []byte { r[0] = 0x1d; return r }),
		"bad unit separator":     mod(func(r []byte) []byte { r[4] = 0x00; return r }),
		"header length too long": mod(func(r []byte) []byte { r[1] = 200; return r }),
		"extra byte":             append(bytes.Clone(good), 0),
		"missing byte":           good[:len(good)-1],
		"second record appended": append(bytes.Clone(good), good...),
		"header unknown tag":     append([]byte{0x1e, 0x04, 0x08, byte(len(msg)), 0x10, 0x01, 0x1f}, msg...),
		"header without length":  append([]byte{0x1e, 0x02, 0x28, 0x01, 0x1f}, msg...),
		"header hash 2":          append([]byte{0x1e, 0x04, 0x08, byte(len(msg)), 0x18, 0x02, 0x1f}, msg...),
		"header length > uint32": append([]byte{0x1e, 0x06, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1f}, msg...),
		"header truncated":       append([]byte{0x1e, 0x03, 0x08, byte(len(msg)), 0x22, 0x1f}, msg...),
		"header wire type":       append([]byte{0x1e, 0x04, 0x08, byte(len(msg)), 0x20, 0x00, 0x1f}, msg...),
	}
	for name, rec := range cases {
		if m, _, err := DecodeHekaRecord(rec, nil); err == nil {
			t.Errorf("%s: decoded %+v", name, m)
		}
	}
}

func TestDecodeHekaHeader(t *testing.T) {
	h, err := decodeHekaHeader([]byte{0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x18, 0x01, 0x22, 0x01, 'x', 0x28, 0x09, 0x32, 0x02, 0xaa, 0xbb})
	if err != nil {
		t.Fatal(err)
	}
	if h.MessageLength != math.MaxUint32 || h.HashFunction != HashSHA1 || h.Signer != "x" || h.KeyVersion != 9 || !bytes.Equal(h.HMAC, []byte{0xaa, 0xbb}) {
		t.Fatalf("header %+v", h)
	}
	if _, err := decodeHekaHeader(nil); err == nil {
		t.Fatal("empty header decoded")
	}
}

func TestDecodeHekaCopiesInput(t *testing.T) {
	m := &Message{UUID: testUUID, Timestamp: testTime, Type: "type", Logger: "logger", Payload: "payload", Hostname: "host",
		Fields: []Field{String("s", "string"), Bytes("b", []byte("bytes")), Strings("ss", []string{"a", "b"}),
			ByteSlices("bs", [][]byte{[]byte("c"), []byte("d")}), Int("i", 1).WithRepresentation("rep")}}
	buf := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()), m)
	got, _, err := DecodeHekaRecord(buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := dumpMessage(got)
	for i := range buf {
		buf[i] = 'X'
	}
	if d := lineDiff(before, dumpMessage(got)); d != "" {
		t.Fatalf("decoded message changed with its input buffer:\n%s", d)
	}
}

func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want *Message
	}{
		{"empty object: zero values, severity Info", `{}`, &Message{Severity: Info}},
		{"nulls are absent", `{"type":null,"severity":null,"fields":null,"timestamp":null,"metlog_pid":null}`, &Message{Severity: Info}},
		{"unknown keys ignored", `{"type":"t","uuid":"x","extra":{"a":[1]}}`, &Message{Type: "t", Severity: Info}},
		{"trailing newline and spaces", " {\"type\" : \"t\" }\r\n", &Message{Type: "t", Severity: Info}},
		{"envelope", `{"type":"t","timestamp":"2023-11-14T22:13:20.123456Z","logger":"l","severity":3,"payload":"p","fields":{},` +
			`"env_version":"0.8","metlog_pid":-7,"metlog_hostname":"h"}` + "\n",
			&Message{Type: "t", Timestamp: time.Unix(1700000000, 123456000), Logger: "l", Severity: Error, Payload: "p",
				EnvVersion: "0.8", Pid: -7, Hostname: "h"}},
		{"timestamp without fraction", `{"timestamp":"2023-11-14T22:13:20Z"}`, &Message{Severity: Info, Timestamp: time.Unix(1700000000, 0)}},
		{"timestamp nanoseconds", `{"timestamp":"2023-11-14T22:13:20.123456789Z"}`, &Message{Severity: Info, Timestamp: testTime}},
		{"timestamp offset", `{"timestamp":"2023-11-15T00:13:20.5+02:00"}`, &Message{Severity: Info, Timestamp: time.Unix(1700000000, 5e8)}},
		{"timestamp without zone (isoformat)", `{"timestamp":"2023-11-14T22:13:20.123456"}`, &Message{Severity: Info, Timestamp: time.Unix(1700000000, 123456000)}},
		{"escapes", `{"payload":"a\u0000\n\"\\\u00e9\ud83d\ude00"}`, &Message{Severity: Info, Payload: "a\x00\n\"\\é😀"}},
		{"fields", `{"fields":{"s":"v","i":-3,"big":9223372036854775808,"huge":18446744073709551616,"f":1.0,"e":1e3,` +
			`"t":true,"n":null,"g":{"a":{"b":[]}},"ss":["x"],"is":[1,2],"fs":[1,2.5],"bs":[false,true],` +
			`"bigs":[1,18446744073709551615],"mixed":[1,"a"],"nested":[[1]],"objs":[{}],"nulls":[null],"inf":1e400,"infs":[1,1e400],` +
			`"dup":1,"dup":2,"esc\"key":"\t"}}`,
			&Message{Severity: Info, Fields: []Field{
				String("s", "v"), Int("i", -3), Uint64("big", 1<<63), Float("huge", 18446744073709551616), Float("f", 1), Float("e", 1000),
				Bool("t", true), RawJSON("n", []byte("null")), Group("g", Group("a", RawJSON("b", []byte("[]")))),
				Strings("ss", []string{"x"}), Ints("is", []int64{1, 2}), Floats("fs", []float64{1, 2.5}), Bools("bs", []bool{false, true}),
				RawJSON("bigs", []byte("[1,18446744073709551615]")), RawJSON("mixed", []byte(`[1,"a"]`)),
				RawJSON("nested", []byte("[[1]]")), RawJSON("objs", []byte("[{}]")), RawJSON("nulls", []byte("[null]")),
				RawJSON("inf", []byte("1e400")), RawJSON("infs", []byte("[1,1e400]")),
				Int("dup", 1), Int("dup", 2), String("esc\"key", "\t"),
			}}},
		{"raw JSON keeps escapes valid", `{"fields":{"r":[{"k\u0001":"\u001f\"é"}]}}`,
			&Message{Severity: Info, Fields: []Field{RawJSON("r", []byte(`[{"k\u0001":"\u001f\"é"}]`))}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeJSON([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			checkMessage(t, c.name, c.want, got)
		})
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	cases := map[string]string{
		"empty":                  "",
		"not an object":          `[1]`,
		"string":                 `"x"`,
		"invalid":                `{"type":}`,
		"trailing garbage":       `{} x`,
		"two objects":            "{}\n{}",
		"bare NaN":               `{"fields":{"x":NaN}}`,
		"bare Inf":               `{"fields":{"x":-Inf}}`,
		"leading plus":           `{"fields":{"x":+1}}`,
		"control char in string": "{\"payload\":\"a\x01\"}",
		"type not string":        `{"type":1}`,
		"severity string":        `{"severity":"info"}`,
		"severity float":         `{"severity":6.0}`,
		"severity 8":             `{"severity":8}`,
		"severity -1":            `{"severity":-1}`,
		"pid too large":          `{"metlog_pid":2147483648}`,
		"pid float":              `{"metlog_pid":1.5}`,
		"timestamp number":       `{"timestamp":1700000000}`,
		"timestamp bad":          `{"timestamp":"yesterday"}`,
		"fields array":           `{"fields":[]}`,
		"deep nesting":           `{"fields":{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`,
	}
	for name, in := range cases {
		if m, err := DecodeJSON([]byte(in)); err == nil {
			t.Errorf("%s: decoded %s", name, dumpMessage(m))
		}
	}
}

func TestDecodeJSONCopiesInput(t *testing.T) {
	buf := []byte(`{"type":"t","logger":"l","payload":"p","metlog_hostname":"h","env_version":"v",` +
		`"fields":{"s":"v","ss":["a","b"],"g":{"x":"y"},"r":[1,"z"]}}`)
	got, err := DecodeJSON(buf)
	if err != nil {
		t.Fatal(err)
	}
	before := dumpMessage(got)
	for i := range buf {
		buf[i] = 'X'
	}
	if d := lineDiff(before, dumpMessage(got)); d != "" {
		t.Fatalf("decoded message changed with its input buffer:\n%s", d)
	}
}
