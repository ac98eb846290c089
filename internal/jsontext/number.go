package jsontext

import (
	"math"
	"math/bits"
	"strconv"
	"unsafe"
)

// AppendFloat appends v as a JSON number, always with a fraction or an
// exponent (1.0, not 1) so that readers keep it a float, as Python's json
// module writes it. NaN and ±Inf are not JSON numbers: they are written as
// the strings "NaN", "+Inf" and "-Inf".
func AppendFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(v, -1):
		return append(dst, `"-Inf"`...)
	}
	start := len(dst)
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		dst = strconv.AppendFloat(dst, v, 'e', -1, 64)
	} else {
		dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	}
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// NumberKind is what ParseNumber found.
type NumberKind uint8

// Number kinds.
const (
	NumInvalid NumberKind = iota // not a number strconv reads, or beyond float64's range
	NumInt                       // an integer literal that fits int64: Int
	NumUint                      // an integer literal above math.MaxInt64 that fits uint64: Uint
	NumFloat                     // any other number: Float
)

// Number is a parsed JSON number.
type Number struct {
	Kind  NumberKind
	Int   int64
	Uint  uint64
	Float float64
	// IntLiteral reports an integer literal (no fraction, no exponent),
	// also one beyond uint64, whose Float is then rounded.
	IntLiteral bool
}

// ParseNumber reads a JSON number's text without allocating (except for
// text strconv rejects). An integer literal (no fraction, no exponent) is
// exact when it fits int64 or uint64; anything else is a float.
func ParseNumber(b []byte) Number {
	d, neg := b, false
	if len(d) > 0 && d[0] == '-' {
		d, neg = d[1:], true
	}
	digits := len(d) > 0
	if digits && len(d) <= 20 {
		var x uint64
		ok := true
		for _, c := range d {
			if c < '0' || c > '9' {
				ok, digits = false, false
				break
			}
			hi, lo := bits.Mul64(x, 10)
			lo2, carry := bits.Add64(lo, uint64(c-'0'), 0)
			if hi != 0 || carry != 0 {
				ok = false
				break
			}
			x = lo2
		}
		if ok {
			switch {
			case !neg && x <= math.MaxInt64:
				return Number{Kind: NumInt, Int: int64(x), IntLiteral: true}
			case !neg:
				return Number{Kind: NumUint, Uint: x, IntLiteral: true}
			case x <= 1<<63:
				return Number{Kind: NumInt, Int: int64(-x), IntLiteral: true} // wraps to MinInt64 for 1<<63
			}
		}
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		return Number{}
	}
	return Number{Kind: NumFloat, Float: f, IntLiteral: digits && allDigits(d)}
}

func allDigits(d []byte) bool {
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
