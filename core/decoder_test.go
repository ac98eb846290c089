package core

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
)

// The reusable Decoder: it decodes as the copying functions do, allocates
// nothing in steady state, and bounds what it keeps.

func decoderSample() *Message {
	return &Message{UUID: testUUID, Timestamp: testTime, Type: "t", Logger: "l", Severity: Warning, Payload: "p",
		Hostname: "h", Pid: 42,
		Fields: []Field{String("s", "v"), Ints("i", []int64{1, -1}), Floats("f", []float64{1.5}), Bools("b", []bool{true, false}),
			Bytes("y", []byte{0x1e}), Int("n", 7).WithRepresentation("ms"), Strings("ss", []string{"a", "b", "c"}),
			Group("http", Int("status", 200), String("method", "GET"))}}
}

func TestDecoderMatchesDecodeHekaRecord(t *testing.T) {
	signed := fixedConfig()
	signed.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashSHA1, Key: "key1"}
	for name, cfg := range map[string]EncoderConfig{"unsigned": fixedConfig(), "signed": signed} {
		rec := mustEncode(t, mustEncoder(t, FormatHeka, cfg), decoderSample())
		want, wantHdr, err := DecodeHekaRecord(rec, fuzzKeys)
		if err != nil {
			t.Fatal(err)
		}
		var d Decoder
		for i := range 3 { // reused memory gives the same result every time
			got, hdr, err := d.DecodeHeka(rec, fuzzKeys)
			if err != nil {
				t.Fatalf("%s #%d: %v", name, i, err)
			}
			checkMessage(t, name, want, got)
			if fmt.Sprint(hdr) != fmt.Sprint(wantHdr) {
				t.Fatalf("%s: header %+v, want %+v", name, hdr, wantHdr)
			}
		}
	}
}

func TestDecoderErrors(t *testing.T) {
	rec := mustEncode(t, mustEncoder(t, FormatHeka, EncoderConfig{HMAC: &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashMD5, Key: "key1"}}), decoderSample())
	var d Decoder
	if _, _, err := d.DecodeHeka(rec, func(string, uint32) (string, bool) { return "other", true }); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, _, err := d.DecodeHeka(rec, func(string, uint32) (string, bool) { return "", false }); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, _, err := d.DecodeHeka(rec, fuzzKeys); err != nil {
		t.Fatalf("right key after wrong ones: %v", err)
	}
	// The same failures, with the same text, as the copying functions.
	bad := [][]byte{nil, rec[:len(rec)-1], append(rec[:len(rec):len(rec)], 0), record(pb(minimalMsg()).str(10, "\x0a")),
		record(pb(minimalMsg()).varint(5, 9)), record(pb(nil).bytes(1, testUUID[:]))}
	for i, b := range bad {
		_, _, want := DecodeHekaRecord(b, nil)
		_, _, got := d.DecodeHeka(b, nil)
		if want == nil || got == nil || got.Error() != want.Error() {
			t.Errorf("#%d: Decoder error %v, DecodeHekaRecord error %v", i, got, want)
		}
	}
}

// TestDecoderManyKeys verifies with more keys than the decoder keeps
// hashes for, so that replaced entries are exercised.
func TestDecoderManyKeys(t *testing.T) {
	keys := func(signer string, v uint32) (string, bool) { return "key-" + strconv.Itoa(int(v)), true }
	var recs [][]byte
	for v := range 2*maxKeyedHashes + 3 {
		cfg := fixedConfig()
		cfg.HMAC = &HMACConfig{Signer: "ops", KeyVersion: uint32(v), Hash: HashFunction(v % 2), Key: "key-" + strconv.Itoa(v)}
		recs = append(recs, mustEncode(t, mustEncoder(t, FormatHeka, cfg), decoderSample()))
	}
	var d Decoder
	for round := range 3 {
		for i, rec := range recs {
			if _, _, err := d.DecodeHeka(rec, keys); err != nil {
				t.Fatalf("round %d, key %d: %v", round, i, err)
			}
		}
	}
	if len(d.macs) > maxKeyedHashes {
		t.Fatalf("decoder keeps %d hashes, limit %d", len(d.macs), maxKeyedHashes)
	}
}

func TestDecoderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race")
	}
	signed := fixedConfig()
	signed.HMAC = &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashSHA1, Key: "key1"}
	for name, cfg := range map[string]EncoderConfig{"unsigned": fixedConfig(), "signed": signed} {
		rec := mustEncode(t, mustEncoder(t, FormatHeka, cfg), decoderSample())
		keys := func(string, uint32) (string, bool) { return "key1", true }
		var d Decoder
		d.DecodeHeka(rec, keys) // warm up
		if n := testing.AllocsPerRun(100, func() {
			if _, _, err := d.DecodeHeka(rec, keys); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations per record, want 0", name, n)
		}
	}
}

// TestDecoderDropsHugeScratch: after a message with very many fields the
// decoder does not keep their memory.
func TestDecoderDropsHugeScratch(t *testing.T) {
	fields := make([]Field, 3000)
	for i := range fields {
		fields[i] = Ints("n", []int64{1, 2})
	}
	huge := mustEncode(t, mustEncoder(t, FormatHeka, EncoderConfig{MaxSize: 1 << 20}), &Message{UUID: testUUID, Timestamp: testTime, Fields: fields})
	small := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()), decoderSample())
	var d Decoder
	m, _, err := d.DecodeHeka(huge, nil)
	if err != nil || len(m.Fields) != len(fields) {
		t.Fatalf("huge: %v, %d fields", err, len(m.Fields))
	}
	if _, _, err := d.DecodeHeka(small, nil); err != nil {
		t.Fatal(err)
	}
	if cap(d.fields) > maxPooledFields || cap(d.ints) > maxPooledValues {
		t.Fatalf("kept %d fields and %d ints of scratch", cap(d.fields), cap(d.ints))
	}
}

// TestHekaSplitterOversize: a header claiming more than the limit (here
// 4 GiB - 1) is skipped and counted, and the record after it is found.
func TestHekaSplitterOversize(t *testing.T) {
	good := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()), decoderSample())
	huge := []byte{RecordSeparator, 6, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, UnitSeparator, 'x', 'y'}
	stream := append(append(append([]byte(nil), huge...), good...), huge...)
	s := &HekaSplitter{}
	var recs int
	for data := stream; len(data) > 0; {
		adv, tok, _ := s.Split(data, true)
		if tok != nil {
			recs++
		}
		data = data[adv:]
	}
	if recs != 1 || s.Oversize != 2 || s.Skipped != uint64(2*len(huge)) {
		t.Fatalf("%d records, %d oversize, %d bytes skipped; want 1, 2, %d", recs, s.Oversize, s.Skipped, 2*len(huge))
	}
}
