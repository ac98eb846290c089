package core

import (
	"testing"
	"time"
)

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
