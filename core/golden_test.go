package core

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

// Golden tests pin the exact bytes of a few messages. The expected bytes
// are written by hand from the wire formats the README describes (and Heka's message.proto),
// not captured from the encoder: each line says what it encodes. Varints
// and the HMAC digests were computed independently (protobuf varint rules
// by hand; Python's hmac module for the digests).

// goldenMsg is the small message of the golden records: 60 message bytes.
func goldenMsg() *Message {
	return &Message{
		UUID:      testUUID,
		Timestamp: testTime, // 1700000000123456789 ns
		Type:      "t",
		Logger:    "l",
		Severity:  Info,
		Payload:   "hi",
		Pid:       42,
		Hostname:  "h",
		Fields:    []Field{Int("n", 1)},
	}
}

// goldenMsgHex is goldenMsg's Message protobuf.
const goldenMsgHex = `
	0a 10 00 01 02 03 04 05 46 07 88 09 0a 0b 0c 0d 0e 0f  # 1 uuid: bytes(16)
	10 95 9a 97 ec e3 9f e7 cb 17                          # 2 timestamp: varint 1700000000123456789
	1a 01 74                                               # 3 type "t"
	22 01 6c                                               # 4 logger "l"
	28 06                                                  # 5 severity 6
	32 02 68 69                                            # 6 payload "hi"
	3a 03 30 2e 38                                         # 7 env_version "0.8"
	40 2a                                                  # 8 pid 42
	4a 01 68                                               # 9 hostname "h"
	52 08                                                  # 10 fields: 8 bytes
	   0a 01 6e                                            #   1 name "n"
	   10 02                                               #   2 value_type INTEGER
	   32 01 01                                            #   6 value_integer packed: 1 byte, 1
`

// hexLines decodes hex written with "#" comments.
func hexLines(t *testing.T, s string) []byte {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
	}
	return mustHex(t, b.String())
}

func checkGolden(t *testing.T, name string, want, got []byte) {
	t.Helper()
	if !bytes.Equal(want, got) {
		t.Fatalf("%s: bytes differ\nwant:\n%sgot:\n%s", name, hexDump(want), hexDump(got))
	}
}

func TestGoldenHeka(t *testing.T) {
	msg := hexLines(t, goldenMsgHex)
	if len(msg) != 60 {
		t.Fatalf("test bug: golden message is %d bytes, want 60", len(msg))
	}

	t.Run("unsigned short", func(t *testing.T) {
		// Under 128 message bytes: a one-byte length varint, header 2 bytes.
		want := append(hexLines(t, `
			1e        # record separator
			02        # header length
			08 3c     # header: 1 message_length = 60
			1f        # unit separator
		`), msg...)
		got := mustEncode(t, mustEncoder(t, FormatHeka, EncoderConfig{}), goldenMsg())
		checkGolden(t, "unsigned", want, got)
	})

	t.Run("unsigned 128 to 16383 bytes", func(t *testing.T) {
		// A 200-byte payload makes the message 249 bytes: a two-byte length
		// varint (f9 01), so the header is 3 bytes.
		m := goldenMsg()
		m.Payload = strings.Repeat("a", 200)
		m.Fields = nil
		want := hexLines(t, `
			1e                                                     # record separator
			03                                                     # header length
			08 f9 01                                               # header: message_length = 249
			1f                                                     # unit separator
			0a 10 00 01 02 03 04 05 46 07 88 09 0a 0b 0c 0d 0e 0f  # uuid
			10 95 9a 97 ec e3 9f e7 cb 17                          # timestamp
			1a 01 74                                               # type "t"
			22 01 6c                                               # logger "l"
			28 06                                                  # severity 6
			32 c8 01                                               # payload: 200 bytes (varint c8 01) ...
		`+strings.Repeat("61", 200)+`                                  # ... of "a"
			3a 03 30 2e 38                                         # env_version "0.8"
			40 2a                                                  # pid 42
			4a 01 68                                               # hostname "h"
		`)
		got := mustEncode(t, mustEncoder(t, FormatHeka, EncoderConfig{}), m)
		checkGolden(t, "long", want, got)
	})

	t.Run("signed sha1", func(t *testing.T) {
		cfg := EncoderConfig{HMAC: &HMACConfig{Signer: "ops", KeyVersion: 2, Hash: HashSHA1, Key: "secret"}}
		want := append(hexLines(t, `
			1e                    # record separator
			21                    # header length 33
			08 3c                 # 1 message_length = 60
			18 01                 # 3 hmac_hash_function = SHA1
			22 03 6f 70 73        # 4 hmac_signer "ops"
			28 02                 # 5 hmac_key_version = 2
			32 14                 # 6 hmac: 20 bytes, HMAC-SHA1("secret", message)
			   de192588288c13431963a92faccf70f21cdb916f
			1f                    # unit separator
		`), msg...)
		got := mustEncode(t, mustEncoder(t, FormatHeka, cfg), goldenMsg())
		checkGolden(t, "sha1", want, got)
	})

	t.Run("signed md5", func(t *testing.T) {
		cfg := EncoderConfig{HMAC: &HMACConfig{Signer: "ops", KeyVersion: 2, Hash: HashMD5, Key: "secret"}}
		want := append(hexLines(t, `
			1e                    # record separator
			1b                    # header length 27
			08 3c                 # 1 message_length = 60
			                      # 3 hmac_hash_function: MD5 is the default, not written
			22 03 6f 70 73        # 4 hmac_signer "ops"
			28 02                 # 5 hmac_key_version = 2
			32 10                 # 6 hmac: 16 bytes, HMAC-MD5("secret", message)
			   7af8ce367f3f7bd8b9936aabf49212fc
			1f                    # unit separator
		`), msg...)
		got := mustEncode(t, mustEncoder(t, FormatHeka, cfg), goldenMsg())
		checkGolden(t, "md5", want, got)
	})

	t.Run("field types", func(t *testing.T) {
		m := goldenMsg()
		m.Payload = ""
		m.Fields = []Field{
			String("s", "v"),
			Bytes("b", []byte{1, 2}),
			Float("f", 1.5),
			Bool("t", true),
			Ints("is", []int64{1, -1, 300}).WithRepresentation("ms"),
			Group("g", Int("x", 2)),
			Strings("ss", []string{"a", "b"}),
			Uint64("u", math.MaxUint64),
		}
		msg := hexLines(t, `
			0a 10 00 01 02 03 04 05 46 07 88 09 0a 0b 0c 0d 0e 0f  # uuid
			10 95 9a 97 ec e3 9f e7 cb 17                          # timestamp
			1a 01 74 22 01 6c 28 06                                # type, logger, severity
			                                                       # empty payload: not written
			3a 03 30 2e 38 40 2a 4a 01 68                          # env_version, pid, hostname
			52 06 0a 01 73 22 01 76                                # "s": name, STRING (default, not written), 4 value_string "v"
			52 09 0a 01 62 10 01 2a 02 01 02                       # "b": BYTES, 5 value_bytes 01 02
			52 0f 0a 01 66 10 03 3a 08 00 00 00 00 00 00 f8 3f     # "f": DOUBLE, 7 packed: 8 bytes, 1.5 little-endian
			52 08 0a 01 74 10 04 42 01 01                          # "t": BOOL, 8 packed: 1 byte, true
			52 19 0a 02 69 73 10 02 1a 02 6d 73                    # "is": INTEGER, 3 representation "ms"
			      32 0d 01 ff ff ff ff ff ff ff ff ff 01 ac 02     #   6 packed: 13 bytes: 1, -1 (10 bytes), 300
			52 0a 0a 03 67 2e 78 10 02 32 01 02                    # group "g" flattened: "g.x" INTEGER 2
			52 0a 0a 02 73 73 22 01 61 22 01 62                    # "ss": two value_string, "a" and "b"
			52 19 0a 01 75                                         # "u": above MaxInt64, STRING (not written)
			      22 14 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 35  # "18446744073709551615"
		`)
		if len(msg) != 170 {
			t.Fatalf("test bug: message is %d bytes", len(msg))
		}
		// 170 message bytes: message_length is the two-byte varint aa 01.
		want := append(hexLines(t, `1e 03 08 aa 01 1f`), msg...)
		got := mustEncode(t, mustEncoder(t, FormatHeka, EncoderConfig{}), m)
		checkGolden(t, "fields", want, got)
	})
}

func TestGoldenJSON(t *testing.T) {
	t.Run("small", func(t *testing.T) {
		want := `{"type":"t","timestamp":"2023-11-14T22:13:20.123456Z","logger":"l","severity":6,"payload":"hi",` +
			`"fields":{"n":1},"env_version":"0.8","metlog_pid":42,"metlog_hostname":"h"}` + "\n"
		got := mustEncode(t, mustEncoder(t, FormatJSON, EncoderConfig{}), goldenMsg())
		if string(got) != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})

	t.Run("field types", func(t *testing.T) {
		m := goldenMsg()
		m.Timestamp = time.Date(1999, 12, 31, 23, 59, 59, 999, time.UTC) // 999 ns: fraction .000000
		m.Payload = "tab\there \"q\" \\ \x01 é"
		m.Logger = ""   // the configuration's
		m.Hostname = "" // likewise
		m.Severity = DefaultSeverity
		m.Fields = []Field{
			String("s", "v"),
			Bytes("b", []byte{1, 2}),
			Floats("f", []float64{1, 1.5, 1e21, 1e-7, math.Copysign(0, -1), math.NaN()}),
			Bool("t", true),
			Ints("is", []int64{1, -1, 300}).WithRepresentation("ms"),
			Group("g", Int("x", 2), Group("h")),
			Uint64("u", math.MaxUint64),
			Time("tm", time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.FixedZone("X", 3600))),
			Duration("d", time.Millisecond),
			RawJSON("raw", []byte("{ \"a\" : [1, \"x y\"],\n \"b\": {} }")),
			RawJSON("bad", []byte("{nope")),
		}
		cfg := EncoderConfig{Logger: "cfg", Hostname: "cfg-host", Pid: 7}
		want := `{"type":"t","timestamp":"1999-12-31T23:59:59.000000Z","logger":"cfg","severity":6,` +
			`"payload":"tab\there \"q\" \\ \u0001 é","fields":{` +
			`"s":"v",` +
			`"b":"AQI=",` + // base64
			`"f":[1.0,1.5,1e+21,1e-07,-0.0,"NaN"],` + // floats keep a fraction or exponent
			`"t":true,` +
			`"is":[1,-1,300],` + // no representation in JSON
			`"g":{"x":2,"h":{}},` +
			`"u":18446744073709551615,` +
			`"tm":"2024-01-02T02:04:05.6Z",` + // RFC 3339 in UTC
			`"d":1000000,` +
			`"raw":{"a":[1,"x y"],"b":{}},` + // compacted, string spaces kept
			`"bad":"{nope"` + // not JSON: a string
			`},"env_version":"0.8","metlog_pid":42,"metlog_hostname":"cfg-host"}` + "\n"
		got := mustEncode(t, mustEncoder(t, FormatJSON, cfg), m)
		if string(got) != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
