// Package frameq is metlog-go's one transport: a bounded queue of encoded
// frames with many producers and one consumer goroutine that delivers them
// in batches to a Sink, retrying with capped, jittered back-off while the
// sink is unavailable. Producers never wait on the sink or on the consumer:
// when the ring is full a frame is dropped and counted. The client, the
// statsd output and the router's endpoints all deliver through it.
package frameq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Sink delivers batches of frames. The queue calls Send from its one
// consumer goroutine; Close may be called concurrently with Send to abort it
// (a stalled peer when Close's deadline passes).
type Sink interface {
	// Send writes the batch's frames in order and returns how many leading
	// frames were delivered completely.
	//
	// An error wrapping ErrUnavailable (refused, broken or stalled
	// connection) makes the queue retry the frames after the first n after
	// a back-off, or hand them to its fallback. With any other error n
	// counts the frames delivered anywhere in the batch; the rest are
	// counted as failed.
	Send(b *Batch) (int, error)
	// Close releases the sink.
	Close() error
}

// ErrUnavailable marks a sink error after which delivery should be retried.
var ErrUnavailable = errors.New("metlog: router unavailable")

// RetryAfter is implemented by sink errors that say when to try again (an
// HTTP 429's Retry-After); the queue waits at least that long.
type RetryAfter interface {
	RetryAfter() time.Duration
}

// Config tunes a Queue. Zero values take the defaults below.
type Config struct {
	Size         int           // ring bytes (required: at least two frames of the largest size)
	DropOldest   bool          // a full ring discards its oldest frames instead of the new one
	BatchSize    int           // bytes per Send at most (DefaultBatchSize)
	Linger       time.Duration // how long a woken consumer lets frames gather (0: none)
	BackoffMin   time.Duration // DefaultBackoffMin
	BackoffMax   time.Duration // DefaultBackoffMax
	CloseTimeout time.Duration // bound of Flush and Close under a context without deadline (DefaultCloseTimeout)
	Fallback     Sink          // takes frames while the sink is unavailable (optional)
	NoRetry      bool          // while the sink is unavailable, frames fail instead of waiting for it
	OnError      func(error)   // called with every sink error, from the consumer goroutine (optional)
}

// Defaults of Config.
const (
	DefaultBatchSize    = 64 << 10
	DefaultBackoffMin   = 50 * time.Millisecond
	DefaultBackoffMax   = 5 * time.Second
	DefaultCloseTimeout = 5 * time.Second
)

// cacheLine is the size padding keeps apart: fields written by different
// goroutines on separate lines, so that they do not bounce one line
// between cores.
const cacheLine = 64

// Counter is an atomic counter on a cache line of its own, for the
// counters every producer writes.
type Counter struct {
	atomic.Uint64
	_ [cacheLine - 8]byte
}

// Result says what became of a pushed frame.
type Result uint8

// Push results.
const (
	OK     Result = iota // queued
	Full                 // the ring was full: dropped (counted)
	Closed               // the queue is closed: dropped (counted)
)

// Queue is a bounded frame queue with one consumer goroutine delivering to
// a Sink. Safe for concurrent use.
type Queue struct {
	ring     *ring
	sink     Sink
	fallback Sink
	noRetry  bool
	onError  func(error)

	batchSize    int
	linger       time.Duration
	closeTimeout time.Duration
	backoff      backoff

	full       Counter
	closed     atomic.Uint64
	sent       atomic.Uint64
	fellBack   atomic.Uint64
	failed     atomic.Uint64
	errors     atomic.Uint64
	recovered  atomic.Uint64
	bytesSent  atomic.Uint64
	isClosed   atomic.Bool
	closing    chan struct{} // closed by Close: drain, then exit
	abort      chan struct{} // closed when Close's deadline passes: give up
	done       chan struct{} // closed when the consumer has exited
	flushReq   chan struct{}
	closeOnce  sync.Once
	closeErr   error
	sinkOnce   sync.Once
	sinkErr    error
	progMu     sync.Mutex
	progCh     chan struct{} // closed and replaced after each delivery
	waiters    atomic.Int32
	batchSlice Batch // the consumer's batch, reused
}

// New returns a queue delivering to sink and starts its consumer.
func New(sink Sink, cfg Config) *Queue {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.BackoffMin <= 0 {
		cfg.BackoffMin = DefaultBackoffMin
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		cfg.BackoffMax = max(DefaultBackoffMax, cfg.BackoffMin)
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = DefaultCloseTimeout
	}
	q := &Queue{
		ring:         newRing(cfg.Size, cfg.DropOldest),
		sink:         sink,
		fallback:     cfg.Fallback,
		noRetry:      cfg.NoRetry,
		onError:      cfg.OnError,
		batchSize:    cfg.BatchSize,
		linger:       cfg.Linger,
		closeTimeout: cfg.CloseTimeout,
		backoff:      backoff{min: cfg.BackoffMin, max: cfg.BackoffMax},
		closing:      make(chan struct{}),
		abort:        make(chan struct{}),
		done:         make(chan struct{}),
		flushReq:     make(chan struct{}, 1),
		progCh:       make(chan struct{}),
	}
	go q.run()
	return q
}

// Push copies frame into the ring. It never waits for the sink or the
// consumer (see ring.yield for the one scheduling yield it may make).
func (q *Queue) Push(frame []byte) Result {
	switch q.ring.push(frame) {
	case pushFull:
		q.full.Add(1)
		return Full
	case pushClosed:
		q.closed.Add(1)
		return Closed
	}
	return OK
}

// CountClosed counts a frame its producer dropped because the queue was
// closed before it was pushed.
func (q *Queue) CountClosed() { q.closed.Add(1) }

// IsClosed reports whether Close has been called.
func (q *Queue) IsClosed() bool { return q.isClosed.Load() }

// Counts are a queue's counters. Every pushed frame ends in exactly one of
// Sent, Fallback, Failed or DroppedOldest, or is still pending.
type Counts struct {
	Pushed        uint64 // accepted into the ring
	DroppedOldest uint64 // pushed, then discarded to make room (DropOldest)
	Full          uint64 // refused: the ring was full
	Closed        uint64 // refused: the queue was closed
	Sent          uint64 // delivered to the sink
	Fallback      uint64 // delivered to the fallback sink
	Failed        uint64 // given up: a non-retryable error, or Close's deadline
	Errors        uint64 // sink errors (events, not frames)
	Recovered     uint64 // deliveries that succeeded after an error
	BytesSent     uint64 // bytes of the frames counted in Sent
}

// Pending returns the frames pushed and not yet delivered, failed or
// discarded; never negative.
func (c Counts) Pending() uint64 {
	done := c.Sent + c.Fallback + c.Failed + c.DroppedOldest
	if c.Pushed > done {
		return c.Pushed - done
	}
	return 0
}

// Counts returns the queue's counters. Outcomes are read before Pushed,
// so that Pending cannot come out negative.
func (q *Queue) Counts() Counts {
	var c Counts
	c.Sent = q.sent.Load()
	c.Fallback = q.fellBack.Load()
	c.Failed = q.failed.Load()
	c.Pushed, c.DroppedOldest = q.ring.counts()
	c.Full = q.full.Load()
	c.Closed = q.closed.Load()
	c.Errors = q.errors.Load()
	c.Recovered = q.recovered.Load()
	c.BytesSent = q.bytesSent.Load()
	return c
}

// bounded returns ctx, bounded by the queue's close timeout when it has no
// deadline.
func (q *Queue) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, q.closeTimeout)
}

// Flush waits until every frame pushed before the call has been delivered
// (or has failed), or until ctx is done (a ctx without deadline is bounded
// by Config.CloseTimeout). It does not close.
func (q *Queue) Flush(ctx context.Context) error {
	ctx, cancel := q.bounded(ctx)
	defer cancel()
	// A position in the ring, not a count: frames still being copied by
	// their producers are waited for too, and frames behind the target
	// cannot make it look reached.
	target := q.ring.reserved()
	q.waiters.Add(1)
	defer q.waiters.Add(-1)
	select {
	case q.flushReq <- struct{}{}:
	default:
	}
	for {
		q.progMu.Lock()
		ch := q.progCh
		q.progMu.Unlock()
		if q.ring.released.Load() >= target {
			return nil
		}
		select {
		case <-ch:
		case <-q.done:
			if r := q.ring.released.Load(); r < target {
				return fmt.Errorf("metlog: flush: closed with %d messages undelivered", target-r)
			}
			return nil
		case <-ctx.Done():
			return fmt.Errorf("metlog: flush: %w (%d messages pending)", ctx.Err(), target-min(target, q.ring.released.Load()))
		}
	}
}

// Close stops accepting frames, waits until the ring is drained or ctx is
// done (a ctx without deadline is bounded by Config.CloseTimeout), and
// closes the sink and the fallback. Frames still queued at the deadline are
// counted in Failed and reported in the error. Close is idempotent; every
// call returns the first call's result once the consumer has exited.
func (q *Queue) Close(ctx context.Context) error {
	q.closeOnce.Do(func() {
		ctx, cancel := q.bounded(ctx)
		defer cancel()
		q.isClosed.Store(true)
		q.ring.close()
		close(q.closing)
		select {
		case <-q.done:
		case <-ctx.Done():
			if q.ring.released.Load() >= q.ring.reserved() {
				<-q.done // nothing left: the consumer is exiting, no error
				break
			}
			before := q.failed.Load()
			close(q.abort)
			q.closeSinks() // unblocks a write or dial stalled on the peer; its error is joined below
			<-q.done
			q.closeErr = fmt.Errorf("metlog: close: %w (%d messages undelivered)", ctx.Err(), q.failed.Load()-before)
		}
		q.closeErr = errors.Join(q.closeErr, q.closeSinks())
	})
	<-q.done
	return q.closeErr
}

// closeSinks closes the sink and the fallback once; every call returns
// that close's error.
func (q *Queue) closeSinks() error {
	q.sinkOnce.Do(func() {
		q.sinkErr = q.sink.Close()
		if q.fallback != nil {
			q.sinkErr = errors.Join(q.sinkErr, q.fallback.Close())
		}
	})
	return q.sinkErr
}

func (q *Queue) aborted() bool {
	select {
	case <-q.abort:
		return true
	default:
		return false
	}
}

// run is the consumer goroutine. It sleeps without a timer while the ring
// is empty; the first frame after that wakes it, and it lingers up to the
// linger interval so that one write carries everything that arrived
// meanwhile (a producer pays for a wake-up about once per interval). A
// producer that finds the ring over half full or full cuts the linger
// short (see ring.yield).
func (q *Queue) run() {
	defer close(q.done)
	var linger *time.Timer
	if q.linger > 0 {
		linger = time.NewTimer(time.Hour)
		linger.Stop()
		defer linger.Stop()
	}
	for {
		if from, to := q.ring.claim(); from != to {
			q.drain(from, to)
			q.ring.endClaim()
			q.progress()
			if q.aborted() {
				q.failed.Add(q.ring.countUnclaimed())
				return
			}
			continue
		}
		select {
		case <-q.closing:
			// The ring is closed to producers: empty now means done;
			// otherwise the top of the loop claims what arrived.
			if q.ring.empty() {
				return
			}
			continue
		default:
		}
		if !q.ring.sleep() {
			continue
		}
		flushed := false
		select {
		case <-q.ring.wake:
		case <-q.flushReq:
			flushed = true
		case <-q.closing:
			flushed = true
		}
		q.ring.waiting.Store(false)
		if linger != nil && !flushed {
			linger.Reset(q.linger)
			select {
			case <-linger.C:
			case <-q.ring.wake: // a producer found the ring crowded
				linger.Stop()
			case <-q.flushReq:
				linger.Stop()
			case <-q.closing:
				linger.Stop()
			}
		}
	}
}

// drain delivers the claimed frames [from, to) in batches. A batch is a
// run of frames lying back to back in the ring, so sinks write straight
// from ring memory; the ring space is released once it is delivered.
func (q *Queue) drain(from, to cursor) {
	b := &q.batchSlice
	cur := from
	for cur != to {
		b.buf = q.ring.buf
		b.ends = b.ends[:0]
		for cur != to {
			// Wait for a frame still being copied only when there is
			// nothing before it to deliver meanwhile.
			e, ok := q.ring.published(cur, q.abort, len(b.ends) == 0)
			if !ok {
				break // deliver what came before; or Close's deadline passed
			}
			idx, n, next := q.ring.place(cur, e)
			if len(b.ends) > 0 && (idx != b.ends[len(b.ends)-1] || b.Size()+n > q.batchSize) {
				break // not contiguous (a wrap), or the batch is full
			}
			if len(b.ends) == 0 {
				b.start = idx
			}
			b.ends = append(b.ends, idx+n)
			cur = next
		}
		if q.aborted() {
			// The frames left are released unread by endClaim.
			q.failed.Add(uint64(b.Len()) + (to.lpos - cur.lpos))
			return
		}
		q.deliver(b)
		q.ring.release(cur)
	}
	b.buf = nil // do not keep the ring's memory reachable from a stale batch
}

// deliver writes a batch, retrying with back-off while the sink is
// unavailable, or handing the rest to the fallback.
func (q *Queue) deliver(b *Batch) {
	q.ring.busy.Store(true)
	defer q.ring.busy.Store(false)
	i := 0
	for i < b.Len() {
		if q.backoff.waiting() && q.divert(b, i) {
			return // the sink failed recently and its back-off is not over
		}
		v := b.From(i)
		n, err := q.sink.Send(&v)
		if n > 0 {
			q.sent.Add(uint64(n))
			q.bytesSent.Add(uint64(len(v.Bytes(0, n))))
			i += n
			if q.backoff.failing {
				q.recovered.Add(1)
				q.backoff.success()
			}
		}
		if err == nil {
			if n > 0 {
				continue
			}
			err = fmt.Errorf("metlog: sender delivered none of %d frames and reported no error", v.Len())
		}
		q.errors.Add(1)
		if q.onError != nil {
			q.onError(err)
		}
		if !errors.Is(err, ErrUnavailable) || q.aborted() {
			q.failed.Add(uint64(b.Len() - i))
			return
		}
		d := q.backoff.next()
		var ra RetryAfter
		if errors.As(err, &ra) {
			d = max(d, ra.RetryAfter())
			q.backoff.until = time.Now().Add(d)
		}
		if q.divert(b, i) {
			return
		}
		if !q.sleep(d) {
			q.failed.Add(uint64(b.Len() - i))
			return
		}
	}
}

// divert hands frames i.. of b, which the sink cannot take now, to the
// fallback, or counts them failed with NoRetry; false when they are to wait
// for the sink instead.
func (q *Queue) divert(b *Batch, i int) bool {
	switch {
	case q.fallback != nil:
		q.sendFallback(b, i)
	case q.noRetry:
		q.failed.Add(uint64(b.Len() - i))
	default:
		return false
	}
	return true
}

func (q *Queue) sendFallback(b *Batch, i int) {
	v := b.From(i)
	n, err := q.fallback.Send(&v)
	q.fellBack.Add(uint64(n))
	if err == nil && n < v.Len() {
		err = fmt.Errorf("metlog: fallback delivered %d of %d frames and reported no error", n, v.Len())
	}
	if err != nil {
		q.errors.Add(1)
		q.failed.Add(uint64(v.Len() - n))
		if q.onError != nil {
			q.onError(err)
		}
	}
}

// sleep waits d, or less if Close's deadline passes (then it returns false).
func (q *Queue) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.abort:
		return false
	}
}

// progress wakes Flush callers after a delivery.
func (q *Queue) progress() {
	if q.waiters.Load() == 0 {
		return
	}
	q.progMu.Lock()
	close(q.progCh)
	q.progCh = make(chan struct{})
	q.progMu.Unlock()
}
