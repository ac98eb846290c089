package zerologmetlog

import (
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"

	"github.com/rs/zerolog"
)

// FuzzWrite feeds arbitrary bytes to the writer, through both Write and
// WriteLevel: every call reports len(p), nil and never panics, and every
// call becomes exactly one message that decodes (a JSON event, or the raw
// bytes as a zerolog.raw message).
func FuzzWrite(f *testing.F) {
	for _, s := range []string{
		`{"level":"info","time":"2026-11-24T01:02:03Z","message":"hi","n":1,"d":{"a":[1,2]}}`,
		`{"level":"warn","error":"boom","caller":"x.go:12","stack":[{"f":"g"}]}`,
		`not json at all`, `{"a":`, "{\"s\":\"\xff\"}", `[1,2,3]`, `{}`, ``,
		`{"level":7,"time":1732410000,"message":{"nested":true}}`,
	} {
		f.Add([]byte(s), uint8(zerolog.InfoLevel))
	}
	f.Fuzz(func(t *testing.T, p []byte, level uint8) {
		for _, format := range metlogtest.Formats {
			c, capt := metlogtest.NewClient(t, format, core.WithBufferSize(256<<10))
			w := NewWriter(c)
			if n, err := w.Write(p); n != len(p) || err != nil {
				t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
			}
			if n, err := w.WriteLevel(zerolog.Level(int8(level)), p); n != len(p) || err != nil {
				t.Fatalf("WriteLevel = %d, %v; want %d, nil", n, err, len(p))
			}
			ms := metlogtest.Messages(t, c, capt)
			if st := c.Stats(); len(ms) != 2 && st.Dropped == 0 {
				t.Fatalf("%v: 2 writes gave %d messages and no drop (%+v)", format, len(ms), st)
			}
			for _, m := range ms {
				if !m.Severity.Valid() {
					t.Fatalf("severity %d", m.Severity)
				}
			}
		}
	})
}
