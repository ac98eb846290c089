package zerologmetlog

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// The scenarios of zap's benchmark suite, for zerolog: a static message,
// an event with ten fields, and a logger holding the ten fields as context.

// benchErr is the error of the allocation tests' events.
var benchErr = errors.New("fail")

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
		{"static", nil, func(l *zerolog.Logger) { l.Info().Msg(benchfields.ZerologMessage) }},
		{"10fields", nil, func(l *zerolog.Logger) { benchfields.Zerolog(l.Info()).Msg(benchfields.ZerologMessage) }},
		{"10context", func(l zerolog.Logger) zerolog.Logger { return benchfields.Zerolog(l.With()).Logger() },
			func(l *zerolog.Logger) { l.Info().Msg(benchfields.ZerologMessage) }},
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
		{"static", render(func(l zerolog.Logger) { l.Info().Msg(benchfields.ZerologMessage) })},
		{"10fields", render(func(l zerolog.Logger) { benchfields.Zerolog(l.Info()).Msg(benchfields.ZerologMessage) })},
		{"10context", render(func(l zerolog.Logger) {
			l = benchfields.Zerolog(l.With()).Logger()
			l.Info().Msg(benchfields.ZerologMessage)
		})},
	}
}
