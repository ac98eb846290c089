package zerologmetlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// ordered lists the fields in order as "dotted.name=value" strings.
func ordered(fields []core.Field) []string {
	var out []string
	var walk func(prefix string, fs []core.Field)
	walk = func(prefix string, fs []core.Field) {
		for _, f := range fs {
			if f.Kind() == core.KindGroup {
				walk(prefix+f.Name+".", f.GroupValue())
				continue
			}
			out = append(out, fmt.Sprintf("%s%s=%#v", prefix, f.Name, norm(f)))
		}
	}
	walk("", fields)
	return out
}

// TestContextCacheEquivalence writes the same random events, from loggers
// with and without contexts, to a writer that learns contexts and to one
// that does not, and requires the same messages from both.
func TestContextCacheEquivalence(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	setGlobal(t, &zerolog.TimestampFunc, func() time.Time { return at })
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			cc, capc := metlogtest.NewClient(t, f, core.WithBufferSize(16<<20))
			cn, capn := metlogtest.NewClient(t, f, core.WithBufferSize(16<<20))
			wc, wn := NewWriter(cc), NewWriter(cn, WithContextCache(0))
			r := rand.New(rand.NewPCG(5, 6))
			var loggers []zerolog.Logger
			for _, plain := range []bool{false, true} {
				var out zerolog.LevelWriter = zerolog.MultiLevelWriter(wc, wn)
				if plain {
					out = zerolog.MultiLevelWriter(plainWriter{wc}, plainWriter{wn})
				}
				base := zerolog.New(out)
				loggers = append(loggers,
					base,
					base.With().Timestamp().Logger(),
					benchfields.Zerolog(base.With()).Timestamp().Logger(),
					benchfields.Zerolog(base.With()).Logger(),
					base.With().Str("service", "checkout").Str("message", "from the context").Int("shard", 3).Logger(),
					base.With().Str("service", "checkout").Str("message", "from the context").Timestamp().Logger(),
					base.With().Str("k\"ey", "a \"quoted\"\nvalue").Strs("list", []string{`x\y`, "z"}).Timestamp().Logger(),
					base.With().Str("region", "eu-west-1").Str("level", "not the level").Int("n", 1).Logger(),
					base.With().Time("time", at.Add(time.Hour)).Str("region", "eu-west-1").Str("zone", "b").Logger(),
					base.With().Dict("http", zerolog.Dict().Str("method", "GET").Int("status", 200)).Str("route", "/a/b/c").Logger(),
				)
			}
			messagesText := []string{"", "hello", "a longer message with \"quotes\""}
			for i := 0; i < 2000; i++ {
				l := loggers[r.IntN(len(loggers))]
				var ev *zerolog.Event
				switch r.IntN(5) {
				case 0:
					ev = l.Debug()
				case 1:
					ev = l.Info()
				case 2:
					ev = l.Warn()
				case 3:
					ev = l.Error()
				default:
					ev = l.Log()
				}
				if r.IntN(2) == 0 {
					ev = ev.Str("request", fmt.Sprint("req-", r.IntN(3)))
				}
				if r.IntN(3) == 0 {
					ev = ev.Int("attempt", r.IntN(2))
				}
				if r.IntN(5) == 0 {
					ev = ev.Str("message", "an event field")
				}
				if r.IntN(5) == 0 {
					ev = ev.Str("time", "an event field")
				}
				ev.Msg(messagesText[r.IntN(len(messagesText))])
			}
			mc, mn := metlogtest.Messages(t, cc, capc), metlogtest.Messages(t, cn, capn)
			if len(mc) != len(mn) || len(mc) != 2000 {
				t.Fatalf("got %d and %d messages, want 2000", len(mc), len(mn))
			}
			for i := range mc {
				a, b := mc[i], mn[i]
				if a.Type != b.Type || a.Severity != b.Severity || a.Payload != b.Payload ||
					(a.Timestamp.Equal(at) || b.Timestamp.Equal(at)) && !a.Timestamp.Equal(b.Timestamp) {
					t.Fatalf("message %d: %q %d %q %v, without the cache %q %d %q %v", i,
						a.Type, a.Severity, a.Payload, a.Timestamp, b.Type, b.Severity, b.Payload, b.Timestamp)
				}
				if fa, fb := ordered(a.Fields), ordered(b.Fields); !reflect.DeepEqual(fa, fb) {
					t.Fatalf("message %d fields:\n%q\nwithout the cache:\n%q", i, fa, fb)
				}
			}
			if used := learnt(wc); used == 0 {
				t.Error("the writer learnt no context")
			}
		})
	}
}

// learnt returns the number of contexts w holds.
func learnt(w *Writer) int {
	n := 0
	for i := range w.ctx.slots {
		if w.ctx.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// TestContextLearnt: after a few events of a logger, its context is learnt
// (and nothing else: the event's own fields, timestamp and message are
// not part of it), and the next event uses it.
func TestContextLearnt(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON)
	w := NewWriter(c)
	var buf bytes.Buffer
	l := zerolog.New(zerolog.MultiLevelWriter(w, &buf)).With().Str("service", "checkout").Int("shard", 3).
		Str("region", "eu-west-1").Timestamp().Logger()
	// Converters that have written many events learn from one event in
	// learnEvery; two of them are enough.
	for i := 0; i < 2*learnEvery; i++ {
		l.Info().Int("attempt", i).Msg("first")
	}
	want := []byte(`"service":"checkout","shard":3,"region":"eu-west-1"`)
	var ent *ctxEntry
	for i := range w.ctx.slots {
		if e := w.ctx.slots[i].Load(); e != nil {
			if ent != nil || !bytes.Equal(e.prefix, want) || e.hasMsg || e.hasTime {
				t.Fatalf("learnt %s (message %v, time %v), want only %s", e.prefix, e.hasMsg, e.hasTime, want)
			}
			ent = e
		}
	}
	if ent == nil {
		t.Fatal("no context learnt")
	}
	buf.Reset()
	l.Warn().Int("attempt", 3).Msg("third")
	cv := newConverter()
	cv.keys = keyNames{level: "level", time: "time", msg: "message", err: "error", caller: "caller", stack: "stack"}
	start, levelEnd, restAt, _ := cv.splitLevel(buf.Bytes())
	if e, body := cv.lookup(w.ctx, buf.Bytes(), start, levelEnd, restAt); e != ent || !bytes.HasPrefix(body, []byte(`{"level":"warn","attempt":3,"time":`)) {
		t.Errorf("lookup = %p, %s; want the context and the rest of the event", e, body)
	}
	ms := metlogtest.Messages(t, c, capt)
	last := ms[len(ms)-1]
	if len(ms) != 2*learnEvery+1 || last.Payload != "third" || last.Severity != core.Warning {
		t.Fatalf("got %d messages", len(ms))
	}
	metlogtest.CompareFlat(t, "", flat(last.Fields), map[string]any{
		"service": "checkout", "shard": int64(3), "region": "eu-west-1", "attempt": int64(3)}, false)
}

func TestSkipValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`1,`, 1}, {`-1.5e3}`, 6}, {`"a",`, 3}, {`"a\"b",`, 6}, {`"a\\",`, 5}, {`"a\\\"",`, 7},
		{`{"a":[1,{"b":"}"}]},`, 19}, {`[],`, 2}, {`true}`, 4}, {`null,`, 4},
		{`"unterminated`, -1}, {`[1,2`, -1}, {`1 ,`, -1}, {`{"a": 1},`, -1},
	} {
		if got := skipValue([]byte(tc.in), 0); got != tc.want {
			t.Errorf("skipValue(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
