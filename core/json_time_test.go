package core

import (
	"testing"
	"time"
)

// TestJSONTimestampCache encodes times in varying seconds through one
// encoder (whose per-second text cache must follow) and checks each
// against time.Format.
func TestJSONTimestampCache(t *testing.T) {
	e := mustEncoder(t, FormatJSON, EncoderConfig{})
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
		got := string(e.json.appendTime(nil, tm.UnixNano()))
		want := tm.UTC().Format("2006-01-02T15:04:05.000000")
		if got != want {
			t.Errorf("%v: got %q, want %q", tm, got, want)
		}
		if got := string(appendMetlogTime(nil, tm.UnixNano())); got != want {
			t.Errorf("appendMetlogTime %v: got %q, want %q", tm, got, want)
		}
	}
}

// TestCivilDate checks the calendar arithmetic against the time package
// over four centuries of days.
func TestCivilDate(t *testing.T) {
	for days := int64(-800 * 365); days < 800*365; days += 37 {
		y, m, d := civilDate(days)
		want := time.Unix(days*86400, 0).UTC()
		if int(y) != want.Year() || time.Month(m) != want.Month() || int(d) != want.Day() {
			t.Fatalf("day %d: got %d-%d-%d, want %v", days, y, m, d, want)
		}
	}
}

// TestTimestampClamped: times int64 nanoseconds cannot hold are clamped,
// never wrapped around into another century.
func TestTimestampClamped(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		enc := mustEncoder(t, f, EncoderConfig{})
		for _, tc := range []struct {
			in   time.Time
			year int
		}{
			{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 2262},
			{time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), 1677},
		} {
			frame := mustEncode(t, enc, &Message{Timestamp: tc.in, Type: "t"})
			var m *Message
			var err error
			if f == FormatHeka {
				m, _, err = DecodeHekaRecord(frame, nil)
			} else {
				m, err = DecodeJSON(frame)
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Timestamp.Year() != tc.year {
				t.Errorf("%v: %v encoded as %v, want clamped to %d", f, tc.in, m.Timestamp, tc.year)
			}
		}
	}
}

// TestTimeFieldAnyYear: time fields format like time.RFC3339Nano in UTC
// for every year, the zero time.Time included, in both formats.
func TestTimeFieldAnyYear(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1677, 9, 21, 0, 12, 43, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 24, 1, 2, 3, 450000000, time.FixedZone("x", -7200)),
		time.Date(2026, 11, 24, 1, 2, 3, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 123, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, tm := range times {
		want := tm.UTC().Format(time.RFC3339Nano)
		if got := Time("t", tm).Str(); got != want {
			t.Errorf("%v: Str() = %q, want %q", tm, got, want)
		}
	}
	for _, f := range []Format{FormatJSON, FormatHeka} {
		enc := mustEncoder(t, f, EncoderConfig{})
		for _, tm := range times[:7] {
			frame := mustEncode(t, enc, &Message{Type: "t", Fields: []Field{Time("t", tm)}})
			var m *Message
			var err error
			if f == FormatHeka {
				m, _, err = DecodeHekaRecord(frame, nil)
			} else {
				m, err = DecodeJSON(frame)
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := tm.UTC().Format(time.RFC3339Nano); len(m.Fields) != 1 || m.Fields[0].Str() != want {
				t.Errorf("%v %v: decoded %s, want %q", f, tm, dumpFields(m.Fields), want)
			}
		}
	}
}
