package jsontext

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestMetlogTimeCache writes times in varying seconds through one cache
// (whose per-second text must follow) and checks each against time.Format.
func TestMetlogTimeCache(t *testing.T) {
	var c TimeCache
	times := []time.Time{
		time.Date(2026, 11, 23, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 24, 0, 0, 0, 1000, time.UTC),
		time.Date(2026, 11, 24, 0, 0, 0, 999, time.UTC), // sub-microsecond truncates
		time.Date(2024, 2, 29, 12, 30, 45, 123456000, time.FixedZone("x", 3600)),
		time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC),     // near the int64 nanosecond limit
		time.Date(2026, 11, 23, 23, 59, 59, 1000, time.UTC), // back to the first second
	}
	for _, tm := range times {
		got := string(c.AppendMetlogTime(nil, tm.UnixNano()))
		want := tm.UTC().Format("2006-01-02T15:04:05.000000")
		if got != want {
			t.Errorf("%v: got %q, want %q", tm, got, want)
		}
		if got := string(AppendMetlogTime(nil, tm.UnixNano())); got != want {
			t.Errorf("AppendMetlogTime %v: got %q, want %q", tm, got, want)
		}
	}
}

// TestCivilDate checks the calendar arithmetic against the time package
// over four centuries of days, both ways.
func TestCivilDate(t *testing.T) {
	for days := int64(-800 * 365); days < 800*365; days += 37 {
		y, m, d := civilDate(days)
		want := time.Unix(days*86400, 0).UTC()
		if int(y) != want.Year() || time.Month(m) != want.Month() || int(d) != want.Day() {
			t.Fatalf("day %d: got %d-%d-%d, want %v", days, y, m, d, want)
		}
		if back := daysSinceEpoch(int(y), int(m), int(d)); back != days {
			t.Fatalf("day %d: %d-%d-%d converts back to %d", days, y, m, d, back)
		}
	}
}

// TestAppendRFC3339 compares AppendRFC3339 and AppendTime with
// time.RFC3339Nano in UTC, for every year.
func TestAppendRFC3339(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	times := []time.Time{{}, time.Date(-5, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 10, time.UTC)}
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)))
	}
	for _, tm := range times {
		want := tm.UTC().Format(time.RFC3339Nano)
		if got := string(AppendRFC3339(nil, tm.Unix(), tm.Nanosecond())); got != want {
			t.Fatalf("%v: got %q, want %q", tm, got, want)
		}
		if got := string(AppendTime(nil, tm)); got != want {
			t.Fatalf("AppendTime %v: got %q, want %q", tm, got, want)
		}
	}
}

// TestParseRFC3339 compares ParseRFC3339 with time.Parse.
func TestParseRFC3339(t *testing.T) {
	inputs := []string{
		"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.1Z", "2024-05-06T07:08:09.123456789Z",
		"2024-05-06T07:08:09.1234567891Z", "2024-05-06T07:08:09+05:30", "2024-05-06T07:08:09.5-07:00",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T23:59:59Z",
		"2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
		"2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00",
		"2024-01-01T00:00:00.Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0100",
		"2024-01-01T00:00:00ZZ", "24-01-01T00:00:00Z", "2024-01-01T00:00:0xZ", "0001-01-01T00:00:00Z",
		"0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z", "0000-03-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
	}
	for _, in := range inputs {
		want, err := time.Parse(time.RFC3339Nano, in)
		got, ok := ParseRFC3339(in)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Errorf("ParseRFC3339(%q) = %v, %v; time.Parse: %v, %v", in, got, ok, want, err)
		}
	}
	// And on what zerolog writes for random times in several zones.
	r := rand.New(rand.NewPCG(3, 4))
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -(9*3600 + 30*60))}
	for i := 0; i < 1000; i++ {
		at := time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9)).In(zones[i%len(zones)])
		for _, layout := range []string{time.RFC3339, time.RFC3339Nano} {
			s := at.Format(layout)
			want, _ := time.Parse(layout, s)
			if got, ok := ParseRFC3339(s); !ok || !got.Equal(want) {
				t.Errorf("ParseRFC3339(%q) = %v, %v; want %v", s, got, ok, want)
			}
		}
	}
}

// TestParseDateTimeNoZone: a date-time without a zone is UTC, as
// time.ParseInLocation reads it.
func TestParseDateTimeNoZone(t *testing.T) {
	for _, in := range []string{"2023-11-14T22:13:20", "2023-11-14T22:13:20.123456", "0000-01-01T00:00:00.000000001", "2023-11-14T22:13:20.", "2023-11-14T22:13:2"} {
		want, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", in, time.UTC)
		got, zone, ok := ParseDateTime(in)
		if ok != (err == nil) || zone || ok && !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v, %v; time.ParseInLocation: %v, %v", in, got, zone, ok, want, err)
		}
	}
}

// FuzzParseDateTime: whatever time.Parse reads as RFC 3339, or
// time.ParseInLocation as a date-time without a zone, with two-digit
// hours, ParseDateTime reads as the same instant; what it reads beyond
// those differs from them only in the case of 'T' and 'Z'.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.123456789+05:30", "2023-11-14T22:13:20.5",
		"2024-02-29t00:00:00z", "0000-01-01T00:00:00,5-23:59", "2024-01-01T00:00:00.1234567891Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) < 19 || s[13] != ':' || s[16] != ':' {
			return // the time package's layouts also read one-digit hours
		}
		got, zone, ok := ParseDateTime(s)
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			want, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
		}
		if err == nil {
			if !ok || !got.Equal(want) {
				t.Fatalf("ParseDateTime(%q) = %v, %v; time package: %v", s, got, ok, want)
			}
			return
		}
		if ok {
			if len(s) < 11 || (s[10] != 't' && !(zone && s[len(s)-1] == 'z')) {
				t.Fatalf("ParseDateTime(%q) = %v, but the time package rejects it: %v", s, got, err)
			}
		}
	})
}
