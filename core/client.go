package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/metlog-go/metlog/internal/frameq"
)

// Errors Send returns for messages it drops. Each is also counted in Stats.
var (
	ErrFull   = errors.New("metlog: ring buffer full, message dropped")
	ErrClosed = errors.New("metlog: client closed, message dropped")
)

// Client sends messages to a router through a bounded ring buffer. Send
// encodes the message on the caller's goroutine, copies it into the ring
// and returns; one goroutine per client batches the ring into the sender.
// A Client is safe for concurrent use. A nil *Client discards everything
// (Enabled reports false, Send returns ErrClosed), so that an adapter
// given no client logs nothing.
type Client struct {
	enc      *Encoder
	severity Severity
	logger   string
	filt     filters
	q        *frameq.Queue
	sender   Sender
	bufs     sync.Pool // of *[]byte

	hooksMu sync.Mutex
	hooks   []*closeHook // run by Close first, in order

	filtered frameq.Counter
	oversize atomic.Uint64
	invalid  atomic.Uint64 // the format cannot carry the message
	panics   atomic.Uint64 // filter predicate panics, counted in Errors
}

// New returns a client delivering to addr, one of
//
//	udp://host:port[,host2:port2...]   each message to every host
//	tcp://host:port   tls://host:port   unix:///path   unixgram:///path
//	stdout://   stderr://   file:///path
//	otlp://host:port   otlps://host:port   OTLP/HTTP (FormatOTLP), see otlpSender
//
// or "" with WithSender. otlp:// and otlps:// (and an *otlpSender given
// to WithSender) always use FormatOTLP; otlp:// without a host takes the
// endpoint from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT. Connections are made lazily and re-made with
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
	if _, ok := s.(*otlpSender); ok {
		cfg.format = FormatOTLP
	}
	maxSize := cfg.enc.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	if fl, ok := s.(FrameLimiter); ok && cfg.format != FormatStatsd {
		// Leave room for the largest Heka header, or JSON's newline. (A
		// statsd line longer than a datagram goes alone.)
		if lim := fl.MaxFrameSize() - (3 + MaxHeaderSize); lim < maxSize {
			maxSize = lim
		}
		if maxSize < minMessageSize {
			s.Close()
			return nil, fmt.Errorf("metlog: datagrams of %d bytes cannot carry a %s message of %d bytes", fl.MaxFrameSize(), cfg.format, minMessageSize)
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
		enc:      enc,
		severity: cfg.severity,
		logger:   cfg.enc.Logger,
		filt:     cfg.filters,
		sender:   s,
	}
	c.filt.panics = &c.panics
	var fallback frameq.Sink
	if cfg.fallback != nil {
		fallback = &senderSink{s: cfg.fallback, batch: Batch{Format: cfg.format}}
	}
	c.q = frameq.New(&senderSink{s: s, batch: Batch{Format: cfg.format}}, frameq.Config{
		Size:         cfg.bufferSize,
		DropOldest:   cfg.drop == DropOldest,
		BatchSize:    cfg.batchSize,
		Linger:       cfg.flushEvery,
		BackoffMin:   cfg.backoffMin,
		BackoffMax:   cfg.backoffMax,
		CloseTimeout: cfg.closeTimeout,
		NoRetry:      cfg.noRetry,
		Fallback:     fallback,
		OnError:      cfg.onError,
	})
	c.bufs.New = func() any { b := make([]byte, 0, 1024); return &b }
	return c, nil
}

func dialAddr(addr string, cfg *config) (Sender, error) {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return nil, fmt.Errorf("metlog: address %q has no scheme (udp://, tcp://, tls://, unix://, unixgram://, stdout://, stderr://, file://, otlp://, otlps://)", addr)
	}
	scheme = strings.ToLower(scheme)
	bad := func(err error) error {
		return fmt.Errorf("metlog: address %q: %w (want %s://host:port)", addr, err, scheme)
	}
	so := streamOptions{DialTimeout: cfg.dialTimeout, WriteTimeout: cfg.writeTimeout}
	switch scheme {
	case "udp":
		hosts := strings.Split(rest, ",")
		for i, h := range hosts {
			if err := checkHostPort(h); err != nil {
				return nil, bad(fmt.Errorf("host %d of %d: %w", i+1, len(hosts), err))
			}
		}
		return newUDPSender(hosts, cfg.datagramSize)
	case "tcp", "tls":
		if err := checkHostPort(rest); err != nil {
			return nil, bad(err)
		}
		if scheme == "tls" {
			return newTLSSender(rest, cfg.tls, so), nil
		}
		return newTCPSender(rest, so), nil
	case "unix", "unixgram", "file":
		if rest == "" {
			return nil, fmt.Errorf("metlog: address %q: no path (want %s:///path/to/socket)", addr, scheme)
		}
		switch scheme {
		case "unix":
			return newUnixSender(rest, so), nil
		case "unixgram":
			return newUnixgramSender(rest, cfg.datagramSize, cfg.writeTimeout), nil
		}
		return newFileSender(rest)
	case "stdout", "stderr":
		if rest != "" {
			return nil, fmt.Errorf("metlog: address %q: %s:// takes no path", addr, scheme)
		}
		if scheme == "stdout" {
			return NewWriterSender(stdout()), nil
		}
		return NewWriterSender(stderr()), nil
	case "otlp", "otlps":
		return newOTLPSenderFor(scheme, rest, cfg)
	}
	return nil, fmt.Errorf("metlog: address %q: unknown scheme %q", addr, scheme)
}

// checkHostPort checks a "host:port" address without resolving it: a
// host, and a port that is a number 1-65535 or a service name.
func checkHostPort(hp string) error {
	if hp == "" {
		return errors.New("no host and port")
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) && strings.Contains(ae.Err, "missing port") {
			return fmt.Errorf("%q has no port", hp)
		}
		return fmt.Errorf("%q is not host:port", hp)
	}
	switch {
	case host == "":
		return fmt.Errorf("%q has no host", hp)
	case port == "":
		return fmt.Errorf("%q has no port", hp)
	case strings.ContainsAny(host, "/?#"):
		return fmt.Errorf("host %q is not a host name or address", host)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 1 || n > 65535 {
			return fmt.Errorf("port %d is outside 1-65535", n)
		}
		return nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("port %q is not a number or a known service", port)
	}
	return nil
}

// Format returns the client's wire format.
func (c *Client) Format() Format {
	if c == nil {
		return FormatJSON
	}
	return c.enc.Format()
}

// Logger returns the logger name of messages that carry none.
func (c *Client) Logger() string {
	if c == nil {
		return ""
	}
	return c.logger
}

// Severity returns the severity of messages sent with DefaultSeverity.
func (c *Client) Severity() Severity {
	if c == nil {
		return Info
	}
	return c.severity
}

// Enabled reports whether a message of this type and severity would pass
// the client's type and severity filters (the predicate of WithFilter is
// not consulted). Adapters call it before building a message.
//
// DefaultSeverity (or any value that is not one of the eight) stands for
// the client's default, as in Send.
func (c *Client) Enabled(typ string, sev Severity) bool {
	if c == nil {
		return false
	}
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
// queued returns ErrFull, ErrClosed, or an error wrapping ErrOversize or
// ErrNotEncodable; all are counted in Stats.
func (c *Client) Send(m *Message) error {
	if c == nil {
		return ErrClosed
	}
	sev := c.orDefault(m.Severity)
	if !c.filt.enabled(m.Type, sev) {
		c.filtered.Add(1)
		return nil
	}
	return c.send(m, sev)
}

// SendEnabled sends m as Send does, for adapters that have asked Enabled
// for m's type and severity first (as zapcore.Core.Check precedes Write),
// so that the filters run once per message: it applies the WithFilter
// predicate but not the type and severity filters again.
func (c *Client) SendEnabled(m *Message) error {
	if c == nil {
		return ErrClosed
	}
	return c.send(m, c.orDefault(m.Severity))
}

// send runs the predicate, encodes m at severity sev and enqueues it.
func (c *Client) send(m *Message, sev Severity) error {
	if c.filt.pred != nil && !c.filt.callPred(m) {
		c.filtered.Add(1)
		return nil
	}
	if c.q.IsClosed() {
		c.q.CountClosed()
		return ErrClosed
	}
	bp := c.bufs.Get().(*[]byte)
	var err error
	*bp, err = c.enc.appendMessage((*bp)[:0], m, sev)
	if err != nil {
		c.bufs.Put(bp)
		if errors.Is(err, ErrNotEncodable) {
			c.invalid.Add(1)
		} else {
			c.oversize.Add(1)
		}
		return err
	}
	res := c.q.Push(*bp)
	c.bufs.Put(bp)
	switch res {
	case frameq.Full:
		return ErrFull
	case frameq.Closed:
		return ErrClosed
	}
	return nil
}

// Stats returns the client's counters. See Stats for their invariants.
func (c *Client) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	q := c.q.Counts()
	st := Stats{
		Enqueued:   q.Pushed - q.DroppedOldest,
		Sent:       q.Sent,
		Fallback:   q.Fallback,
		Pending:    q.Pending(),
		Errors:     q.Errors + c.panics.Load(),
		Reconnects: q.Recovered,
		BytesSent:  q.BytesSent,
		Drops: DropStats{
			Filtered: c.filtered.Load(),
			Full:     q.Full + q.DroppedOldest,
			Oversize: c.oversize.Load(),
			Invalid:  c.invalid.Load(),
			Closed:   q.Closed,
			Failed:   q.Failed,
		},
	}
	if r, ok := c.sender.(interface{ reconnectCount() uint64 }); ok {
		st.Reconnects = r.reconnectCount()
	}
	if w, ok := c.sender.(interface{ writeCount() uint64 }); ok {
		st.Writes = w.writeCount()
	}
	st.Filtered = st.Drops.Filtered
	st.Dropped = st.Drops.Filtered + st.Drops.Full + st.Drops.Oversize + st.Drops.Invalid + st.Drops.Closed + st.Drops.Failed
	return st
}

// Flush waits until every message enqueued before the call has been
// delivered (or has failed), or until ctx is done; a ctx without a
// deadline is bounded by WithCloseTimeout. It does not close.
func (c *Client) Flush(ctx context.Context) error {
	if c == nil {
		return nil
	}
	return c.q.Flush(ctx)
}

// Close stops accepting messages, waits until the ring is drained or ctx
// is done, and closes the sender. A ctx without a deadline is bounded by
// WithCloseTimeout (DefaultCloseTimeout), so that a router that is down
// cannot make Close wait forever. Messages still queued at the deadline are
// counted in Drops.Failed and reported in the error. Close is idempotent;
// every call returns the first call's result once the client's goroutine
// has exited.
func (c *Client) Close(ctx context.Context) error {
	if c == nil {
		return nil
	}
	if !c.q.IsClosed() {
		c.hooksMu.Lock()
		hooks := c.hooks
		c.hooks = nil
		c.hooksMu.Unlock()
		for _, h := range hooks {
			h.f(ctx)
		}
	}
	return c.q.Close(ctx)
}

type closeHook struct{ f func(context.Context) }

// OnClose registers f to run when Close is first called, before the client
// stops accepting messages, with Close's context: for what feeds the
// client (a metrics aggregator) to hand over what it holds, so that closing
// only the client loses nothing. Hooks run in the order registered. OnClose
// returns a function that unregisters f (a no-op once f has run).
func (c *Client) OnClose(f func(ctx context.Context)) (remove func()) {
	if c == nil || f == nil {
		return func() {}
	}
	h := &closeHook{f: f}
	c.hooksMu.Lock()
	c.hooks = append(c.hooks, h)
	c.hooksMu.Unlock()
	return func() {
		c.hooksMu.Lock()
		defer c.hooksMu.Unlock()
		for i, x := range c.hooks {
			if x == h {
				c.hooks = append(c.hooks[:i:i], c.hooks[i+1:]...)
				return
			}
		}
	}
}
