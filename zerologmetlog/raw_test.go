package zerologmetlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// TestRawInput: writes that are not a JSON object are delivered as
// RawType messages and counted.
func TestRawInput(t *testing.T) {
	cases := []struct {
		in, payload string
	}{
		{"plain text\n", "plain text"},
		{"crlf\r\n", "crlf"},
		{"no newline", "no newline"},
		{`{"level":"info","message":`, `{"level":"info","message":`},
		{`{"a":1} {"b":2}`, `{"a":1} {"b":2}`},
		{`["an","array"]` + "\n", `["an","array"]`},
		{`"a string"`, `"a string"`},
		{`42`, `42`},
		{"", ""},
		{"\n", ""},
		{strings.Repeat("[", 400) + strings.Repeat("]", 400), strings.Repeat("[", 400) + strings.Repeat("]", 400)},
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			w := NewWriter(c)
			for i, tc := range cases {
				n, err := w.Write([]byte(tc.in))
				if n != len(tc.in) || err != nil {
					t.Errorf("Write(%q) = %d, %v; want %d, nil", tc.in, n, err, len(tc.in))
				}
				if got := w.Malformed(); got != uint64(i+1) {
					t.Errorf("after %q: Malformed() = %d, want %d", tc.in, got, i+1)
				}
			}
			ms := metlogtest.Messages(t, c, capt)
			if len(ms) != len(cases) {
				t.Fatalf("got %d messages, want %d", len(ms), len(cases))
			}
			for i, m := range ms {
				if m.Type != RawType || m.Payload != cases[i].payload || m.Severity != core.Info || len(m.Fields) != 0 {
					t.Errorf("message %d: type %q payload %q severity %d fields %v; want %q, %q, info, none",
						i, m.Type, m.Payload, m.Severity, flat(m.Fields), RawType, cases[i].payload)
				}
			}
		})
	}
}

func TestRawInvalidUTF8(t *testing.T) {
	for _, f := range metlogtest.Formats {
		c, capt := metlogtest.NewClient(t, f)
		w := NewWriter(c)
		if _, err := w.WriteLevel(zerolog.ErrorLevel, []byte("bad \xff\xfe bytes\n")); err != nil {
			t.Fatal(err)
		}
		m := metlogtest.One(t, c, capt)
		if m.Type != RawType || m.Severity != core.Error || !utf8.ValidString(m.Payload) ||
			!strings.HasPrefix(m.Payload, "bad \uFFFD") || !strings.HasSuffix(m.Payload, "\uFFFD bytes") {
			t.Errorf("%s: type %q severity %d payload %q; want raw, error, valid UTF-8 with U+FFFD", f, m.Type, m.Severity, m.Payload)
		}
	}
}

func TestRawThroughMultiLevelWriter(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	w := NewWriter(c, WithRawType("stdlog"))
	var buf bytes.Buffer
	mw := zerolog.MultiLevelWriter(w, &buf)
	fmt.Fprintln(mw, "a line from fmt")
	m := metlogtest.One(t, c, capt)
	if m.Type != "stdlog" || m.Payload != "a line from fmt" || buf.String() != "a line from fmt\n" || w.Malformed() != 1 {
		t.Errorf("type %q payload %q, other writer got %q, malformed %d", m.Type, m.Payload, buf.String(), w.Malformed())
	}
}

// TestNeverFails: the writer returns len(p), nil even when the client
// drops the message, so zerolog.MultiLevelWriter goes on to the next
// writer and zerolog reports no error.
func TestNeverFails(t *testing.T) {
	var handled []error
	setGlobal(t, &zerolog.ErrorHandler, func(err error) { handled = append(handled, err) })
	c, _ := metlogtest.NewClient(t, core.FormatJSON)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(c)
	var buf bytes.Buffer
	l := zerolog.New(zerolog.MultiLevelWriter(w, &buf))
	l.Info().Msg("after close")
	if n, err := w.Write([]byte("raw")); n != 3 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	if !strings.Contains(buf.String(), "after close") || len(handled) != 0 {
		t.Errorf("next writer got %q, zerolog errors %v", buf.String(), handled)
	}
	if st := c.Stats(); st.Drops.Closed != 2 {
		t.Errorf("client counted %d closed drops, want 2", st.Drops.Closed)
	}
}

// TestFilterPanic: a client filter that panics neither escapes the
// writer nor loses the event: core recovers it, keeps the message as it
// was converted, and counts the panic in the client's Stats.Errors.
func TestFilterPanic(t *testing.T) {
	var once sync.Once
	c, capt := metlogtest.NewClient(t, core.FormatJSON, core.WithFilter(func(m *core.Message) bool {
		if m.Type == core.TypeOldstyle && m.Payload == "boom" {
			once.Do(func() { panic(errors.New("filter exploded")) })
		}
		return true
	}))
	w := NewWriter(c)
	l := zerolog.New(w)
	l.Error().Msg("boom")
	l.Info().Msg("after")
	ms := metlogtest.Messages(t, c, capt)
	if len(ms) != 2 {
		t.Fatalf("got %d messages, want 2", len(ms))
	}
	if m := ms[0]; m.Type != core.TypeOldstyle || m.Severity != core.Error || m.Payload != "boom" {
		t.Errorf("type %q severity %d payload %q", m.Type, m.Severity, m.Payload)
	}
	if m := ms[1]; m.Type != core.TypeOldstyle || m.Payload != "after" {
		t.Errorf("after the panic: type %q payload %q", m.Type, m.Payload)
	}
	if w.Malformed() != 0 {
		t.Errorf("Malformed() = %d, want 0 (the event was converted, not sent raw)", w.Malformed())
	}
	if st := c.Stats(); st.Errors != 1 || st.Sent != 2 {
		t.Errorf("stats %+v: want the panic counted once and both messages sent", st)
	}

	// A filter that always panics: every event is still delivered, the
	// call returns, and each panic is counted.
	c2, capt2 := metlogtest.NewClient(t, core.FormatJSON, core.WithFilter(func(*core.Message) bool { panic("always") }))
	if n, err := NewWriter(c2).Write([]byte(`{"message":"m"}`)); n != 15 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	if ms := metlogtest.Messages(t, c2, capt2); len(ms) != 1 || ms[0].Payload != "m" {
		t.Errorf("got %d messages, want the one event", len(ms))
	}
	if st := c2.Stats(); st.Errors != 1 {
		t.Errorf("Errors = %d, want 1", st.Errors)
	}
}

// TestEscapes: escaped keys and strings, in values, arrays and nested
// objects, arrive unescaped; raw JSON holding escaped strings is valid.
func TestEscapes(t *testing.T) {
	in := `{"level":"warn","k\"ey":"v\\al","n\u00e9st":{"a\nb":["x\ty","\ud83d\ude00","bad \q escape"]},` +
		`"mixed":["a\"b\u0001",1,{"c\u0002":"\u00e9"}],"plain":"no escapes","num":12,` +
		`"message":"line1\nline2 \"quoted\" \u00e9\u2028"}` + "\n"
	for _, f := range metlogtest.Formats {
		c, capt := metlogtest.NewClient(t, f)
		if _, err := NewWriter(c).Write([]byte(in)); err != nil {
			t.Fatal(err)
		}
		m := metlogtest.One(t, c, capt)
		if m.Payload != "line1\nline2 \"quoted\" é\u2028" || m.Severity != core.Warning {
			t.Errorf("%s: payload %q severity %d", f, m.Payload, m.Severity)
		}
		metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{
			`k"ey`:      `v\al`,
			"nést.a\nb": []string{"x\ty", "😀", `bad \q escape`},
			"mixed":     jsonText(`["a\"b\u0001",1,{"c\u0002":"é"}]`),
			"plain":     "no escapes",
			"num":       int64(12),
		}, false)
	}
}

// TestStringsRoundTrip logs random strings made of the characters JSON
// escapes, as message, key, value and array, and compares the decoded
// message with them.
func TestStringsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab \"\\/\b\f\n\r\t\x00\x01\x1f\x7f<>&é\u2028\u2029\U0001F600\uFFFD")
	random := func() string {
		var sb strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			sb.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return sb.String()
	}
	for _, f := range metlogtest.Formats {
		c, capt := metlogtest.NewClient(t, f)
		l := zerolog.New(NewWriter(c))
		type event struct{ msg, key, val, a0, a1 string }
		var sent []event
		for i := 0; i < 300; i++ {
			ev := event{random(), "k" + random(), random(), random(), random()}
			sent = append(sent, ev)
			l.Info().Str(ev.key, ev.val).Strs("arr", []string{ev.a0, ev.a1}).Msg(ev.msg)
		}
		ms := metlogtest.Messages(t, c, capt)
		if len(ms) != len(sent) {
			t.Fatalf("got %d messages, want %d", len(ms), len(sent))
		}
		for i, m := range ms {
			ev := sent[i]
			if m.Payload != ev.msg {
				t.Errorf("payload %q, want %q", m.Payload, ev.msg)
			}
			metlogtest.CompareFlat(t, "", flat(m.Fields), map[string]any{ev.key: ev.val, "arr": []string{ev.a0, ev.a1}}, false)
		}
	}
}
