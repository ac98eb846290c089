package zerologmetlog

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// TestNoAllocs: the writer allocates nothing per event in steady state,
// for the benchmark scenarios and for events with escapes, both formats,
// through WriteLevel and Write.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector; run without -race")
	}
	setGlobal(t, &zerolog.ErrorStackMarshaler, func(err error) any { return []string{"a.go:1", "b.go:2"} })
	var events [][]byte
	record := func(log func(l zerolog.Logger)) {
		var buf bytes.Buffer
		log(zerolog.New(&buf).With().Timestamp().Logger())
		events = append(events, bytes.Clone(buf.Bytes()))
	}
	record(func(l zerolog.Logger) { l.Info().Msg(benchfields.ZerologMessage) })
	record(func(l zerolog.Logger) { benchfields.Zerolog(l.Info()).Msg(benchfields.ZerologMessage) })
	record(func(l zerolog.Logger) {
		l = benchfields.Zerolog(l.With()).Logger()
		l.Info().Msg(benchfields.ZerologMessage)
	})
	record(func(l zerolog.Logger) {
		l.Warn().Str("q", "a \"quoted\"\n\tvalue é").Strs("qs", []string{`x\y`, "z"}).
			RawJSON("r", []byte(`{"k\"":[1,2.5,"\u00e9"],"n":null}`)).Stack().Err(benchErr).Caller().
			Uint64("big", 1<<63).Float64("f", 1.25).Bools("b", []bool{true}).Msg("multi\nline")
	})
	for _, f := range metlogtest.Formats {
		c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(f))
		if err != nil {
			t.Fatal(err)
		}
		w := NewWriter(c)
		for i, ev := range events {
			for _, plain := range []bool{false, true} {
				write := func() { w.WriteLevel(zerolog.InfoLevel, ev) }
				if plain {
					write = func() { w.Write(ev) }
				}
				write() // warm the pools
				if n := testing.AllocsPerRun(200, write); n != 0 {
					t.Errorf("%s event %d plain=%v: %v allocs per write, want 0\n%s", f, i, plain, n, ev)
				}
			}
		}
		if err := c.Close(context.Background()); err != nil {
			t.Error(err)
		}
		if w.Malformed() != 0 {
			t.Errorf("%d events were malformed", w.Malformed())
		}
	}
}

func TestConcurrent(t *testing.T) {
	const goroutines, each = 8, 300
	c, capt := metlogtest.NewClient(t, core.FormatHeka, core.WithBufferSize(16<<20))
	l := zerolog.New(NewWriter(c)).With().Timestamp().Logger()
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.Info().Int("g", g).Int("i", i).Str("s", "x\ny").Msg("concurrent")
			}
		}()
	}
	wg.Wait()
	ms := metlogtest.Messages(t, c, capt)
	if len(ms) != goroutines*each {
		t.Fatalf("got %d messages, want %d (stats %+v)", len(ms), goroutines*each, c.Stats())
	}
	seen := map[[2]int64]bool{}
	for _, m := range ms {
		fs := flat(m.Fields)
		g, _ := fs["g"].(int64)
		i, _ := fs["i"].(int64)
		if m.Payload != "concurrent" || fs["s"] != "x\ny" || seen[[2]int64{g, i}] {
			t.Fatalf("bad or repeated message: %q %v", m.Payload, fs)
		}
		seen[[2]int64{g, i}] = true
	}
}
