package zerologmetlog

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// The scenarios of zap's benchmark suite, for zerolog: a static message,
// an event with ten fields, and a logger holding the ten fields as context.

const benchMessage = "Log a message of the length a real service would log. (#0)"

var (
	benchErr     = errors.New("fail")
	benchInts    = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}
	benchStrings = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	benchTimes   = []time.Time{
		time.Unix(0, 0), time.Unix(1, 0), time.Unix(2, 0), time.Unix(3, 0), time.Unix(4, 0),
		time.Unix(5, 0), time.Unix(6, 0), time.Unix(7, 0), time.Unix(8, 0), time.Unix(9, 0),
	}
	benchUser  = &benchUserT{Name: "Jane Doe", Email: "jane@test.com", CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	benchUsers = benchUsersT{benchUser, benchUser, benchUser, benchUser, benchUser, benchUser, benchUser, benchUser, benchUser, benchUser}
)

type benchUserT struct {
	Name, Email string
	CreatedAt   time.Time
}

func (u *benchUserT) MarshalZerologObject(e *zerolog.Event) {
	e.Str("name", u.Name).Str("email", u.Email).Int64("createdAt", u.CreatedAt.UnixNano())
}

type benchUsersT []*benchUserT

func (uu benchUsersT) MarshalZerologArray(a *zerolog.Array) {
	for _, u := range uu {
		a.Object(u)
	}
}

func benchFields(e *zerolog.Event) *zerolog.Event {
	return e.Int("int", benchInts[0]).
		Ints("ints", benchInts).
		Str("string", benchStrings[0]).
		Strs("strings", benchStrings).
		Time("time", benchTimes[0]).
		Times("times", benchTimes).
		Object("user1", benchUser).
		Object("user2", benchUser).
		Array("users", benchUsers).
		Err(benchErr)
}

func benchContext(c zerolog.Context) zerolog.Context {
	return c.Int("int", benchInts[0]).
		Ints("ints", benchInts).
		Str("string", benchStrings[0]).
		Strs("strings", benchStrings).
		Time("time", benchTimes[0]).
		Times("times", benchTimes).
		Object("user1", benchUser).
		Object("user2", benchUser).
		Array("users", benchUsers).
		Err(benchErr)
}

// BenchmarkLogger logs the scenarios through a zerolog logger whose only
// writer is ours, in each wire format, to a client that discards what it
// sends. The comparisons with zerolog writing to io.Discard, with parsing
// alone and with ours beside zerolog's own output are the bench module's
// (BenchmarkParts/zerolog).
func BenchmarkLogger(b *testing.B) {
	scenarios := []struct {
		name string
		log  func(l zerolog.Logger) zerolog.Logger // logger set-up
		run  func(l *zerolog.Logger)
	}{
		{"static", nil, func(l *zerolog.Logger) { l.Info().Msg(benchMessage) }},
		{"10fields", nil, func(l *zerolog.Logger) { benchFields(l.Info()).Msg(benchMessage) }},
		{"10context", func(l zerolog.Logger) zerolog.Logger { return benchContext(l.With()).Logger() },
			func(l *zerolog.Logger) { l.Info().Msg(benchMessage) }},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			newLogger := func(w io.Writer) zerolog.Logger {
				l := zerolog.New(w).With().Timestamp().Logger()
				if sc.log != nil {
					l = sc.log(l)
				}
				return l
			}
			// Our writer as the logger's only writer. The "-nocache"
			// variant does not learn the logger's context (the events here
			// repeat their fields exactly, so with the cache even 10fields
			// converts its fields once).
			for _, v := range []struct {
				name string
				f    core.Format
				opts []Option
			}{
				{"metlog-json", core.FormatJSON, nil},
				{"metlog-heka", core.FormatHeka, nil},
				{"metlog-json-nocache", core.FormatJSON, []Option{WithContextCache(0)}},
			} {
				b.Run(v.name, func(b *testing.B) {
					c := metlogtest.BenchClient(b, v.f)
					l := newLogger(NewWriter(c, v.opts...))
					metlogtest.RunParallel(b, c, func() { sc.run(&l) })
				})
			}
		})
	}
}

// BenchmarkWriter measures the writer alone on events zerolog rendered
// beforehand: parsing, conversion, encoding and enqueueing.
func BenchmarkWriter(b *testing.B) {
	for _, ev := range benchEvents() {
		for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
			b.Run(ev.name+"/"+f.String(), func(b *testing.B) {
				c := metlogtest.BenchClient(b, f)
				w := NewWriter(c)
				b.SetBytes(int64(len(ev.p)))
				metlogtest.RunParallel(b, c, func() { w.WriteLevel(zerolog.InfoLevel, ev.p) })
			})
		}
	}
}

// benchEvents returns the events of the scenarios as zerolog renders them.
func benchEvents() []struct {
	name string
	p    []byte
} {
	render := func(log func(l zerolog.Logger)) []byte {
		var buf bytes.Buffer
		log(zerolog.New(&buf).With().Timestamp().Logger())
		return buf.Bytes()
	}
	return []struct {
		name string
		p    []byte
	}{
		{"static", render(func(l zerolog.Logger) { l.Info().Msg(benchMessage) })},
		{"10fields", render(func(l zerolog.Logger) { benchFields(l.Info()).Msg(benchMessage) })},
		{"10context", render(func(l zerolog.Logger) {
			l = benchContext(l.With()).Logger()
			l.Info().Msg(benchMessage)
		})},
	}
}
