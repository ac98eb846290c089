package frameq

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// captureSink keeps a copy of every frame; fail makes Send fail as
// unavailable while it is set.
type captureSink struct {
	mu     sync.Mutex
	frames []string
	fail   bool
	closed bool
}

func (s *captureSink) Send(b *Batch) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, fmt.Errorf("down: %w", ErrUnavailable)
	}
	for i := 0; i < b.Len(); i++ {
		s.frames = append(s.frames, string(b.Frame(i)))
	}
	return b.Len(), nil
}

func (s *captureSink) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

func (s *captureSink) setFail(v bool) {
	s.mu.Lock()
	s.fail = v
	s.mu.Unlock()
}

func (s *captureSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.frames...)
}

func flush(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestQueueDeliversInOrder: frames arrive whole, in order, and the counts
// add up; Close closes the sink.
func TestQueueDeliversInOrder(t *testing.T) {
	s := &captureSink{}
	q := New(s, Config{Size: 1 << 10, BatchSize: 100})
	var want []string
	for i := range 500 {
		f := "frame-" + strconv.Itoa(i) + "\n"
		for q.Push([]byte(f)) != OK {
			flush(t, q)
		}
		want = append(want, f)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := s.got()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %d frames, want %d, or out of order", len(got), len(want))
	}
	c := q.Counts()
	if c.Pushed != 500 || c.Sent != 500 || c.Pending() != 0 || !s.closed {
		t.Fatalf("counts %+v, sink closed %v", c, s.closed)
	}
	if q.Push([]byte("late")) != Closed || q.Counts().Closed != 1 {
		t.Fatal("a push after Close is not refused and counted")
	}
}

// TestQueueCloseBoundedWithoutDeadline: with the sink down, Close under a
// context without a deadline returns after CloseTimeout, counting what was
// left as failed.
func TestQueueCloseBoundedWithoutDeadline(t *testing.T) {
	s := &captureSink{fail: true}
	q := New(s, Config{Size: 1 << 10, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond, CloseTimeout: 50 * time.Millisecond})
	for range 5 {
		q.Push([]byte("x\n"))
	}
	err := q.Close(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want a deadline error", err)
	}
	if c := q.Counts(); c.Failed != 5 || c.Pending() != 0 || c.Errors == 0 {
		t.Fatalf("counts %+v", c)
	}
}

// TestQueueRetriesThenDelivers: frames the sink refuses as unavailable are
// retried after back-off, not lost.
func TestQueueRetriesThenDelivers(t *testing.T) {
	s := &captureSink{fail: true}
	q := New(s, Config{Size: 1 << 10, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond})
	q.Push([]byte("a\n"))
	q.Push([]byte("b\n"))
	for q.Counts().Errors < 3 {
		time.Sleep(time.Millisecond)
	}
	s.setFail(false)
	flush(t, q)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.got(); fmt.Sprint(got) != "[a\n b\n]" {
		t.Fatalf("got %q", got)
	}
	if c := q.Counts(); c.Sent != 2 || c.Failed != 0 || c.Recovered != 1 {
		t.Fatalf("counts %+v", c)
	}
}

// retryLater fails with a Retry-After.
type retryLater struct{ d time.Duration }

func (e retryLater) Error() string             { return "retry later" }
func (e retryLater) Unwrap() error             { return ErrUnavailable }
func (e retryLater) RetryAfter() time.Duration { return e.d }

// onceSink fails its first call with a Retry-After of d and records when
// each call came.
type onceSink struct {
	mu sync.Mutex
	d  time.Duration
	at []time.Time
}

func (s *onceSink) Send(b *Batch) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, time.Now())
	if len(s.at) == 1 {
		return 0, retryLater{s.d}
	}
	return b.Len(), nil
}

func (s *onceSink) Close() error { return nil }

func (s *onceSink) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// TestQueueHonoursRetryAfter: an error carrying a Retry-After delays the
// next attempt at least that long, whatever the back-off says.
func TestQueueHonoursRetryAfter(t *testing.T) {
	s := &onceSink{d: 80 * time.Millisecond}
	q := New(s, Config{Size: 1 << 10, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond})
	q.Push([]byte("a\n"))
	flush(t, q)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	at := s.times()
	if len(at) != 2 {
		t.Fatalf("%d calls, want 2", len(at))
	}
	if d := at[1].Sub(at[0]); d < 80*time.Millisecond {
		t.Fatalf("retried after %v, want at least the Retry-After of 80ms", d)
	}
}

// TestRingEntriesStaleAfterDrain: once the consumer has delivered
// everything, no length entry reads as published for the frame that will
// reuse it next, so that a producer reusing one publishes it only when its
// copy is done (a stale length taken for a published one would let the
// consumer read a frame not yet written). The entries wrap several times
// over, an odd and an even number of passes.
func TestRingEntriesStaleAfterDrain(t *testing.T) {
	for _, dropOldest := range []bool{false, true} {
		for _, passes := range []int{9, 10} {
			s := &captureSink{}
			q := New(s, Config{Size: 4 << 10, DropOldest: dropOldest})
			sent := 0
			for i := 0; i < passes*int(q.ring.nlens)+7; i++ {
				if q.Push([]byte(strconv.Itoa(i))) == OK {
					sent++
				}
				if i%32 == 0 {
					flush(t, q)
				}
			}
			flush(t, q)
			c := q.Counts()
			if got := len(s.got()); got == 0 || c.Sent != uint64(got) {
				t.Fatalf("dropOldest %v: %d frames captured, Sent %d", dropOldest, got, c.Sent)
			}
			if !dropOldest && c.Sent != uint64(sent) {
				t.Fatalf("dropOldest %v: %d pushes accepted, %d delivered (%+v)", dropOldest, sent, c.Sent, c)
			}
			tail, _ := q.ring.counts()
			for lpos := tail; lpos < tail+q.ring.nlens; lpos++ {
				if e := q.ring.slot(lpos).Load(); q.ring.ready(lpos, e) {
					t.Fatalf("dropOldest %v: the entry of the next frame %d reads published (%#x) before it is pushed", dropOldest, lpos, e)
				}
			}
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// shortSink takes no frame and reports no error, as a faulty fallback
// might.
type shortSink struct{}

func (shortSink) Send(*Batch) (int, error) { return 0, nil }
func (shortSink) Close() error             { return nil }

// TestFallbackShortCounted: frames a fallback neither delivers nor reports
// an error for are counted failed, with an error, so that Close leaves
// nothing pending.
func TestFallbackShortCounted(t *testing.T) {
	down := &captureSink{fail: true}
	var errs int
	q := New(down, Config{Size: 64 << 10, Fallback: shortSink{}, OnError: func(error) { errs++ }})
	for range 5 {
		if r := q.Push([]byte("frame")); r != OK {
			t.Fatal(r)
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := q.Counts()
	if c.Failed != 5 || c.Pending() != 0 || c.Fallback != 0 {
		t.Errorf("counts %+v (pending %d), want 5 failed and none pending", c, c.Pending())
	}
	if errs == 0 || c.Errors == 0 {
		t.Errorf("%d errors heard, %d counted; want the fallback's short delivery reported", errs, c.Errors)
	}
}
