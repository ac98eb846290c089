package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// streamOptions tune a stream sender.
type streamOptions struct {
	// DialTimeout bounds one connection attempt (DefaultDialTimeout).
	DialTimeout time.Duration
	// WriteTimeout bounds one write; a router that stops reading makes
	// the write fail after it and the connection is re-made
	// (DefaultWriteTimeout).
	WriteTimeout time.Duration
}

// streamSender writes frames to a TCP, TLS or unix stream socket, one
// write per batch. It connects on first use. After an error, or when it
// finds that the router closed the connection, it drops the connection and
// reports the router unavailable: the client backs off, and the next Send
// connects again. A new connection always starts at a frame boundary: a
// frame cut short by a broken connection is sent again whole on the next
// one. Close aborts a connection attempt or TLS handshake in progress.
type streamSender struct {
	network string
	addr    string
	tls     *tls.Config
	opts    streamOptions
	ctx     context.Context // cancelled by Close: ends a dial in progress
	cancel  context.CancelFunc

	mu      sync.Mutex // guards conn, closed and trouble; not held during dials and writes
	conn    net.Conn
	closed  bool
	trouble bool // a dial or write failed, or the router closed the connection

	reconnects atomic.Uint64
	writes     atomic.Uint64
}

// reconnectCount counts connections made after a failure or after the router
// closed the previous one.
func (s *streamSender) reconnectCount() uint64 { return s.reconnects.Load() }

// writeCount counts the writes made (one per batch delivered or tried).
func (s *streamSender) writeCount() uint64 { return s.writes.Load() }

// newTCPSender returns a sender to the TCP address host:port.
func newTCPSender(addr string, opts streamOptions) *streamSender {
	return newStream("tcp", addr, nil, opts)
}

// newTLSSender returns a sender to the TLS server at host:port. A nil
// config verifies the server against the system roots.
func newTLSSender(addr string, cfg *tls.Config, opts streamOptions) *streamSender {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	return newStream("tcp", addr, cfg, opts)
}

// newUnixSender returns a sender to the unix stream socket at path.
func newUnixSender(path string, opts streamOptions) *streamSender {
	return newStream("unix", path, nil, opts)
}

func newStream(network, addr string, cfg *tls.Config, opts streamOptions) *streamSender {
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	s := &streamSender{network: network, addr: addr, tls: cfg, opts: opts}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

var errSenderClosed = errors.New("metlog: sender closed")

// Send writes the whole batch on the current connection, connecting first
// if there is none.
func (s *streamSender) Send(b *Batch) (int, error) {
	conn, err := s.connection()
	if err != nil {
		return 0, err
	}
	conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
	n, err := conn.Write(b.Bytes(0, b.Len()))
	s.writes.Add(1)
	if err != nil {
		s.drop(conn)
		return b.FramesIn(n), fmt.Errorf("%w: write %s %s: %v", ErrUnavailable, s.network, s.addr, err)
	}
	return b.Len(), nil
}

// connection returns a live connection, dialling when there is none. A
// connection the router has closed is a failure, as a failed dial is: the
// client backs off before the next attempt, so that a router that accepts
// and closes at once (a load balancer without a backend) is not hammered.
func (s *streamSender) connection() (net.Conn, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errSenderClosed
	}
	if conn := s.conn; conn != nil {
		if peerOpen(conn) {
			s.mu.Unlock()
			return conn, nil
		}
		conn.Close() // do not write into a dead connection
		s.conn = nil
		s.trouble = true
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s %s: connection closed by the router", ErrUnavailable, s.network, s.addr)
	}
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(s.ctx, s.opts.DialTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if s.tls != nil {
		d := tls.Dialer{Config: s.tls}
		conn, err = d.DialContext(ctx, s.network, s.addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, s.network, s.addr)
	}
	if uc, ok := conn.(*net.UnixConn); ok {
		// A unix socket's send buffer defaults to about 200 KiB, where
		// TCP over loopback grows to megabytes: ask for more (the kernel
		// caps it at net.core.wmem_max), so that a reader slow for a
		// moment stalls the client's writes less.
		uc.SetWriteBuffer(unixWriteBuffer)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		if conn != nil {
			conn.Close()
		}
		return nil, errSenderClosed
	}
	if err != nil {
		s.trouble = true
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if s.trouble {
		// A reconnection: watch the new connection for a moment before
		// writing to it. A router that accepts and closes at once (a load
		// balancer without a backend) is then seen to close before it
		// takes a batch that would be lost without an acknowledgement.
		s.mu.Unlock()
		time.Sleep(probation)
		s.mu.Lock()
		if s.closed || !peerOpen(conn) {
			conn.Close()
			if s.closed {
				return nil, errSenderClosed
			}
			return nil, fmt.Errorf("%w: %s %s: connection closed by the router at once", ErrUnavailable, s.network, s.addr)
		}
		s.reconnects.Add(1)
		s.trouble = false
	}
	s.conn = conn
	return conn, nil
}

const unixWriteBuffer = 4 << 20

// probation is how long a stream sender watches a new connection made
// after a failure before writing to it.
const probation = 20 * time.Millisecond

func (s *streamSender) drop(conn net.Conn) {
	s.mu.Lock()
	if s.conn == conn {
		s.conn = nil
	}
	s.trouble = true
	s.mu.Unlock()
	conn.Close()
}

// Close closes the connection: a Send blocked in a write, a dial or a TLS
// handshake returns.
func (s *streamSender) Close() error {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn != nil {
		err := s.conn.Close()
		s.conn = nil
		return err
	}
	return nil
}
