package zerologmetlog

import (
	"math"
	"math/bits"
	"strconv"
)

type numKind uint8

const (
	numBad numKind = iota
	numInt
	numUint // above math.MaxInt64
	numFloat
)

type number struct {
	kind numKind
	i    int64
	u    uint64
	f    float64
}

// parseNumber reads a JSON number's text without allocating (except for
// text strconv rejects): an integer literal (no fraction, no exponent)
// that fits int64 or uint64 is exact, anything else is a float.
func parseNumber(b []byte) number {
	d, neg := b, false
	if len(d) > 0 && d[0] == '-' {
		d, neg = d[1:], true
	}
	if len(d) > 0 && len(d) <= 20 {
		var x uint64
		ok := true
		for _, c := range d {
			if c < '0' || c > '9' {
				ok = false
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
				return number{kind: numInt, i: int64(x)}
			case !neg:
				return number{kind: numUint, u: x}
			case x <= 1<<63:
				return number{kind: numInt, i: int64(-x)} // wraps to MinInt64 for 1<<63
			}
		}
	}
	f, err := strconv.ParseFloat(b2s(b), 64)
	if err != nil {
		return number{}
	}
	return number{kind: numFloat, f: f}
}
