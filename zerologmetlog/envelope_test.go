package zerologmetlog

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// TestLevels checks the documented level mapping, through WriteLevel (zerolog
// tells the level) and through Write (the level key is parsed).
func TestLevels(t *testing.T) {
	cases := []struct {
		log  func(l zerolog.Logger)
		want core.Severity
	}{
		{func(l zerolog.Logger) { l.Trace().Msg("m") }, core.Debug},
		{func(l zerolog.Logger) { l.Debug().Msg("m") }, core.Debug},
		{func(l zerolog.Logger) { l.WithLevel(zerolog.Level(-3)).Msg("m") }, core.Debug},
		{func(l zerolog.Logger) { l.Info().Msg("m") }, core.Info},
		{func(l zerolog.Logger) { l.Log().Msg("m") }, core.Info},
		{func(l zerolog.Logger) { l.Warn().Msg("m") }, core.Warning},
		{func(l zerolog.Logger) { l.Error().Msg("m") }, core.Error},
		{func(l zerolog.Logger) { l.WithLevel(zerolog.PanicLevel).Msg("m") }, core.Alert},
		{func(l zerolog.Logger) { l.WithLevel(zerolog.FatalLevel).Msg("m") }, core.Emergency},
	}
	old := zerolog.GlobalLevel()
	zerolog.SetGlobalLevel(zerolog.Level(-3))
	t.Cleanup(func() { zerolog.SetGlobalLevel(old) })
	for _, f := range metlogtest.Formats {
		for _, plain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/plain=%v", f, plain), func(t *testing.T) {
				c, capt := metlogtest.NewClient(t, f)
				var w zerolog.LevelWriter = NewWriter(c)
				if plain {
					w = zerolog.MultiLevelWriter(plainWriter{w})
				}
				l := zerolog.New(w).Level(zerolog.Level(-3))
				for _, tc := range cases {
					tc.log(l)
				}
				ms := metlogtest.Messages(t, c, capt)
				if len(ms) != len(cases) {
					t.Fatalf("got %d messages, want %d", len(ms), len(cases))
				}
				for i, m := range ms {
					if m.Severity != cases[i].want || len(m.Fields) != 0 {
						t.Errorf("event %d: severity %d, fields %v; want %d and no fields", i, m.Severity, flat(m.Fields), cases[i].want)
					}
				}
			})
		}
	}
}

func TestLevelValues(t *testing.T) {
	// Write matches zerolog's level values case-insensitively and keeps
	// a value it cannot read as a field.
	setGlobal(t, &zerolog.LevelWarnValue, "WARNING")
	setGlobal(t, &zerolog.LevelFieldMarshalFunc, func(l zerolog.Level) string { return strings.ToLower(l.String()) })
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	w := NewWriter(c)
	l := zerolog.New(plainWriter{w})
	l.Warn().Msg("lower-cased by the marshal func")
	fmt.Fprintln(w, `{"level":"ERROR","message":"upper"}`)
	fmt.Fprintln(w, `{"level":"5","message":"number"}`)
	fmt.Fprintln(w, `{"level":"verbose","message":"unknown"}`)
	fmt.Fprintln(w, `{"level":7,"message":"not a string"}`)
	fmt.Fprintln(w, `{"level":"error","level":"info","message":"twice"}`)
	ms := metlogtest.Messages(t, c, capt)
	want := []struct {
		sev    core.Severity
		fields map[string]any
	}{
		{core.Warning, map[string]any{}},
		{core.Error, map[string]any{}},
		{core.Alert, map[string]any{}},
		{core.Info, map[string]any{"level": "verbose"}},
		{core.Info, map[string]any{"level": int64(7)}},
		{core.Error, map[string]any{"level": "info"}},
	}
	if len(ms) != len(want) {
		t.Fatalf("got %d messages, want %d", len(ms), len(want))
	}
	for i, m := range ms {
		if m.Severity != want[i].sev {
			t.Errorf("%q: severity %d, want %d", m.Payload, m.Severity, want[i].sev)
		}
		metlogtest.CompareFlat(t, "", flat(m.Fields), want[i].fields, false)
	}
}

func TestNoLevelKeepsLevelKey(t *testing.T) {
	// zerolog writes no level key for NoLevel: a "level" key is the user's.
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	lg(zerolog.New(NewWriter(c))).Log().Str("level", "custom").Msg("m")
	m := metlogtest.One(t, c, capt)
	if m.Severity != core.Info {
		t.Errorf("severity %d, want info", m.Severity)
	}
	metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{"level": "custom"}, false)
}

func TestOptions(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatHeka, core.WithLogger("client"))
	w := NewWriter(c, WithLogger("svc"), WithType("applog"), WithRawType("junk"),
		WithSeverity(func(l zerolog.Level) core.Severity {
			if l == zerolog.InfoLevel {
				return core.Notice
			}
			return DefaultSeverity(l)
		}))
	l := zerolog.New(w)
	l.Info().Msg("notice")
	l.Warn().Msg("warning")
	fmt.Fprint(w, "raw")
	ms := metlogtest.Messages(t, c, capt)
	if len(ms) != 3 {
		t.Fatalf("got %d messages, want 3", len(ms))
	}
	for i, want := range []struct {
		typ string
		sev core.Severity
	}{
		{"applog", core.Notice},
		{"applog", core.Warning},
		{"junk", core.Info}, // a raw Write has no level: NoLevel's severity, unchanged by this mapping
	} {
		if m := ms[i]; m.Type != want.typ || m.Severity != want.sev || m.Logger != "svc" {
			t.Errorf("message %d: type %q severity %d logger %q; want %q, %d, svc", i, m.Type, m.Severity, m.Logger, want.typ, want.sev)
		}
	}

	// Without WithLogger, the client's logger name.
	c2, capt2 := metlogtest.NewClient(t, core.FormatJSON, core.WithLogger("client"))
	lg(zerolog.New(NewWriter(c2))).Info().Msg("m")
	if m := metlogtest.One(t, c2, capt2); m.Logger != "client" {
		t.Errorf("logger %q, want the client's", m.Logger)
	}
}

func TestFilteredLevels(t *testing.T) {
	// Events the client's filters reject are not parsed nor sent.
	for _, plain := range []bool{false, true} {
		c, capt := metlogtest.NewClient(t, core.FormatJSON, core.WithMaxSeverity(core.Warning))
		var w zerolog.LevelWriter = NewWriter(c)
		if plain {
			w = zerolog.MultiLevelWriter(plainWriter{w})
		}
		l := zerolog.New(w)
		l.Info().Msg("filtered")
		l.Error().Msg("kept")
		m := metlogtest.One(t, c, capt)
		if m.Payload != "kept" {
			t.Errorf("plain=%v: got %q, want the error", plain, m.Payload)
		}
	}
}

// TestTimestamps checks that the message carries zerolog's time, at the
// precision of zerolog.TimeFieldFormat.
func TestTimestamps(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	setGlobal(t, &zerolog.TimestampFunc, func() time.Time { return at })
	cases := []struct {
		format string
		at     time.Time // the time zerolog is given
		want   time.Time // zero: unparseable, the client's now
		field  any       // the kept "time" field when unparseable
	}{
		{time.RFC3339, at, at.Truncate(time.Second), nil},
		{time.RFC3339Nano, at, at, nil},
		{time.RFC3339Nano, at.In(time.FixedZone("", 5*3600+1800)), at, nil},
		{time.RFC3339, at.In(time.FixedZone("", -7*3600)), at.Truncate(time.Second), nil},
		{zerolog.TimeFormatUnix, at, at.Truncate(time.Second), nil},
		{zerolog.TimeFormatUnixMs, at, at.Truncate(time.Millisecond), nil},
		{zerolog.TimeFormatUnixMicro, at, at.Truncate(time.Microsecond), nil},
		{zerolog.TimeFormatUnixNano, at, at, nil},
		{"2006-01-02 15:04:05.000", at.Local(), at.Truncate(time.Millisecond), nil},
		{time.Kitchen, at, time.Time{}, "7:08AM"},
	}
	for _, f := range metlogtest.Formats {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%q/%s", f, tc.format, tc.at.Location()), func(t *testing.T) {
				setGlobal(t, &zerolog.TimeFieldFormat, tc.format)
				setGlobal(t, &zerolog.TimestampFunc, func() time.Time { return tc.at })
				c, capt := metlogtest.NewClient(t, f)
				start := time.Now()
				lg(zerolog.New(NewWriter(c)).With().Timestamp().Logger()).Info().Msg("m")
				m := metlogtest.One(t, c, capt)
				fields := flat(m.Fields)
				if tc.want.IsZero() {
					if m.Timestamp.Before(start.Truncate(time.Microsecond)) || m.Timestamp.After(time.Now()) {
						t.Errorf("timestamp %v, want now", m.Timestamp)
					}
					metlogtest.CompareFlat(t, "", fields, map[string]any{"time": tc.field}, false)
					return
				}
				want := tc.want
				if f == core.FormatJSON {
					want = want.Truncate(time.Microsecond) // the envelope's precision
				}
				if !m.Timestamp.Equal(want) {
					t.Errorf("timestamp %v, want %v", m.Timestamp, want)
				}
				metlogtest.CompareFlat(t, "", fields, map[string]any{}, false)
			})
		}
	}
}

func TestTimestampSequence(t *testing.T) {
	// Events of the same second and of other seconds, in both orders: the
	// writer remembers the last timestamp it parsed.
	base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var seq []time.Time
	for _, d := range []time.Duration{0, 0, time.Second, 0, time.Hour, time.Hour, -time.Minute} {
		seq = append(seq, base.Add(d))
	}
	i := 0
	setGlobal(t, &zerolog.TimestampFunc, func() time.Time { i++; return seq[i-1] })
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	l := zerolog.New(NewWriter(c)).With().Timestamp().Logger()
	for range seq {
		l.Info().Msg("m")
	}
	fmt.Fprintln(NewWriter(c), `{"time":"","message":"empty"}`)
	ms := metlogtest.Messages(t, c, capt)
	if len(ms) != len(seq)+1 {
		t.Fatalf("got %d messages, want %d", len(ms), len(seq)+1)
	}
	for i, want := range seq {
		if !ms[i].Timestamp.Equal(want) {
			t.Errorf("event %d: timestamp %v, want %v", i, ms[i].Timestamp, want)
		}
	}
	metlogtest.CompareFlat(t, "", flat(ms[len(seq)].Fields), map[string]any{"time": ""}, false)
}

func TestTimestampKeptWhenRepeated(t *testing.T) {
	// The last timestamp key (zerolog's hook runs after the fields) is the
	// message's time; an earlier one stays a field.
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	setGlobal(t, &zerolog.TimestampFunc, func() time.Time { return at })
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	lg(zerolog.New(NewWriter(c)).With().Timestamp().Logger()).Info().Str("time", "user's").Msg("m")
	m := metlogtest.One(t, c, capt)
	if !m.Timestamp.Equal(at) {
		t.Errorf("timestamp %v, want %v", m.Timestamp, at)
	}
	metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{"time": "user's"}, false)
}

// TestKeyNames follows zerolog's configurable key names.
func TestKeyNames(t *testing.T) {
	setGlobal(t, &zerolog.LevelFieldName, "lvl")
	setGlobal(t, &zerolog.TimestampFieldName, "ts")
	setGlobal(t, &zerolog.MessageFieldName, "msg")
	setGlobal(t, &zerolog.ErrorFieldName, "err")
	setGlobal(t, &zerolog.CallerFieldName, "src")
	setGlobal(t, &zerolog.ErrorStackFieldName, "trace")
	setGlobal(t, &zerolog.ErrorStackMarshaler, func(err error) any { return "stack of " + err.Error() })
	setGlobal(t, &zerolog.CallerMarshalFunc, func(pc uintptr, file string, line int) string { return "f.go:42" })
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	setGlobal(t, &zerolog.TimestampFunc, func() time.Time { return at })
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			l := zerolog.New(plainWriter{NewWriter(c)}).With().Timestamp().Logger()
			l.Error().Stack().Err(errors.New("bad")).Caller().
				Str("message", "ordinary").Str("level", "ordinary").Str("time", "ordinary").
				Str("caller", "ordinary").Str("stack", "ordinary").
				Msg("payload")
			m := metlogtest.One(t, c, capt)
			if m.Payload != "payload" || m.Severity != core.Error || !m.Timestamp.Equal(at) {
				t.Errorf("payload %q severity %d time %v; want payload, error, %v", m.Payload, m.Severity, m.Timestamp, at)
			}
			metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{
				"error":       "bad",
				"stacktrace":  "stack of bad",
				"source.file": "f.go",
				"source.line": int64(42),
				"message":     "ordinary",
				"level":       "ordinary",
				"time":        "ordinary",
				"caller":      "ordinary",
				"stack":       "ordinary",
			}, false)
		})
	}
}

func TestCallerForms(t *testing.T) {
	cases := []struct {
		caller string
		want   map[string]any
	}{
		{"/a/b.go:12", map[string]any{"source.file": "/a/b.go", "source.line": int64(12)}},
		{`C:\src\b.go:7`, map[string]any{"source.file": `C:\src\b.go`, "source.line": int64(7)}},
		{"b.go", map[string]any{"source.file": "b.go"}},
		{"b.go:", map[string]any{"source.file": "b.go:"}},
		{"b.go:-1", map[string]any{"source.file": "b.go:-1"}},
		{"b.go:12 main.f", map[string]any{"source.file": "b.go:12 main.f"}},
	}
	for _, tc := range cases {
		setGlobal(t, &zerolog.CallerMarshalFunc, func(uintptr, string, int) string { return tc.caller })
		c, capt := metlogtest.NewClient(t, core.FormatHeka)
		lg(zerolog.New(NewWriter(c))).Info().Caller().Msg("m")
		metlogtest.CompareFlat(t, "", flat(metlogtest.One(t, c, capt).Fields), tc.want, false)
	}
	// A caller that is not a string is an ordinary field.
	c, capt := metlogtest.NewClient(t, core.FormatHeka)
	fmt.Fprintln(NewWriter(c), `{"caller":{"file":"x"},"message":"m"}`)
	metlogtest.CompareFlat(t, "", flat(metlogtest.One(t, c, capt).Fields), map[string]any{"caller.file": "x"}, false)
}

func TestRepeatedMessage(t *testing.T) {
	// zerolog does not deduplicate keys: the last message key (Msg's) is
	// the payload, earlier ones stay fields.
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	lg(zerolog.New(NewWriter(c)).With().Str("message", "from context").Logger()).Info().Msg("real")
	m := metlogtest.One(t, c, capt)
	if m.Payload != "real" {
		t.Errorf("payload %q, want real", m.Payload)
	}
	metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{"message": "from context"}, false)

	// A message that is not a string is a field, and the payload is empty.
	fmt.Fprintln(NewWriter(c), `{"message":{"a":1}}`)
	ms := metlogtest.Messages(t, c, capt)
	if m := ms[len(ms)-1]; m.Payload != "" {
		t.Errorf("payload %q, want empty", m.Payload)
	} else {
		metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{"message.a": int64(1)}, false)
	}
}
