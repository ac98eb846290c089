package core

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// Splitting Heka streams and datagrams into records, and resynchronising
// after garbage.

// splitRecords returns n distinct encoded records of various sizes.
func splitRecords(t *testing.T, n int) [][]byte {
	t.Helper()
	enc := mustEncoder(t, FormatHeka, fixedConfig())
	recs := make([][]byte, n)
	for i := range recs {
		m := &Message{UUID: testUUID, Timestamp: testTime, Type: fmt.Sprint("rec", i), Payload: strings.Repeat("p", i*37%300)}
		recs[i] = mustEncode(t, enc, m)
	}
	return recs
}

// scanAll runs a bufio.Scanner with a HekaSplitter over r.
func scanAll(t *testing.T, r io.Reader, s *HekaSplitter) [][]byte {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64), s.MaxRecordSize())
	sc.Split(s.Split)
	var out [][]byte
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scanner: %v", err)
	}
	return out
}

func checkRecords(t *testing.T, what string, want, got [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: record %d differs:\nwant\n%sgot\n%s", what, i, hexDump(want[i]), hexDump(got[i]))
		}
		if _, _, err := DecodeHekaRecord(got[i], nil); err != nil {
			t.Fatalf("%s: record %d: %v", what, i, err)
		}
	}
}

func TestHekaSplitter(t *testing.T) {
	recs := splitRecords(t, 6)
	big := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()),
		&Message{UUID: testUUID, Timestamp: testTime, Payload: strings.Repeat("B", DefaultMaxMessageSize-200)})
	fakeHeader := []byte{0x1e, 0x02, 0x08, 0x05, 0x1f} // a valid header claiming 5 message bytes
	cases := []struct {
		name    string
		parts   [][]byte // records and garbage, in stream order
		records [][]byte // expected records
		skipped int
	}{
		{"records only", recs, recs, 0},
		{"largest record", [][]byte{recs[0], big, recs[1]}, [][]byte{recs[0], big, recs[1]}, 0},
		{"garbage before, between, after",
			[][]byte{[]byte("junk"), recs[0], []byte("more junk"), recs[1], recs[2], []byte("tail")},
			recs[:3], 4 + 9 + 4},
		{"0x1e in garbage",
			[][]byte{{0x1e, 0x1e, 'x', 0x1e}, recs[0], {0x1e}, recs[1]},
			recs[:2], 4 + 1},
		{"0x1e with a long header length in garbage before a short record at EOF",
			[][]byte{{0x1e, 0xff}, recs[0]},
			recs[:1], 2},
		{"header without 0x1f",
			[][]byte{{0x1e, 0x02, 0x08, 0x01, 0x00}, recs[0]},
			recs[:1], 5},
		{"header that does not decode",
			[][]byte{{0x1e, 0x02, 0x10, 0x01, 0x1f}, recs[0]},
			recs[:1], 5},
		{"message_length over the limit",
			[][]byte{{0x1e, 0x04, 0x08, 0x81, 0x80, 0x04, 0x1f}, recs[0]}, // 65537
			recs[:1], 7},
		{"a record cut short by the next one",
			// The cut record's header is whole and claims more bytes than
			// precede the next record: as in Heka, the candidate swallows
			// the start of the next record (only decoding can tell), and
			// the rest of that record is garbage.
			[][]byte{recs[3][:20], recs[4]},
			[][]byte{append(bytes.Clone(recs[3][:20]), recs[4][:len(recs[3])-20]...)},
			len(recs[4]) - (len(recs[3]) - 20)},
		{"truncated final record",
			[][]byte{recs[0], recs[1][:len(recs[1])-1]},
			recs[:1], len(recs[1]) - 1},
		{"truncated final header",
			[][]byte{recs[0], recs[1][:3]},
			recs[:1], 3},
		{"lone separator at EOF", [][]byte{recs[0], {0x1e}}, recs[:1], 1},
		{"fake header then record",
			[][]byte{fakeHeader, []byte("abcde"), recs[0]},
			[][]byte{append(append([]byte(nil), fakeHeader...), "abcde"...), recs[0]}, 0},
		{"only garbage", [][]byte{[]byte("no records here\x1e\x03")}, nil, 17},
		{"empty", nil, nil, 0},
	}
	for _, c := range cases {
		stream := bytes.Join(c.parts, nil)
		readers := map[string]func() io.Reader{
			"whole":    func() io.Reader { return bytes.NewReader(stream) },
			"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
			"halves":   func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
		}
		for rn, r := range readers {
			t.Run(c.name+"/"+rn, func(t *testing.T) {
				s := &HekaSplitter{}
				got := scanAll(t, r(), s)
				checkRecordsLoose(t, c.records, got)
				if s.Skipped != uint64(c.skipped) {
					t.Fatalf("Skipped = %d, want %d", s.Skipped, c.skipped)
				}
			})
		}
		t.Run(c.name+"/SplitHekaRecords", func(t *testing.T) {
			got, skipped := SplitHekaRecords(stream, 0)
			checkRecordsLoose(t, c.records, got)
			if skipped != c.skipped {
				t.Fatalf("skipped = %d, want %d", skipped, c.skipped)
			}
		})
	}
}

// checkRecordsLoose compares records byte for byte; records that are not
// encoder output (the fake header case) need not decode.
func checkRecordsLoose(t *testing.T, want, got [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs:\nwant\n%sgot\n%s", i, hexDump(want[i]), hexDump(got[i]))
		}
	}
}

func TestHekaSplitterMaxMessageSize(t *testing.T) {
	recs := splitRecords(t, 3)
	small := recs[0]
	large := mustEncode(t, mustEncoder(t, FormatHeka, fixedConfig()),
		&Message{UUID: testUUID, Timestamp: testTime, Payload: strings.Repeat("L", 500)})
	stream := bytes.Join([][]byte{small, large, recs[1]}, nil)
	s := &HekaSplitter{MaxMessageSize: 400}
	got := scanAll(t, bytes.NewReader(stream), s)
	// The large record's header fails the limit: all its bytes are
	// skipped one 0x1e at a time (its message holds no 0x1e).
	if bytes.Count(large, []byte{0x1e}) != 1 {
		t.Fatalf("test bug: the large record holds another 0x1e")
	}
	checkRecords(t, "max 400", [][]byte{small, recs[1]}, got)
	if s.Skipped != uint64(len(large)) {
		t.Fatalf("Skipped = %d, want %d", s.Skipped, len(large))
	}
	recsOut, skipped := SplitHekaRecords(stream, 400)
	checkRecords(t, "SplitHekaRecords", [][]byte{small, recs[1]}, recsOut)
	if skipped != len(large) {
		t.Fatalf("skipped = %d", skipped)
	}
}

func TestHekaSplitterDirect(t *testing.T) {
	rec := splitRecords(t, 1)[0]
	s := &HekaSplitter{}
	// Every proper prefix of a record asks for more data (not at EOF).
	for n := 0; n < len(rec); n++ {
		adv, tok, err := s.Split(rec[:n], false)
		if adv != 0 || tok != nil || err != nil {
			t.Fatalf("prefix %d: advance %d token %v err %v, want a request for more", n, adv, tok != nil, err)
		}
	}
	// Garbage before a partial record is consumed at once.
	data := append([]byte("xyz"), rec[:5]...)
	if adv, tok, _ := s.Split(data, false); adv != 3 || tok != nil {
		t.Fatalf("garbage: advance %d token %v, want 3 and none", adv, tok != nil)
	}
	if s.Skipped != 3 {
		t.Fatalf("Skipped %d", s.Skipped)
	}
	// A whole record is returned as a slice of data.
	adv, tok, _ := s.Split(append(bytes.Clone(rec), 0x1e), false)
	if adv != len(rec) || !bytes.Equal(tok, rec) {
		t.Fatalf("advance %d, token %d bytes", adv, len(tok))
	}
}
