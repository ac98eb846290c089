package logrusmetlog

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestAppendRFC3339Nano(t *testing.T) {
	times := []time.Time{
		{}, time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-1, 999999999), time.Unix(0, 1),
		time.Date(2000, 2, 29, 23, 59, 59, 100000000, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 12, 0, 0, 123, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", -7*3600)),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		times = append(times, time.Unix(r.Int64N(600e9)-300e9, r.Int64N(1e9)))
		times = append(times, time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1000)*1e6))
	}
	for _, tm := range times {
		want := tm.UTC().Format(time.RFC3339Nano)
		if got := string(appendRFC3339Nano(nil, tm)); got != want {
			t.Fatalf("%v: %s, want %s", tm, got, want)
		}
	}
}
