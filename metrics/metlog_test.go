package metrics_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/metrics"
)

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', -1, 64) }

func TestDirectMessages(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, cp := metlogtest.NewClient(t, f)
			m := metrics.New(c, metrics.WithMode(metrics.Direct))
			m.Incr("hits", 3, metrics.Tag("route", "/a"), metrics.Field(core.Int("shard", 7)))
			m.Timing("db", 1500*time.Microsecond)
			m.Gauge("temp", -2.5)
			d := m.StartTimer("req").Stop()
			if err := m.Close(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			msgs := decoded(t, cp)
			if len(msgs) != 4 {
				t.Fatalf("got %d messages, want 4", len(msgs))
			}
			want := []struct {
				typ, payload, name string
				rate               bool
			}{
				{"counter", "3", "hits", true},
				{"timer", "1.5", "db", true},
				{"gauge", "-2.5", "temp", false},
				{"timer", ms(d), "req", true},
			}
			for i, w := range want {
				msg := msgs[i]
				fs := fields(msg)
				if msg.Type != w.typ || msg.Payload != w.payload || fs["name"].Str() != w.name {
					t.Errorf("message %d: type %q payload %q name %q, want %q %q %q", i, msg.Type, msg.Payload, fs["name"].Str(), w.typ, w.payload, w.name)
				}
				if msg.Severity != core.Info || msg.Logger != "test" {
					t.Errorf("message %d: severity %v logger %q", i, msg.Severity, msg.Logger)
				}
				r, ok := fs["rate"]
				if ok != w.rate || (ok && (r.Kind() != core.KindFloat || r.FloatValue() != 1)) {
					t.Errorf("message %d: rate field %v present=%v", i, r.Value(), ok)
				}
			}
			fs := fields(msgs[0])
			if fs["route"].Str() != "/a" || fs["shard"].IntValue() != 7 {
				t.Errorf("counter tags: %v", msgs[0].Fields)
			}
			if len(msgs[0].Fields) != 4 {
				t.Errorf("counter has %d fields, want name, rate, route, shard", len(msgs[0].Fields))
			}
		})
	}
}

func TestDirectSampling(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithMode(metrics.Direct), metrics.WithRate(0.5))
	defer m.Close(context.Background())
	const n = 2000
	for range n {
		m.Incr("sampled", 1)
		m.Incr("never", 1, metrics.Rate(0))
		m.Incr("always", 1, metrics.Rate(1))
	}
	for range 100 {
		m.Timing("timing", time.Millisecond) // never sampled, even with WithRate
		m.Timing("timing.rated", time.Millisecond, metrics.Rate(0.25))
	}
	if d := m.StartTimer("t", metrics.Rate(0)).Stop(); d != 0 {
		t.Errorf("sampled-out timer Stop = %v, want 0", d)
	}
	if err := m.Flush(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	counters := byName(decoded(t, cp), "counter")
	// Binomial(2000, 0.5): 800..1200 is more than 8 standard deviations.
	if k := len(counters["sampled"]); k < 800 || k > 1200 {
		t.Errorf("rate 0.5 sent %d of %d", k, n)
	}
	for _, msg := range counters["sampled"] {
		if r := fields(msg)["rate"].FloatValue(); r != 0.5 {
			t.Fatalf("sampled counter carries rate %v", r)
		}
	}
	if k := len(counters["never"]); k != 0 {
		t.Errorf("rate 0 sent %d", k)
	}
	if k := len(counters["always"]); k != n {
		t.Errorf("rate 1 sent %d of %d", k, n)
	}
	timers := byName(decoded(t, cp), "timer")
	if len(timers["timing"]) != 100 || len(timers["timing.rated"]) != 100 {
		t.Errorf("Timing was sampled: %d and %d of 100", len(timers["timing"]), len(timers["timing.rated"]))
	}
	if r := fields(timers["timing.rated"][0])["rate"].FloatValue(); r != 0.25 {
		t.Errorf("Timing rate field %v, want 0.25", r)
	}
	if len(timers["t"]) != 0 {
		t.Errorf("sampled-out timer sent")
	}
}

func TestDisabledTimers(t *testing.T) {
	for _, mode := range []metrics.Mode{metrics.Direct, metrics.Aggregated} {
		for _, disabled := range [][]string{{"db", "cache"}, {"*"}} {
			c, cp := metlogtest.NewClient(t, core.FormatJSON)
			m := metrics.New(c, metrics.WithMode(mode), metrics.WithDisabledTimers(disabled...))
			m.Timing("db", time.Millisecond)
			if d := m.StartTimer("db").Stop(); d != 0 {
				t.Errorf("disabled timer Stop = %v", d)
			}
			ran := false
			m.Time("db", func() { ran = true })
			if !ran {
				t.Error("Time did not run fn of a disabled timer")
			}
			m.Timing("web", time.Millisecond)
			m.Incr("db", 1) // counters are not timers
			if err := m.Close(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			msgs := decoded(t, cp)
			timers, counters := byName(msgs, "timer"), byName(msgs, "counter")
			if len(timers["db"]) != 0 {
				t.Errorf("mode %d %v: disabled timer recorded", mode, disabled)
			}
			if wantWeb := disabled[0] != "*"; (len(timers["web"]) == 1) != wantWeb {
				t.Errorf("mode %d %v: timer web recorded %d times", mode, disabled, len(timers["web"]))
			}
			if len(counters["db"]) != 1 {
				t.Errorf("mode %d %v: counter db missing", mode, disabled)
			}
		}
	}
}

func TestAggregatedMessages(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, cp := metlogtest.NewClient(t, f)
			m := metrics.New(c, metrics.WithInterval(time.Hour))
			defer m.Close(context.Background())
			for range 10 {
				m.Incr("hits", 2)
				m.Incr("hits", 1, metrics.Rate(0.01)) // aggregated: every call counts
			}
			m.Incr("hits", 5, metrics.Tag("route", "/a"))
			m.Incr("hits", 4, metrics.Tag("route", "/a"))
			m.Gauge("temp", 1)
			m.Gauge("temp", 7.5)
			for i := 1; i <= 4; i++ {
				m.Timing("db", time.Duration(i)*time.Millisecond)
			}
			if err := m.Flush(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			msgs := decoded(t, cp)
			if len(msgs) != 4 {
				t.Fatalf("got %d messages, want 4: %v", len(msgs), msgs)
			}
			counters := byName(msgs, "counter")["hits"]
			if len(counters) != 2 {
				t.Fatalf("got %d hits counters, want 2 (plain and tagged)", len(counters))
			}
			for _, msg := range counters {
				fs := fields(msg)
				want := "30"
				if fs["route"].Str() == "/a" {
					want = "9"
				}
				if msg.Payload != want || fs["rate"].FloatValue() != 1 || msg.Severity != core.Info {
					t.Errorf("counter %v: payload %q rate %v, want %q 1", msg.Fields, msg.Payload, fs["rate"].Value(), want)
				}
			}
			if g := byName(msgs, "gauge")["temp"]; len(g) != 1 || g[0].Payload != "7.5" {
				t.Errorf("gauge: %v", g)
			}
			tm := byName(msgs, "timer")["db"]
			if len(tm) != 1 {
				t.Fatalf("timer messages: %d", len(tm))
			}
			fs := fields(tm[0])
			if tm[0].Payload != "2.5" || fs["count"].IntValue() != 4 || fs["sum"].FloatValue() != 10 ||
				fs["min"].FloatValue() != 1 || fs["max"].FloatValue() != 4 || fs["rate"].FloatValue() != 1 {
				t.Errorf("timer: payload %q fields %v", tm[0].Payload, tm[0].Fields)
			}
			if s := sortedCopy(floats(fs["samples"])); len(s) != 4 || s[0] != 1 || s[3] != 4 {
				t.Errorf("timer samples %v", s)
			}

			// Nothing changed: nothing is sent. Then only the new amount is.
			cp.Reset()
			if err := m.Flush(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			if n := cp.Len(); n != 0 {
				t.Errorf("idle flush sent %d messages", n)
			}
			m.Incr("hits", 1)
			m.Timing("db", time.Millisecond)
			if err := m.Flush(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			msgs = decoded(t, cp)
			if len(msgs) != 2 || byName(msgs, "counter")["hits"][0].Payload != "1" || fields(byName(msgs, "timer")["db"][0])["count"].IntValue() != 1 {
				t.Errorf("after idle flush: %v", msgs)
			}
		})
	}
}

func TestAggregatedTimerSamples(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithInterval(time.Hour), metrics.WithTimerSamples(10))
	defer m.Close(context.Background())
	var sum time.Duration
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		sum += d
		m.Timing("t", d)
		m.Timing("t.neg", -d) // counts as 0
	}
	if err := m.Flush(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	tm := byName(decoded(t, cp), "timer")
	fs := fields(tm["t"][0])
	if fs["count"].IntValue() != 1000 || fs["sum"].FloatValue() != float64(sum)/1e6 || fs["min"].FloatValue() != 0.001 || fs["max"].FloatValue() != 1 {
		t.Errorf("summary %v", tm["t"][0].Fields)
	}
	s := floats(fs["samples"])
	if len(s) != 10 {
		t.Errorf("kept %d samples, want 10", len(s))
	}
	for _, v := range s {
		if v < 0.001 || v > 1 || math.Round(v*1000) != v*1000 {
			t.Errorf("sample %v is not one of the timings", v)
		}
	}
	if neg := tm["t.neg"][0]; neg.Payload != "0" || fields(neg)["max"].FloatValue() != 0 {
		t.Errorf("negative timings: %v", neg)
	}

	c2, cp2 := metlogtest.NewClient(t, core.FormatJSON)
	m2 := metrics.New(c2, metrics.WithTimerSamples(0))
	m2.Timing("t", time.Millisecond)
	if err := m2.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	msgs := decoded(t, cp2)
	if _, ok := fields(msgs[0])["samples"]; ok || len(msgs) != 1 {
		t.Errorf("WithTimerSamples(0): %v", msgs)
	}
}

func TestAggregatedInterval(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithInterval(20*time.Millisecond))
	defer m.Close(context.Background())
	m.Incr("tick", 1)
	if !cp.Wait(1, 5*time.Second) {
		t.Fatal("no message flushed by the interval")
	}
	if st := m.Stats(); st.Flushes == 0 || st.Messages != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestCloseLeavesClientOpen(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithInterval(time.Hour))
	m.Incr("a", 2)
	m.Gauge("g", 3)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	if n := cp.Len(); n != 2 {
		t.Errorf("Close delivered %d messages, want 2", n)
	}
	if err := c.Send(&core.Message{Type: "after", Payload: "x"}); err != nil {
		t.Errorf("client closed by Metrics.Close: %v", err)
	}
	m.Incr("a", 1)
	m.Timing("t", time.Millisecond)
	m.StartTimer("t").Stop()
	if st := m.Stats(); st.Dropped != 3 {
		t.Errorf("calls after Close: Dropped = %d, want 3", st.Dropped)
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := m.Flush(ctx5s(t)); err != nil {
		t.Errorf("Flush after Close: %v", err)
	}
}

func TestSeverityAndLogger(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatHeka)
	m := metrics.New(c, metrics.WithMode(metrics.Direct), metrics.WithSeverity(core.Notice), metrics.WithLogger("metrics"))
	m.Incr("a", 1)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	msg := decoded(t, cp)[0]
	if msg.Severity != core.Notice || msg.Logger != "metrics" {
		t.Errorf("severity %v logger %q", msg.Severity, msg.Logger)
	}
}

func TestClientFilters(t *testing.T) {
	// A client that filters out counters gets none, in either mode.
	for _, mode := range []metrics.Mode{metrics.Direct, metrics.Aggregated} {
		c, cp := metlogtest.NewClient(t, core.FormatJSON, core.WithoutTypes("counter"))
		m := metrics.New(c, metrics.WithMode(mode))
		m.Incr("a", 1)
		m.Gauge("g", 1)
		if err := m.Close(ctx5s(t)); err != nil {
			t.Fatal(err)
		}
		msgs := decoded(t, cp)
		if len(msgs) != 1 || msgs[0].Type != "gauge" {
			t.Errorf("mode %d: %v", mode, msgs)
		}
	}
}

func TestTagsAreCopied(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithInterval(time.Hour))
	ids := []int64{1, 2}
	name := []byte("reused")
	m.Incr(string(name), 1, metrics.Field(core.Ints("ids", ids)), metrics.Field(core.Group("g", core.String("k", "v"))))
	ids[0] = 99
	m.Incr("reused", 1, metrics.Field(core.Ints("ids", []int64{1, 2})), metrics.Field(core.Group("g", core.String("k", "v"))))
	m.Incr("reused", 1, metrics.Field(core.Ints("ids", ids)), metrics.Field(core.Group("g", core.String("k", "v"))))
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, msg := range decoded(t, cp) {
		got[fields(msg)["ids"].IntsValue()[0]] = msg.Payload
	}
	if got[1] != "2" || got[99] != "1" || len(got) != 2 {
		t.Errorf("series by tag: %v", got)
	}
}

// gateSender blocks every Send until the gate opens, then captures.
type gateSender struct {
	gate chan struct{}
	cp   *core.Capture
}

func (g *gateSender) Send(b *core.Batch) (int, error) { <-g.gate; return g.cp.Send(b) }
func (g *gateSender) Close() error                    { return g.cp.Close() }

// TestRequeueWhenRingFull: aggregated counters that the client's ring has
// no room for are kept for the next flush, so totals stay exact.
func TestRequeueWhenRingFull(t *testing.T) {
	gs := &gateSender{gate: make(chan struct{}), cp: core.NewCapture()}
	c, err := core.New("", core.WithSender(gs), core.WithMaxMessageSize(512), core.WithBufferSize(4096))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(c, metrics.WithInterval(time.Hour))
	const names = 40
	for i := range names {
		m.Incr("n"+strconv.Itoa(i), int64(i+1))
		m.Timing("t"+strconv.Itoa(i), time.Millisecond)
	}
	stuck, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := m.Flush(stuck); err == nil { // the sender is stuck
		t.Fatal("Flush returned nil with the sender stuck")
	}
	if st := m.Stats(); st.Requeued == 0 {
		t.Fatalf("no value requeued with a full ring: %+v", st)
	}
	close(gs.gate)
	for range 20 {
		if err := m.Flush(ctx5s(t)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	msgs := decoded(t, gs.cp)
	sums := map[string]int64{}
	counts := map[string]int64{}
	for _, msg := range msgs {
		fs := fields(msg)
		switch msg.Type {
		case "counter":
			v, _ := strconv.ParseInt(msg.Payload, 10, 64)
			sums[fs["name"].Str()] += v
		case "timer":
			counts[fs["name"].Str()] += fs["count"].IntValue()
		}
	}
	for i := range names {
		if s := sums["n"+strconv.Itoa(i)]; s != int64(i+1) {
			t.Errorf("counter n%d: total %d, want %d", i, s, i+1)
		}
		if k := counts["t"+strconv.Itoa(i)]; k != 1 {
			t.Errorf("timer t%d: count %d, want 1", i, k)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, f := range metlogtest.Formats {
		for _, mode := range []metrics.Mode{metrics.Direct, metrics.Aggregated} {
			c, cp := metlogtest.NewClient(t, f)
			m := metrics.New(c, metrics.WithMode(mode))
			m.Gauge("nan", math.NaN())
			m.Gauge("inf", math.Inf(-1))
			m.Incr("bad\xff\xfeutf8", 1)
			m.Incr(strings.Repeat("huge", 50000), 1)
			m.Timing("neg", -time.Second)
			m.Time("nil", nil)
			m.Incr("", 1)
			m.Incr("tags", 1, metrics.Field(core.Float("x", math.NaN())), metrics.Field(core.Group("")), metrics.Tag("", "\xff"))
			func() {
				defer func() { _ = recover() }()
				m.Time("panics", func() { panic("boom") })
			}()
			if err := m.Close(ctx5s(t)); err != nil {
				t.Fatal(err)
			}
			msgs := decoded(t, cp)
			got := map[string]string{}
			for _, msg := range msgs {
				got[fields(msg)["name"].Str()] = msg.Payload
			}
			if got["nan"] != "NaN" || got["inf"] != "-Inf" || got["neg"] != "0" || got["bad\ufffd\ufffdutf8"] != "1" {
				t.Errorf("%v mode %d: payloads %v", f, mode, got)
			}
			if _, ok := got["panics"]; !ok {
				t.Errorf("%v mode %d: a panicking Time recorded nothing", f, mode)
			}
			if _, ok := got["tags"]; !ok {
				t.Errorf("%v mode %d: odd tags lost the counter", f, mode)
			}
		}
	}
	// A nil Metrics and one without a client do nothing.
	var nilM *metrics.Metrics
	for _, m := range []*metrics.Metrics{nilM, metrics.New(nil)} {
		m.Incr("a", 1)
		m.Gauge("a", 1)
		m.Timing("a", 1)
		if d := m.StartTimer("a").Stop(); d != 0 {
			t.Errorf("no-op timer Stop = %v", d)
		}
		m.Time("a", func() {})
		if err := m.Flush(context.Background()); err != nil {
			t.Error(err)
		}
		if err := m.Close(context.Background()); err != nil {
			t.Error(err)
		}
		_ = m.Stats()
	}
	var zero metrics.Timer
	if zero.Stop() != 0 {
		t.Error("zero Timer Stop != 0")
	}
}

// TestTimeRecordsDuration checks Time against the Timer it wraps.
func TestTimeRecordsDuration(t *testing.T) {
	c, cp := metlogtest.NewClient(t, core.FormatJSON)
	m := metrics.New(c, metrics.WithMode(metrics.Direct))
	var wg sync.WaitGroup
	wg.Add(1)
	m.Time("sleep", func() { time.Sleep(5 * time.Millisecond); wg.Done() }, metrics.Tag("k", "v"))
	wg.Wait()
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	msg := decoded(t, cp)[0]
	v, err := strconv.ParseFloat(msg.Payload, 64)
	if err != nil || v < 5 || fields(msg)["k"].Str() != "v" {
		t.Errorf("Time sent %q (%v) %v", msg.Payload, err, msg.Fields)
	}
}

// TestClientCloseFlushesMetrics: closing only the client loses nothing that
// Metrics aggregated: the client's Close hands it over first; a call made
// after that is counted as dropped at once.
func TestClientCloseFlushesMetrics(t *testing.T) {
	capt := core.NewCapture()
	c, err := core.New("", core.WithSender(capt), core.WithFormat(core.FormatHeka))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(c, metrics.WithInterval(time.Hour))
	m.Incr("c", 2)
	m.Incr("c", 3)
	m.Gauge("g", 7)
	m.Timing("t", time.Millisecond)
	if err := c.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	msgs, err := capt.Messages()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, msg := range msgs {
		for _, f := range msg.Fields {
			if f.Name == "name" {
				got[msg.Type+" "+f.Str()] = msg.Payload
			}
		}
	}
	want := map[string]string{"counter c": "5", "gauge g": "7", "timer t": "1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if st := c.Stats(); st.Sent != 3 || st.Dropped != 0 {
		t.Errorf("client stats %+v", st)
	}
	m.Incr("late", 1)
	if st := m.Stats(); st.Dropped != 1 {
		t.Errorf("a call after the client closed is not counted at once: %+v", st)
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
}
