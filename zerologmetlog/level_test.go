package zerologmetlog

import (
	"strconv"
	"testing"
)

func TestParseLevelNumbers(t *testing.T) {
	for _, n := range []int{-128, -5, 0, 6, 127} {
		if l, ok := parseLevel(strconv.Itoa(n)); !ok || int(l) != n {
			t.Errorf("parseLevel(%d) = %d, %v", n, l, ok)
		}
	}
	for _, s := range []string{"128", "-129", "", "1.0", "x"} {
		if _, ok := parseLevel(s); ok {
			t.Errorf("parseLevel(%q) succeeded", s)
		}
	}
}
