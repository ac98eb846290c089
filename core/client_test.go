package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func newCaptureClient(t *testing.T, f Format, opts ...Option) (*Client, *Capture) {
	t.Helper()
	capt := NewCapture()
	c, err := New("", append([]Option{WithSender(capt), WithFormat(f)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c, capt
}

func flush(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestClientSendDecodes(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := newCaptureClient(t, f, WithLogger("app"), WithFields(String("env", "test")), WithSeverity(Warning))
			c.Send(&Message{Type: "deploy", Severity: Notice, Payload: "v1.2", Fields: []Field{Int("hosts", 12)}})
			c.Send(&Message{Type: "x", Severity: DefaultSeverity, Logger: "other", Payload: "p"})
			flush(t, c)
			msgs, err := capt.Messages()
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 2 {
				t.Fatalf("captured %d messages, want 2", len(msgs))
			}
			m := msgs[0]
			if m.Type != "deploy" || m.Severity != Notice || m.Logger != "app" || m.Payload != "v1.2" || m.Pid != processPid || m.Hostname != processHostname || m.EnvVersion != EnvVersion {
				t.Errorf("first message envelope: %+v", m)
			}
			if len(m.Fields) != 2 || m.Fields[0].Name != "env" || m.Fields[0].Str() != "test" || m.Fields[1].Name != "hosts" || m.Fields[1].IntValue() != 12 {
				t.Errorf("first message fields: %s", dumpFields(m.Fields))
			}
			if d := time.Since(m.Timestamp); d < 0 || d > time.Minute {
				t.Errorf("timestamp %v is not now", m.Timestamp)
			}
			if m2 := msgs[1]; m2.Severity != Warning || m2.Logger != "other" {
				t.Errorf("DefaultSeverity should take the client's (warning), logger kept: got %v %q", m2.Severity, m2.Logger)
			}
			st := c.Stats()
			if st.Sent != 2 || st.Enqueued != 2 || st.Pending != 0 || st.BytesSent == 0 {
				t.Errorf("stats %+v", st)
			}
			checkInvariants(t, st, 2)
		})
	}
}

func TestClientFilters(t *testing.T) {
	keepOdd := func(m *Message) bool { return !strings.HasPrefix(m.Payload, "drop") }
	c, capt := newCaptureClient(t, FormatJSON,
		WithMaxSeverity(Info),
		WithoutTypes("noise"),
		WithTypeMaxSeverity("db", Warning),
		WithFilter(keepOdd))
	send := []struct {
		m    Message
		pass bool
	}{
		{Message{Type: "app", Severity: Info}, true},
		{Message{Type: "app", Severity: Debug}, false},   // above max severity
		{Message{Type: "noise", Severity: Error}, false}, // denied type
		{Message{Type: "db", Severity: Notice}, false},   // above db's max
		{Message{Type: "db", Severity: Error}, true},
		{Message{Type: "app", Severity: Error, Payload: "drop me"}, false}, // predicate
	}
	passed := 0
	for i := range send {
		if got := c.Enabled(send[i].m.Type, send[i].m.Severity); got != send[i].pass && send[i].m.Payload == "" {
			t.Errorf("Enabled(%q, %v) = %v, want %v", send[i].m.Type, send[i].m.Severity, got, send[i].pass)
		}
		if err := c.Send(&send[i].m); err != nil {
			t.Fatal(err)
		}
		if send[i].pass {
			passed++
		}
	}
	flush(t, c)
	if capt.Len() != passed {
		t.Fatalf("captured %d, want %d", capt.Len(), passed)
	}
	st := c.Stats()
	if st.Filtered != uint64(len(send)-passed) {
		t.Errorf("Filtered = %d, want %d", st.Filtered, len(send)-passed)
	}
	checkInvariants(t, st, uint64(len(send)))

	allow, capt2 := newCaptureClient(t, FormatHeka, WithTypes("counter", "timer"))
	allow.Send(&Message{Type: "counter"})
	allow.Send(&Message{Type: "oldstyle"})
	flush(t, allow)
	if capt2.Len() != 1 || allow.Stats().Filtered != 1 {
		t.Errorf("allow-list: captured %d, filtered %d; want 1 and 1", capt2.Len(), allow.Stats().Filtered)
	}
}

func TestClientOversizeCounted(t *testing.T) {
	c, capt := newCaptureClient(t, FormatHeka, WithMaxMessageSize(1024))
	big := strings.Repeat("x", 4096)
	if err := c.Send(&Message{Type: "t", Payload: big}); err != nil {
		t.Fatalf("payload over the limit should be truncated, got %v", err)
	}
	err := c.Send(&Message{Type: "t", Fields: []Field{String("huge", big)}})
	if !errors.Is(err, ErrOversize) {
		t.Fatalf("fields over the limit: err = %v, want ErrOversize", err)
	}
	flush(t, c)
	msgs, err := capt.Messages()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("captured %d messages (%v), want the truncated one", len(msgs), err)
	}
	if st := c.Stats(); st.Drops.Oversize != 1 {
		t.Errorf("Drops.Oversize = %d, want 1", st.Drops.Oversize)
	}
}

func TestClientCloseIdempotentAndCounts(t *testing.T) {
	capt := NewCapture()
	c, err := New("", WithSender(capt))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		c.Send(&Message{Type: "t"})
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = c.Close(context.Background()) }(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if capt.Len() != 100 {
		t.Fatalf("Close delivered %d of 100", capt.Len())
	}
	if err := c.Send(&Message{Type: "late"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close = %v, want ErrClosed", err)
	}
	st := c.Stats()
	if st.Drops.Closed != 1 || st.Pending != 0 {
		t.Fatalf("stats after close: %+v", st)
	}
	checkInvariants(t, st, 101)
	if err := c.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after Close with nothing pending: %v", err)
	}
}

// TestClientConcurrentSendExact sends from many goroutines through the real
// client and checks every message arrived exactly once.
func TestClientConcurrentSendExact(t *testing.T) {
	const workers, each = 8, 2000
	c, capt := newCaptureClient(t, FormatHeka, WithBufferSize(16<<20))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var buf []byte
			for i := 0; i < each; i++ {
				m, b := seqMessage(w*each+i, buf)
				buf = b
				if err := c.Send(&m); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	flush(t, c)
	seen := checkSeqs(t, FormatHeka, capt.Frames(), workers*each)
	for s, n := range seen {
		if n != 1 {
			t.Fatalf("message %d arrived %d times", s, n)
		}
	}
	checkInvariants(t, c.Stats(), workers*each)
}

// failingSender refuses everything as unavailable until up is set.
type failingSender struct {
	mu    sync.Mutex
	up    bool
	inner *Capture
	tries int
}

func (s *failingSender) Send(b *Batch) (int, error) {
	s.mu.Lock()
	up := s.up
	s.tries++
	s.mu.Unlock()
	if !up {
		return 0, ErrUnavailable
	}
	return s.inner.Send(b)
}
func (s *failingSender) Close() error { return nil }
func (s *failingSender) setUp() {
	s.mu.Lock()
	s.up = true
	s.mu.Unlock()
}

func TestClientFallbackWhileUnavailable(t *testing.T) {
	primary := &failingSender{inner: NewCapture()}
	fb := NewCapture()
	c, err := New("", WithSender(primary), WithFallback(fb), WithBackoff(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for i := 0; i < 10; i++ {
		c.Send(&Message{Type: "t"})
	}
	flush(t, c)
	if fb.Len() != 10 || c.Stats().Fallback != 10 {
		t.Fatalf("fallback got %d (stat %d), want 10", fb.Len(), c.Stats().Fallback)
	}
	primary.setUp()
	time.Sleep(30 * time.Millisecond) // past the back-off
	c.Send(&Message{Type: "t"})
	flush(t, c)
	st := c.Stats()
	if primary.inner.Len() != 1 || st.Sent != 1 || st.Reconnects != 1 {
		t.Fatalf("after recovery: primary %d, stats %+v", primary.inner.Len(), st)
	}
	checkInvariants(t, st, 11)
}

func TestClientRetriesUntilUp(t *testing.T) {
	primary := &failingSender{inner: NewCapture()}
	c, err := New("", WithSender(primary), WithBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for i := 0; i < 5; i++ {
		c.Send(&Message{Type: "t"})
	}
	time.Sleep(20 * time.Millisecond)
	primary.setUp()
	flush(t, c)
	st := c.Stats()
	if primary.inner.Len() != 5 || st.Sent != 5 || st.Errors == 0 || st.Reconnects != 1 {
		t.Fatalf("retry: delivered %d, stats %+v", primary.inner.Len(), st)
	}
}

func TestClientCloseDeadlineCountsUndelivered(t *testing.T) {
	primary := &failingSender{inner: NewCapture()} // never comes up
	c, err := New("", WithSender(primary), WithBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		c.Send(&Message{Type: "t"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "50 messages undelivered") {
		t.Fatalf("Close = %v, want deadline exceeded with 50 undelivered", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v past a 50ms deadline", d)
	}
	st := c.Stats()
	if st.Drops.Failed != 50 || st.Pending != 0 {
		t.Fatalf("stats %+v, want 50 failed, 0 pending", st)
	}
	checkInvariants(t, st, 50)
}

func TestClientFlushDeadline(t *testing.T) {
	primary := &failingSender{inner: NewCapture()}
	c, err := New("", WithSender(primary), WithBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	c.Send(&Message{Type: "t"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := c.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush while the router is down = %v, want deadline exceeded", err)
	}
	primary.setUp()
	flush(t, c)
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		addr string
		opts []Option
	}{
		{"nowhere", nil},
		{"gopher://x", nil},
		{"stdout://x", nil},
		{"file://", nil},
		{"udp://", nil},
		{"", []Option{WithSender(NewCapture()), WithBufferSize(1000)}},
		{"", []Option{WithSender(NewCapture()), WithHMAC("ops", 1, "sha256", "k")}},
		{"", []Option{WithSender(NewCapture()), WithSeverity(9)}},
	} {
		if c, err := New(tc.addr, tc.opts...); err == nil {
			c.Close(context.Background())
			t.Errorf("New(%q, ...) succeeded, want an error", tc.addr)
		}
	}
}

// TestTopFieldsOutsideScopeGroups: a message's top-level fields stay at the
// top level even when its scope leaves groups open.
func TestTopFieldsOutsideScopeGroups(t *testing.T) {
	scope := NewScope(FormatJSON).With(String("req", "r1")).WithGroup("g").With(Int("a", 1)).WithGroup("h")
	m := &Message{Type: "t", Scope: scope, Fields: []Field{Int("b", 2)}, TopFields: []Field{Group("source", String("file", "x.go"))}}
	for _, f := range []Format{FormatJSON, FormatHeka} {
		c, capt := newCaptureClient(t, f)
		c.Send(m)
		c.Send(&Message{Type: "t", TopFields: []Field{Bool("only", true)}})
		flush(t, c)
		msgs, err := capt.Messages()
		if err != nil {
			t.Fatal(err)
		}
		var want, want2 string
		if f == FormatJSON {
			want = dumpFields([]Field{String("req", "r1"), Group("g", Int("a", 1), Group("h", Int("b", 2))), Group("source", String("file", "x.go"))})
			want2 = dumpFields([]Field{Bool("only", true)})
		} else {
			want = dumpFields([]Field{String("req", "r1"), Int("g.a", 1), Int("g.h.b", 2), String("source.file", "x.go")})
			want2 = dumpFields([]Field{Bool("only", true)})
		}
		if got := dumpFields(msgs[0].Fields); got != want {
			t.Errorf("%v: fields\n%s\nwant\n%s", f, got, want)
		}
		if got := dumpFields(msgs[1].Fields); got != want2 {
			t.Errorf("%v: fields\n%s\nwant\n%s", f, got, want2)
		}
	}
}

// TestFilterPredicateNoAlloc: a configured predicate costs no allocation.
func TestFilterPredicateNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	c, _ := newCaptureClient(t, FormatJSON, WithFilter(func(m *Message) bool { return m.Type != "drop" }))
	m := Message{Type: "drop", Severity: Info}
	if n := testing.AllocsPerRun(1000, func() { c.Send(&m) }); n != 0 {
		t.Fatalf("Send with a filter predicate allocates %v times", n)
	}
}

// TestSendLiteralNoAllocs: the generic call with a message and fields built
// in place costs no allocation, with or without a filter predicate (which
// sees a copy, so the caller's stack values stay on the stack).
func TestSendLiteralNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	seen := 0
	for _, opts := range [][]Option{nil, {WithFilter(func(m *Message) bool {
		if m.Type == "t" && len(m.Fields) == 2 && m.Fields[1].IntValue() == 1 && m.Payload == "p" {
			seen++
		}
		return true
	})}} {
		c, _ := newCaptureClient(t, FormatJSON, append(opts, WithSender(NewWriterSender(io.Discard)))...)
		if n := testing.AllocsPerRun(1000, func() {
			c.Send(&Message{Type: "t", Payload: "p", Fields: []Field{String("a", "b"), Int("n", 1)}})
		}); n != 0 {
			t.Errorf("Send of a literal message allocates %v times (predicate: %v)", n, opts != nil)
		}
	}
	if seen != 1001 {
		t.Errorf("the predicate saw %d correct copies, want 1001", seen)
	}
}

// TestEnabledInvalidSeverity: Enabled treats a severity outside 0-7 as the
// client's default, as Send does, so an adapter's custom level mapping
// cannot make it refuse what Send would accept (or the reverse).
func TestEnabledInvalidSeverity(t *testing.T) {
	c, _ := newCaptureClient(t, FormatJSON, WithMaxSeverity(Info))
	if !c.Enabled("t", Severity(9)) {
		t.Error("Enabled(9) = false; the default (info) passes max severity info")
	}
	if c.Enabled("t", Severity(9)) != c.Enabled("t", c.Severity()) {
		t.Error("Enabled(9) differs from Enabled(default)")
	}
	d, _ := newCaptureClient(t, FormatJSON, WithMaxSeverity(Notice), WithSeverity(Debug))
	if d.Enabled("t", DefaultSeverity) || d.Enabled("t", Severity(12)) {
		t.Error("invalid severities should take the default (debug), which max severity notice filters")
	}
}

// TestFilterPredicatePanics: a panicking predicate neither escapes Send nor
// loses the message; the panic is counted in Errors.
func TestFilterPredicatePanics(t *testing.T) {
	c, capt := newCaptureClient(t, FormatJSON, WithFilter(func(m *Message) bool {
		if m.Payload == "boom" {
			panic("predicate boom")
		}
		return true
	}))
	if err := c.Send(&Message{Type: "t", Payload: "boom"}); err != nil {
		t.Fatal(err)
	}
	c.Send(&Message{Type: "t", Payload: "fine"})
	flush(t, c)
	if capt.Len() != 2 {
		t.Fatalf("captured %d messages, want both", capt.Len())
	}
	st := c.Stats()
	if st.Errors != 1 || st.Sent != 2 {
		t.Fatalf("stats %+v: want 1 error and 2 sent", st)
	}
	checkInvariants(t, st, 2)
}

// TestCloseExpiredContextIdle: with nothing queued, Close succeeds even
// when its context has already expired.
func TestCloseExpiredContextIdle(t *testing.T) {
	for i := 0; i < 20; i++ {
		c, err := New("", WithSender(NewCapture()))
		if err != nil {
			t.Fatal(err)
		}
		c.Send(&Message{Type: "t"})
		flush(t, c)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c.Close(ctx); err != nil {
			t.Fatalf("Close of an idle client with an expired context: %v", err)
		}
	}
}

// TestOnePSmallRingCounts: with one P, a small ring and a producer that
// never blocks, every message is accounted for exactly and the consumer
// delivers (producers yield to it when the ring is crowded). How many drop
// depends on the machine's load, so the drop rate is a benchmark
// (BenchmarkOnePSmallRing), not asserted here.
func TestOnePSmallRingCounts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 200_000
	c, err := New("", WithSender(NewWriterSender(io.Discard)), WithBufferSize(64<<10), WithMaxMessageSize(1024))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	payload := strings.Repeat("x", 100)
	for i := 0; i < n; i++ {
		m := Message{Type: "t", Payload: payload, Fields: []Field{Int64("i", int64(i))}}
		if err := c.Send(&m); err != nil && !errors.Is(err, ErrFull) {
			t.Fatal(err)
		}
	}
	flush(t, c)
	st := c.Stats()
	checkInvariants(t, st, n)
	if st.Sent == 0 {
		t.Error("nothing delivered")
	}
}

// TestZeroSeverityIsClientDefault: a message that sets no severity (the
// zero Severity) arrives at the client's default severity, never at
// Emergency: syslog 4 with WithSeverity(Warning), 6 on a default client.
// The JSON check reads the wire text itself.
func TestZeroSeverityIsClientDefault(t *testing.T) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		for _, tc := range []struct {
			opts []Option
			want int
		}{
			{[]Option{WithSeverity(Warning)}, 4},
			{nil, 6},
		} {
			c, capt := newCaptureClient(t, f, tc.opts...)
			if err := c.Send(&Message{Type: "t"}); err != nil {
				t.Fatal(err)
			}
			flush(t, c)
			msgs, err := capt.Messages()
			if err != nil || len(msgs) != 1 {
				t.Fatalf("%s: %d messages, %v", f, len(msgs), err)
			}
			if got := msgs[0].Severity.Number(); got != tc.want {
				t.Errorf("%s: severity %d, want %d", f, got, tc.want)
			}
			if f == FormatJSON {
				if wire := fmt.Sprintf(`"severity":%d,`, tc.want); !bytes.Contains(capt.Frames()[0], []byte(wire)) {
					t.Errorf("json frame %s lacks %s", capt.Frames()[0], wire)
				}
			}
		}
	}
	var m Message
	if m.Severity != DefaultSeverity || m.Severity.Number() != -1 || m.Severity.String() != "default" {
		t.Errorf("zero Severity = %v (number %d), want DefaultSeverity", m.Severity, m.Severity.Number())
	}
}

// TestSeverityNumbers: the constants carry the syslog numbers on the wire
// and back.
func TestSeverityNumbers(t *testing.T) {
	all := []Severity{Emergency, Alert, Critical, Error, Warning, Notice, Info, Debug}
	for n, s := range all {
		if s.Number() != n || !s.Valid() {
			t.Errorf("%v.Number() = %d, want %d", s, s.Number(), n)
		}
		if got, ok := SeverityFromNumber(n); !ok || got != s {
			t.Errorf("SeverityFromNumber(%d) = %v, %v", n, got, ok)
		}
		if got, ok := ParseSeverity(fmt.Sprint(n)); !ok || got != s {
			t.Errorf("ParseSeverity(%d) = %v, %v", n, got, ok)
		}
		if got, ok := ParseSeverity(s.String()); !ok || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s.String(), got, ok)
		}
	}
	for _, n := range []int{-1, 8, 100} {
		if _, ok := SeverityFromNumber(n); ok {
			t.Errorf("SeverityFromNumber(%d) accepted", n)
		}
	}
}
