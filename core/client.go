package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors Send returns for messages it drops. Each is also counted in Stats.
var (
	ErrFull   = errors.New("metlog: ring buffer full, message dropped")
	ErrClosed = errors.New("metlog: client closed, message dropped")
)

// Client sends messages to a router through a bounded ring buffer. Send
// encodes the message on the caller's goroutine, copies it into the ring
// and returns; one goroutine per client batches the ring into the sender.
// A Client is safe for concurrent use.
type Client struct {
	enc      *Encoder
	severity Severity
	logger   string
	filt     filters
	ring     *ring
	sender   Sender
	fallback Sender
	ctr      counters
	bufs     sync.Pool // of *[]byte

	batchSize  int
	flushEvery time.Duration
	backoff    backoff
	onError    func(error)

	closed       atomic.Bool
	closing      chan struct{} // closed by Close: drain, then exit
	abort        chan struct{} // closed when Close's deadline passes: give up
	done         chan struct{} // closed when the consumer has exited
	flushReq     chan struct{}
	closeOnce    sync.Once
	closeErr     error
	sendClose    sync.Once
	sendCloseErr error

	progMu  sync.Mutex
	progCh  chan struct{} // closed and replaced after each delivery
	waiters atomic.Int32
}

// New returns a client delivering to addr, one of
//
//	udp://host:port[,host2:port2...]   each message to every host
//	tcp://host:port   tls://host:port   unix:///path   unixgram:///path
//	stdout://   stderr://   file:///path
//
// or "" with WithSender. Connections are made lazily and re-made with
// back-off, so New succeeds while the router is down.
func New(addr string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := cfg.sender
	if s == nil {
		var err error
		if s, err = dialAddr(addr, &cfg); err != nil {
			return nil, err
		}
	}
	maxSize := cfg.enc.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	if fl, ok := s.(FrameLimiter); ok {
		// Leave room for the largest Heka header, or JSON's newline.
		if lim := fl.MaxFrameSize() - (3 + MaxHeaderSize); lim < maxSize {
			maxSize = lim
		}
	}
	if maxFrame := maxSize + 3 + MaxHeaderSize; cfg.bufferSize < 2*maxFrame {
		s.Close()
		return nil, fmt.Errorf("metlog: buffer size %d cannot hold two messages of %d bytes", cfg.bufferSize, maxSize)
	}
	cfg.enc.MaxSize = maxSize
	cfg.enc.Severity = cfg.severity
	enc, err := NewEncoder(cfg.format, cfg.enc)
	if err != nil {
		s.Close()
		return nil, err
	}
	c := &Client{
		enc:        enc,
		severity:   cfg.severity,
		logger:     cfg.enc.Logger,
		filt:       cfg.filters,
		sender:     s,
		fallback:   cfg.fallback,
		batchSize:  cfg.batchSize,
		flushEvery: cfg.flushEvery,
		backoff:    backoff{min: cfg.backoffMin, max: cfg.backoffMax},
		onError:    cfg.onError,
		closing:    make(chan struct{}),
		abort:      make(chan struct{}),
		done:       make(chan struct{}),
		flushReq:   make(chan struct{}, 1),
		progCh:     make(chan struct{}),
	}
	c.filt.panics = &c.ctr.errors
	c.ring = newRing(cfg.bufferSize, cfg.drop == DropOldest)
	c.bufs.New = func() any { b := make([]byte, 0, 1024); return &b }
	go c.run()
	return c, nil
}

func dialAddr(addr string, cfg *config) (Sender, error) {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return nil, fmt.Errorf("metlog: address %q has no scheme (udp://, tcp://, tls://, unix://, unixgram://, stdout://, stderr://, file://)", addr)
	}
	so := StreamOptions{DialTimeout: cfg.dialTimeout, WriteTimeout: cfg.writeTimeout}
	switch scheme {
	case "udp":
		return NewUDPSender(strings.Split(rest, ","), cfg.datagramSize)
	case "tcp":
		return NewTCPSender(rest, so), nil
	case "tls":
		return NewTLSSender(rest, cfg.tls, so), nil
	case "unix":
		return NewUnixSender(rest, so), nil
	case "unixgram":
		return NewUnixgramSender(rest, cfg.datagramSize, cfg.writeTimeout), nil
	case "stdout", "stderr":
		if rest != "" {
			return nil, fmt.Errorf("metlog: address %q: %s:// takes no path", addr, scheme)
		}
		if scheme == "stdout" {
			return NewWriterSender(stdout()), nil
		}
		return NewWriterSender(stderr()), nil
	case "file":
		return NewFileSender(rest)
	}
	return nil, fmt.Errorf("metlog: address %q: unknown scheme %q", addr, scheme)
}

// Format returns the client's wire format.
func (c *Client) Format() Format { return c.enc.Format() }

// Logger returns the logger name of messages that carry none.
func (c *Client) Logger() string { return c.logger }

// Severity returns the severity of messages sent with DefaultSeverity.
func (c *Client) Severity() Severity { return c.severity }

// Enabled reports whether a message of this type and severity would pass
// the client's type and severity filters (the predicate of WithFilter is
// not consulted). Adapters call it before building a message.
//
// DefaultSeverity (or any value that is not one of the eight) stands for
// the client's default, as in Send.
func (c *Client) Enabled(typ string, sev Severity) bool {
	return c.filt.enabled(typ, c.orDefault(sev))
}

// orDefault returns sev, or the client's default severity when sev is not
// one of the eight.
func (c *Client) orDefault(sev Severity) Severity {
	if !sev.Valid() {
		return c.severity
	}
	return sev
}

// Send filters, encodes and enqueues m, and returns without waiting for
// delivery. It does not keep m or anything m refers to.
//
// A message that a filter rejects returns nil. A message that cannot be
// queued returns ErrFull, ErrClosed or an error wrapping ErrOversize; all
// are counted in Stats.
func (c *Client) Send(m *Message) error {
	sev := c.orDefault(m.Severity)
	if !c.filt.pass(m, sev) {
		c.ctr.filtered.Add(1)
		return nil
	}
	if c.closed.Load() {
		c.ctr.closed.Add(1)
		return ErrClosed
	}
	bp := c.bufs.Get().(*[]byte)
	var err error
	*bp, err = c.enc.appendMessage((*bp)[:0], m, sev)
	if err != nil {
		c.bufs.Put(bp)
		c.ctr.oversize.Add(1)
		return err
	}
	res := c.ring.push(*bp)
	c.bufs.Put(bp)
	switch res {
	case pushFull:
		c.ctr.full.Add(1)
		return ErrFull
	case pushClosed:
		c.ctr.closed.Add(1)
		return ErrClosed
	}
	return nil
}

// Stats returns the client's counters. See Stats for their invariants.
func (c *Client) Stats() Stats {
	st := c.ctr.snapshot(c.ring)
	if r, ok := c.sender.(interface{ Reconnects() uint64 }); ok {
		st.Reconnects = r.Reconnects()
	}
	return st
}

// Flush waits until every message enqueued before the call has been
// delivered (or has failed), or until ctx is done. It does not close.
func (c *Client) Flush(ctx context.Context) error {
	// A position in the ring, not a count: frames still being copied by
	// their producers are waited for too, and frames behind the target
	// cannot make it look reached.
	target := c.ring.reserved()
	c.waiters.Add(1)
	defer c.waiters.Add(-1)
	select {
	case c.flushReq <- struct{}{}:
	default:
	}
	for {
		c.progMu.Lock()
		ch := c.progCh
		c.progMu.Unlock()
		if c.ring.released.Load() >= target {
			return nil
		}
		select {
		case <-ch:
		case <-c.done:
			if r := c.ring.released.Load(); r < target {
				return fmt.Errorf("metlog: flush: client closed with %d messages undelivered", target-r)
			}
			return nil
		case <-ctx.Done():
			return fmt.Errorf("metlog: flush: %w (%d messages pending)", ctx.Err(), target-min(target, c.ring.released.Load()))
		}
	}
}

// Close stops accepting messages, waits until the ring is drained or ctx
// is done, and closes the sender. Messages still queued at ctx's deadline
// are counted in Drops.Failed and reported in the error. Close is
// idempotent; every call returns the first call's result once the
// consumer goroutine has exited.
func (c *Client) Close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.ring.close()
		close(c.closing)
		select {
		case <-c.done:
		case <-ctx.Done():
			if c.ring.released.Load() >= c.ring.reserved() {
				<-c.done // nothing left: the consumer is exiting, no error
				break
			}
			before := c.ctr.failed.Load()
			close(c.abort)
			c.closeSenders() // unblocks a write stalled on the router; its error is kept
			<-c.done
			c.closeErr = fmt.Errorf("metlog: close: %w (%d messages undelivered)", ctx.Err(), c.ctr.failed.Load()-before)
		}
		if err := c.closeSenders(); err != nil && c.closeErr == nil {
			c.closeErr = err
		}
	})
	<-c.done
	return c.closeErr
}

// closeSenders closes the sender and the fallback once; every call returns
// that close's error.
func (c *Client) closeSenders() error {
	c.sendClose.Do(func() {
		c.sendCloseErr = c.sender.Close()
		if c.fallback != nil {
			c.sendCloseErr = errors.Join(c.sendCloseErr, c.fallback.Close())
		}
	})
	return c.sendCloseErr
}

func (c *Client) aborted() bool {
	select {
	case <-c.abort:
		return true
	default:
		return false
	}
}

// run is the consumer goroutine. It sleeps without a timer while the ring
// is empty; the first message after that wakes it, and it lingers up to
// the flush interval so that one write carries everything that arrived
// meanwhile (a producer pays for a wake-up about once per interval). A
// producer that finds the ring over half full or full cuts the linger
// short (see ring.yield).
func (c *Client) run() {
	defer close(c.done)
	batch := &Batch{Format: c.Format()}
	var linger *time.Timer
	if c.flushEvery > 0 {
		linger = time.NewTimer(time.Hour)
		linger.Stop()
		defer linger.Stop()
	}
	for {
		if from, to := c.ring.claim(); from != to {
			c.drain(batch, from, to)
			c.ring.endClaim()
			c.progress()
			if c.aborted() {
				c.ctr.failed.Add(c.ring.countUnclaimed())
				return
			}
			continue
		}
		select {
		case <-c.closing:
			// The ring is closed to producers: empty now means done;
			// otherwise the top of the loop claims what arrived.
			if c.ring.empty() {
				return
			}
			continue
		default:
		}
		if !c.ring.sleep() {
			continue
		}
		flushed := false
		select {
		case <-c.ring.wake:
		case <-c.flushReq:
			flushed = true
		case <-c.closing:
			flushed = true
		}
		c.ring.waiting.Store(false)
		if linger != nil && !flushed {
			linger.Reset(c.flushEvery)
			select {
			case <-linger.C:
			case <-c.ring.wake: // a producer found the ring crowded
				linger.Stop()
			case <-c.flushReq:
				linger.Stop()
			case <-c.closing:
				linger.Stop()
			}
		}
	}
}

// drain delivers the claimed frames [from, to) in batches. A batch is a
// run of frames lying back to back in the ring, so senders write straight
// from ring memory; the ring space is released once it is delivered.
func (c *Client) drain(b *Batch, from, to cursor) {
	cur := from
	for cur != to {
		b.buf = c.ring.buf
		b.ends = b.ends[:0]
		for cur != to {
			e, ok := c.ring.published(cur, c.abort)
			if !ok {
				break // Close's deadline passed while a producer was copying
			}
			idx, n, next := c.ring.place(cur, e)
			if len(b.ends) > 0 && (idx != b.ends[len(b.ends)-1] || b.Size()+n > c.batchSize) {
				break // not contiguous (a wrap), or the batch is full
			}
			if len(b.ends) == 0 {
				b.start = idx
			}
			b.ends = append(b.ends, idx+n)
			cur = next
		}
		if c.aborted() {
			// The frames left are released unread by endClaim.
			c.ctr.failed.Add(uint64(b.Len()) + (to.lpos - cur.lpos))
			return
		}
		c.deliver(b)
		c.ring.release(cur)
	}
	b.buf = nil // do not keep the ring's memory reachable from a stale batch
}

// deliver writes a batch, retrying with back-off while the sender is
// unavailable, or handing the rest to the fallback sender.
func (c *Client) deliver(b *Batch) {
	c.ring.busy.Store(true)
	defer c.ring.busy.Store(false)
	i := 0
	for i < b.Len() {
		if c.fallback != nil && c.backoff.waiting() {
			c.sendFallback(b, i)
			return
		}
		v := b.from(i)
		n, err := c.sender.Send(&v)
		if n > 0 {
			c.ctr.sent.Add(uint64(n))
			c.ctr.bytesSent.Add(uint64(len(v.Bytes(0, n))))
			i += n
			if c.backoff.failing {
				c.ctr.reconnects.Add(1)
				c.backoff.reset()
			}
		}
		if err == nil {
			if n > 0 {
				continue
			}
			err = fmt.Errorf("metlog: sender delivered none of %d frames and reported no error", v.Len())
		}
		c.ctr.errors.Add(1)
		if c.onError != nil {
			c.onError(err)
		}
		if !errors.Is(err, ErrUnavailable) || c.aborted() {
			c.ctr.failed.Add(uint64(b.Len() - i))
			return
		}
		d := c.backoff.next()
		if c.fallback != nil {
			c.sendFallback(b, i)
			return
		}
		if !c.sleep(d) {
			c.ctr.failed.Add(uint64(b.Len() - i))
			return
		}
	}
}

func (c *Client) sendFallback(b *Batch, i int) {
	v := b.from(i)
	n, err := c.fallback.Send(&v)
	c.ctr.fallback.Add(uint64(n))
	if err != nil {
		c.ctr.errors.Add(1)
		c.ctr.failed.Add(uint64(v.Len() - n))
		if c.onError != nil {
			c.onError(err)
		}
	}
}

// sleep waits d, or less if Close's deadline passes (then it returns false).
func (c *Client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.abort:
		return false
	}
}

// progress wakes Flush callers after a delivery.
func (c *Client) progress() {
	if c.waiters.Load() == 0 {
		return
	}
	c.progMu.Lock()
	close(c.progCh)
	c.progCh = make(chan struct{})
	c.progMu.Unlock()
}
