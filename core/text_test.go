package core

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FormatText: one line per message, values quoted only when needed.

func textLine(t *testing.T, cfg EncoderConfig, m *Message) string {
	t.Helper()
	out, err := mustEncoder(t, FormatText, cfg).AppendMessage(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Fatalf("not one line: %q", s)
	}
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8: %q", s)
	}
	return strings.TrimSuffix(s, "\n")
}

func TestTextGolden(t *testing.T) {
	m := &Message{Timestamp: time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC), Type: "oldstyle", Logger: "app",
		Severity: Warning, Payload: "slow request",
		Fields: []Field{String("request", "r-17"), Group("http", Int("status", 200), Float("ratio", 0.25), Bool("ok", true)),
			Strings("tried", []string{"a", "b c", "d,e"}), Ints("n", []int64{1, -2}), Bytes("sig", []byte{0xde, 0xad}),
			String("empty", ""), Uint64("big", 1<<63), Time("at", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
			RawJSON("raw", []byte(`{"a":1}`)), Group("", String("inlined", "x")), Duration("took", 1500*time.Millisecond)},
		TopFields: []Field{String("source.file", "main.go")}}
	got := textLine(t, EncoderConfig{Env: []Field{String("env", "demo")}}, m)
	want := `2024-05-01T10:00:00.123456Z warning app oldstyle "slow request" env=demo request=r-17 http.status=200 http.ratio=0.25 http.ok=true ` +
		`tried=[a,"b c","d,e"] n=[1,-2] sig=3q0= empty="" big=9223372036854775808 at=2024-01-02T03:04:05Z raw="{\"a\":1}" inlined=x took=1500000000 source.file=main.go`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTextDefaultsAndScope(t *testing.T) {
	scope := NewScope(FormatJSON).With(String("user", "alice")).WithGroup("req").With(Int("id", 7)).WithGroup("inner")
	m := &Message{Timestamp: time.Unix(0, 0), Scope: scope, Fields: []Field{String("k", "v")}}
	got := textLine(t, EncoderConfig{Logger: "svc"}, m)
	want := `1970-01-01T00:00:00.000000Z info svc "" "" user=alice req.id=7 req.inner.k=v`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTextQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           `plain`,
		"two words":       `"two words"`,
		"line\nbreak":     `"line\nbreak"`,
		"tab\there":       `"tab\there"`,
		`quote"d`:         `"quote\"d"`,
		"a=b":             `"a=b"`,
		`back\slash`:      `"back\\slash"`,
		"bad\xffutf8":     `"bad\xffutf8"`,
		"sep\u2028arator": `"sep\u2028arator"`,
		"ünïcode":         `ünïcode`,
		"del\x7f":         `"del\x7f"`,
	} {
		got := textLine(t, EncoderConfig{}, &Message{Timestamp: time.Unix(0, 0), Type: "t", Logger: "l", Payload: in})
		if want := `1970-01-01T00:00:00.000000Z info l t ` + want; got != want {
			t.Errorf("payload %q:\ngot  %s\nwant %s", in, got, want)
		}
	}
	got := textLine(t, EncoderConfig{}, &Message{Timestamp: time.Unix(0, 0), Type: "t", Logger: "l", Payload: "p",
		Fields: []Field{String("a key=\"x\"\n", "v"), String("", "anon"), String("k\xff", "v")}})
	if want := `1970-01-01T00:00:00.000000Z info l t p a_key__x__=v _=anon k_=v`; got != want {
		t.Errorf("keys:\ngot  %s\nwant %s", got, want)
	}
}

func TestTextTruncated(t *testing.T) {
	m := &Message{Timestamp: time.Unix(0, 0), Type: "t", Payload: strings.Repeat("x", 2000)}
	got := textLine(t, EncoderConfig{MaxSize: minMessageSize}, m)
	if len(got) > minMessageSize || !strings.HasSuffix(got, " payload_truncated=2000") {
		t.Fatalf("%d bytes: %s", len(got), got)
	}
}

func TestTextThroughClient(t *testing.T) {
	capt := NewCapture()
	c, err := New("", WithSender(capt), WithFormat(FormatText), WithLogger("app"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Format().String() != "text" {
		t.Fatalf("format %v", c.Format())
	}
	c.Send(&Message{Timestamp: time.Unix(1, 0), Type: "deploy", Severity: Notice, Payload: "v1.2", Fields: []Field{Int("hosts", 3)}})
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	frames := capt.Frames()
	if len(frames) != 1 || string(frames[0]) != "1970-01-01T00:00:01.000000Z notice app deploy v1.2 hosts=3\n" {
		t.Fatalf("frames %q", frames)
	}
}

// FuzzText: whatever the strings, a text frame is one line of valid UTF-8
// within the size limit.
func FuzzText(f *testing.F) {
	f.Add("oldstyle", "payload", "key", "value")
	f.Add("", "a\nb", "k=\"", "\xff\u2028")
	enc := mustEncoder(f, FormatText, EncoderConfig{MaxSize: 512})
	f.Fuzz(func(t *testing.T, typ, payload, key, value string) {
		m := &Message{Timestamp: time.Unix(0, 0), Type: typ, Logger: key, Payload: payload,
			Fields: []Field{String(key, value), Strings(value, []string{key, value}), Group(key, String(value, payload))}}
		out, err := enc.AppendMessage(nil, m)
		if err != nil {
			return // oversize even truncated: dropped, not malformed
		}
		if len(out) == 0 || out[len(out)-1] != '\n' || strings.Count(string(out), "\n") != 1 || !utf8.Valid(out) || len(out)-1 > 512 {
			t.Fatalf("bad frame %q", out)
		}
	})
}
