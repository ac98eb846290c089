package core

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// hostileEnvelopes returns envelopes whose fields take shapes that cost
// a decoder most per input byte, each about size bytes.
func hostileEnvelopes(size int) []struct{ name, in string } {
	env := func(fields string) string { return `{"type":"t","payload":"p","fields":` + fields + `}` }
	rep := func(open, elem, sep, close string) string {
		n := (size - len(open) - len(close)) / (len(elem) + len(sep))
		return open + strings.Repeat(elem+sep, n-1) + elem + close
	}
	deep := strings.Repeat(`{"a":`, 290) + "1" + strings.Repeat("}", 290)
	return []struct{ name, in string }{
		{"ints", env(`{"a":` + rep("[", "1", ",", "]") + `}`)},
		{"floats", env(`{"a":` + rep("[", "1.5", ",", "]") + `}`)},
		{"bools", env(`{"a":` + rep("[", "true", ",", "]") + `}`)},
		{"small strings", env(`{"a":` + rep("[", `"a"`, ",", "]") + `}`)},
		{"small members", env(rep("{", `"":0`, ",", "}"))},
		{"small groups", env(rep("{", `"":{"":0}`, ",", "}"))},
		{"nested arrays", env(`{"a":` + rep("[", `[0]`, ",", "]") + `}`)},
		{"invalid UTF-8 in raw JSON", env(`{"a":` + rep("[", "[\"\xff\xff\xff\xff\xff\xff\xff\xff\"]", ",", "]") + `}`)},
		{"deep nesting", env(`{"d":` + strings.Repeat(deep+`,"d":`, max(1, size/len(deep))) + `1}`)},
	}
}

// TestDecodeJSONAllocBound measures the bytes a JSONDecoder allocates per
// input byte on hostile shapes of about 2 MiB (a 1M-element int array and
// others, under a raised limit), once its parser pool is warm, and checks
// they stay within a bound. A cold decoder (no parser in its pool) also
// pays for fastjson's tree, 80 bytes per JSON value in a slice that append
// grows by a quarter at a time (so some 400 bytes allocated per value):
// up to about 225 bytes per input byte for input as dense in values as
// "1,1,1", checked with a bound of its own.
func TestDecodeJSONAllocBound(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector; run without -race")
	}
	const size = 2 << 20
	const warmBound, coldBound = 16, 240
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // see below; set once: a change empties sync.Pools
	for _, sh := range hostileEnvelopes(size) {
		in := []byte(sh.in)
		d := &JSONDecoder{MaxSize: 4 << 20}
		cold := allocPerByte(t, d, in, 1)
		// Without collections, and on one P (a parser put back in one
		// P's private slot is not seen from another), the pool hands
		// back its parser: the warm figure depends neither on when the
		// collector runs nor on where the goroutine runs.
		gc := debug.SetGCPercent(-1)
		allocPerByte(t, d, in, 1) // fastjson's tree settles in its second parse
		warm := allocPerByte(t, d, in, 3)
		debug.SetGCPercent(gc)
		runtime.GC()
		t.Logf("%-26s %8d bytes: %6.1f B/B allocated warm, %6.1f cold", sh.name, len(in), warm, cold)
		if warm > warmBound {
			t.Errorf("%s: %.1f bytes allocated per input byte with a warm parser pool, want <= %d", sh.name, warm, warmBound)
		}
		if cold > coldBound {
			t.Errorf("%s: %.1f bytes allocated per input byte with a cold decoder, want <= %d", sh.name, cold, coldBound)
		}
	}
}

// allocPerByte returns the bytes allocated per input byte by each of n
// calls of d.Decode(in).
func allocPerByte(t *testing.T, d *JSONDecoder, in []byte, n int) float64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		m, err := d.Decode(in)
		if err != nil || len(m.Fields) == 0 {
			t.Fatalf("%.60q: %v", in, err)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n) / float64(len(in))
}

// TestDecodeJSONSizeLimit: input over the limit is refused before it is
// parsed, with an error wrapping ErrOversize; the trailing newline does
// not count; a JSONDecoder sets its own limit.
func TestDecodeJSONSizeLimit(t *testing.T) {
	env := func(n int) []byte {
		pad := n - len(`{"payload":""}`)
		return []byte(`{"payload":"` + strings.Repeat("x", pad) + `"}`)
	}
	if _, err := DecodeJSON(append(env(DefaultMaxMessageSize), "\r\n"...)); err != nil {
		t.Fatalf("an envelope of exactly the limit: %v", err)
	}
	_, err := DecodeJSON(env(DefaultMaxMessageSize + 1))
	if !errors.Is(err, ErrOversize) || !strings.Contains(err.Error(), fmt.Sprint(DefaultMaxMessageSize+1)) {
		t.Fatalf("over the limit: %v, want an error wrapping ErrOversize that gives the size", err)
	}
	if _, err := DecodeJSON([]byte("{" + strings.Repeat(" ", DefaultMaxMessageSize))); !errors.Is(err, ErrOversize) {
		t.Fatalf("invalid input over the limit: %v, want ErrOversize (refused before parsing)", err)
	}
	d := &JSONDecoder{MaxSize: 100}
	if _, err := d.Decode(env(100)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decode(env(101)); !errors.Is(err, ErrOversize) {
		t.Fatalf("JSONDecoder{MaxSize: 100} on 101 bytes: %v", err)
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	enc, err := NewEncoder(FormatJSON, EncoderConfig{})
	if err != nil {
		b.Fatal(err)
	}
	typical, err := enc.AppendMessage(nil, &Message{Type: "t", Payload: "benchmark message", Fields: benchFields()})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, in string }{{"10fields", string(typical)}}
	for _, sh := range hostileEnvelopes(60 << 10) {
		cases = append(cases, struct{ name, in string }{"hostile-64KiB-" + strings.ReplaceAll(sh.name, " ", "-"), sh.in})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			in := []byte(c.in)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeJSON(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeJSONOwnsMemory: a decoded message refers to nothing of the
// parser, whose memory the next calls reuse, nor of its input.
func TestDecodeJSONOwnsMemory(t *testing.T) {
	d := &JSONDecoder{}
	in := []byte(`{"type":"t","logger":"l","payload":"p\n","metlog_hostname":"h","env_version":"v","fields":{"s":"v\u00e9",` +
		`"ss":["a","b\t"],"g":{"x":"y","n":1e400},"r":[1,"z\u0001"],"k\"":null,"deep":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}}`)
	m, err := d.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	before := dumpMessage(m)
	for i := range 20 {
		other := strings.Repeat("X", i+1)
		if _, err := d.Decode([]byte(`{"type":"` + other + `","payload":"` + other + `","fields":{"` + other + `":["` + other + `"],"r":[1,"` + other + `"]}}`)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range in {
		in[i] = 'X'
	}
	if diff := lineDiff(before, dumpMessage(m)); diff != "" {
		t.Fatalf("decoded message changed with later decoding:\n%s", diff)
	}
}
