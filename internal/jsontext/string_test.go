package jsontext

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestSafeRunExact: safeRun finds exactly the first byte that needs
// escaping (a control character, '"', '\\' or a non-ASCII byte) at every
// position, whatever safe bytes surround it, including those next to the
// flag thresholds, where a word-at-a-time test can misfire.
func TestSafeRunExact(t *testing.T) {
	ref := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				return i
			}
		}
		return len(s)
	}
	specials := []byte{0x00, 0x01, 0x1f, '"', '\\', 0x80, 0xc3, 0xff}
	fillers := []byte{' ', '!', '#', '[', ']', 'a', 0x7f, '0'}
	for n := 0; n <= 40; n++ {
		for _, fill := range fillers {
			b := bytes.Repeat([]byte{fill}, n)
			if got := safeRun(string(b)); got != n {
				t.Fatalf("%q: safeRun = %d, want %d", b, got, n)
			}
			for p := 0; p < n; p++ {
				for _, sp := range specials {
					b := bytes.Repeat([]byte{fill}, n)
					b[p] = sp
					if p+1 < n {
						b[p+1] = specials[(p+n)%len(specials)] // a second one just above
					}
					if got, want := safeRun(string(b)), ref(string(b)); got != want {
						t.Fatalf("%q: safeRun = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		b := make([]byte, r.IntN(24))
		for j := range b {
			b[j] = byte(0x1c + r.IntN(0x66)) // mostly safe, around the thresholds
			if r.IntN(20) == 0 {
				b[j] = byte(r.IntN(256))
			}
		}
		if got, want := safeRun(string(b)), ref(string(b)); got != want {
			t.Fatalf("%q: safeRun = %d, want %d", b, got, want)
		}
	}
}
