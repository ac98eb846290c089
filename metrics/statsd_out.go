package metrics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// statsdOut is the statsd output: a bounded buffer of lines that callers
// append to under a mutex (never waiting on I/O), and one goroutine that
// swaps the buffer out and writes it to the socket.
type statsdOut struct {
	network, addr string
	packet        int // UDP payload limit
	limit         int // buffer limit in bytes
	maxUnit       int // longest unit that can ever be written
	every         time.Duration
	dialTimeout   time.Duration
	writeTimeout  time.Duration
	ctr           *counters

	mu     sync.Mutex
	buf    []byte
	ends   []int // end offset in buf of each unit (a line, or a negative gauge's two lines)
	closed bool

	kick   chan struct{} // a packet's worth is waiting
	flushc chan chan struct{}
	quit   chan struct{}
	done   chan struct{}
	ctx    context.Context // cancelled when Close's deadline passes
	cancel context.CancelFunc

	connMu  sync.Mutex
	conn    net.Conn
	retryAt time.Time // sender goroutine only
	backoff time.Duration
}

func newStatsdOut(network, addr string, cfg *config, ctr *counters) *statsdOut {
	s := &statsdOut{
		network:      network,
		addr:         addr,
		packet:       cfg.packetSize,
		limit:        cfg.statsdBuffer,
		maxUnit:      cfg.statsdBuffer,
		every:        cfg.statsdFlush,
		dialTimeout:  cfg.statsdTimeouts[0],
		writeTimeout: cfg.statsdTimeouts[1],
		ctr:          ctr,
		kick:         make(chan struct{}, 1),
		flushc:       make(chan chan struct{}),
		quit:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	if network == "udp" {
		s.maxUnit = min(s.maxUnit, maxStatsdPacketSize+1) // +1: the newline is not sent
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.run()
	return s
}

type pushResult uint8

const (
	pushed pushResult = iota
	pushFull
	pushNever // closed, or a unit too long to ever write
)

// tryPush appends one unit (lines ending in '\n') to the buffer.
func (s *statsdOut) tryPush(unit []byte) pushResult {
	if len(unit) > s.maxUnit {
		return pushNever
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return pushNever
	}
	if len(s.buf)+len(unit) > s.limit {
		s.mu.Unlock()
		return pushFull
	}
	s.buf = append(s.buf, unit...)
	s.ends = append(s.ends, len(s.buf))
	n := len(s.buf)
	s.ctr.lines.Add(1)
	s.mu.Unlock()
	if n >= s.packet {
		s.kickNow()
	}
	return pushed
}

// push appends a unit, counting it dropped when it does not fit.
func (s *statsdOut) push(unit []byte) {
	if s.tryPush(unit) != pushed {
		s.ctr.dropped.Add(1)
	}
}

// kickNow wakes the writer without waiting.
func (s *statsdOut) kickNow() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *statsdOut) run() {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	var out []byte
	var ends []int
	for {
		var ack chan struct{}
		quit := false
		select {
		case <-s.kick:
		case <-t.C:
		case ack = <-s.flushc:
		case <-s.quit:
			quit = true
		}
		s.mu.Lock()
		out, s.buf = s.buf, out[:0]
		ends, s.ends = s.ends, ends[:0]
		s.mu.Unlock()
		if len(ends) > 0 {
			s.write(out, ends)
		}
		if ack != nil {
			close(ack)
		}
		if quit {
			s.setConn(nil)
			return
		}
	}
}

// write sends the units: on UDP as many whole units per packet as fit in
// the packet size (the last newline left off), on TCP in one write.
func (s *statsdOut) write(out []byte, ends []int) {
	conn := s.connect()
	if conn == nil {
		s.ctr.dropped.Add(uint64(len(ends)))
		return
	}
	if s.network == "tcp" {
		_ = conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		n, err := conn.Write(out)
		s.ctr.packets.Add(1)
		if err != nil {
			sent := 0
			for sent < len(ends) && ends[sent] <= n {
				sent++
			}
			s.ctr.written.Add(uint64(sent))
			s.ctr.dropped.Add(uint64(len(ends) - sent))
			s.ctr.errors.Add(1)
			s.setConn(nil) // reconnect for the next batch
			return
		}
		s.ctr.written.Add(uint64(len(ends)))
		return
	}
	start := 0
	for i := 0; i < len(ends); {
		j := i + 1
		for j < len(ends) && ends[j]-start-1 <= s.packet {
			j++
		}
		_, err := conn.Write(out[start : ends[j-1]-1])
		s.ctr.packets.Add(1)
		if err != nil {
			// Typically ECONNREFUSED reported for an earlier packet
			// while no server listens; the socket stays usable.
			s.ctr.errors.Add(1)
			s.ctr.dropped.Add(uint64(j - i))
		} else {
			s.ctr.written.Add(uint64(j - i))
		}
		start, i = ends[j-1], j
		if s.ctx.Err() != nil && i < len(ends) {
			s.ctr.dropped.Add(uint64(len(ends) - i))
			return
		}
	}
}

// connect returns the socket, dialling it when needed and allowed by the
// back-off; nil when there is none.
func (s *statsdOut) connect() net.Conn {
	s.connMu.Lock()
	c := s.conn
	s.connMu.Unlock()
	if c != nil {
		return c
	}
	if s.ctx.Err() != nil || time.Now().Before(s.retryAt) {
		return nil
	}
	d := net.Dialer{Timeout: s.dialTimeout}
	c, err := d.DialContext(s.ctx, s.network, s.addr)
	if err != nil {
		s.ctr.errors.Add(1)
		s.backoff = min(max(2*s.backoff, 50*time.Millisecond), 5*time.Second)
		s.retryAt = time.Now().Add(s.backoff/2 + rand.N(s.backoff/2+1))
		return nil
	}
	s.backoff = 0
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.ctx.Err() != nil {
		c.Close()
		return nil
	}
	s.conn = c
	return c
}

// setConn replaces (closes) the socket.
func (s *statsdOut) setConn(c net.Conn) {
	s.connMu.Lock()
	old := s.conn
	s.conn = c
	s.connMu.Unlock()
	if old != nil {
		old.Close()
	}
}

// flush waits until the lines queued before the call have been written.
func (s *statsdOut) flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case s.flushc <- ack:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("metrics: flush: %w", ctx.Err())
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("metrics: flush: %w", ctx.Err())
	}
}

// close writes what is queued and closes the socket, giving up (and
// counting the rest dropped) when ctx is done.
func (s *statsdOut) close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	var err error
	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel()
		s.setConn(nil) // unblocks a stalled write
		<-s.done
		err = fmt.Errorf("metrics: close: %w (statsd lines undelivered)", ctx.Err())
	}
	s.cancel()
	return err
}
