package jsontext

import (
	"encoding/base64"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for ASCII bytes that need no escaping in a JSON string.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Control characters are escaped
// and invalid UTF-8 bytes are replaced by U+FFFD (written \ufffd), so the
// result is always valid JSON holding valid UTF-8.
func AppendString(dst []byte, s string) []byte {
	i := safeRun(s)
	if i == len(s) { // the common case: nothing to escape
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendStringEscaped(dst, s, i)
}

// appendStringEscaped writes s as a JSON string whose first i bytes need
// no escaping.
func appendStringEscaped(dst []byte, s string, i int) []byte {
	dst = append(dst, '"')
	dst = append(dst, s[:i]...)
	start := i
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendBase64 appends v as a JSON string holding its standard base64
// encoding (with padding), as the JSON envelope writes bytes.
func AppendBase64(dst, v []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, v)
	return append(dst, '"')
}

// safeRun returns the length of s's leading run of bytes that need no
// escaping: it tests eight bytes at a time (a string shorter than eight, a
// byte at a time), and in the first word holding one that needs attention
// finds it from the word's flag bits.
func safeRun(s string) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	// A byte is flagged when it is below 0x20, is '"' or '\\', or is not
	// ASCII (high bit set). A borrow can flag a byte above a flagged one
	// too, never below it: the lowest flag is exact.
	flags := func(x uint64) uint64 {
		q := x ^ (lo * '"')
		bs := x ^ (lo * '\\')
		return ((x - lo*0x20) | (q - lo) | (bs - lo) | x) & hi
	}
	if len(b) < 8 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf && jsonSafe[b[i]] {
			i++
		}
		return i
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := flags(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i < len(b) {
		// The last 8 bytes, overlapping the safe ones before i, which
		// cannot be flagged: the lowest flag is still the first byte.
		i = len(b) - 8
		if m := flags(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	return len(b)
}
