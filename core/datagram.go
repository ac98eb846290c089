package core

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// datagramSender sends frames as datagrams over UDP (to one or more hosts)
// or a unix datagram socket. Heka records and statsd lines are packed
// several to a datagram up to the size limit (a statsd line longer than the
// limit goes alone, in a datagram of its own size); each JSON object
// travels alone. The newline that ends JSON objects and statsd lines is
// not sent at the end of a datagram. Errors drop what they concern, counted
// as failed: datagrams are not retried.
type datagramSender struct {
	max       int
	write     func(p []byte) (delivered bool, err error)
	close     func() error
	closeOnce sync.Once
	writes    atomic.Uint64
}

// newUDPSender returns a sender of datagrams of at most maxDatagram bytes
// to every one of hosts ("host:port"), as metlog-py's UDP sender did. Host
// names are resolved on first use and again after a failed write, so a
// router whose name is not yet known, or that moves, is followed. The
// caller (dialAddr) has checked every host.
func newUDPSender(hosts []string, maxDatagram int) (*datagramSender, error) {
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return nil, fmt.Errorf("metlog: udp socket: %w", err)
	}
	u := &udpHosts{conn: conn, hosts: hosts, addrs: make([]netip.AddrPort, len(hosts))}
	return &datagramSender{max: maxDatagram, write: u.write, close: conn.Close}, nil
}

// udpHosts writes each datagram to every host, resolving a host's name
// when it has no address yet (the first write, or after a failed one).
type udpHosts struct {
	conn  *net.UDPConn
	hosts []string
	addrs []netip.AddrPort // the zero value: not resolved
}

func (u *udpHosts) write(p []byte) (bool, error) {
	ok := false
	var errs error
	for i, h := range u.hosts {
		if !u.addrs[i].IsValid() {
			ua, err := net.ResolveUDPAddr("udp", h)
			if err != nil {
				errs = errors.Join(errs, fmt.Errorf("metlog: udp %s: %w", h, err))
				continue
			}
			u.addrs[i] = ua.AddrPort()
		}
		if _, err := u.conn.WriteToUDPAddrPort(p, u.addrs[i]); err != nil {
			errs = errors.Join(errs, fmt.Errorf("metlog: udp %s (%v): %w", h, u.addrs[i], err))
			u.addrs[i] = netip.AddrPort{} // resolve again: the router may have moved
		} else {
			ok = true
		}
	}
	return ok, errs
}

// newUnixgramSender returns a sender of datagrams of at most maxDatagram
// bytes to the unix datagram socket at path. It connects on first use and
// again after an error; a write blocked longer than writeTimeout (a
// receiver that stopped reading) fails.
func newUnixgramSender(path string, maxDatagram int, writeTimeout time.Duration) *datagramSender {
	u := &unixgram{path: path, timeout: writeTimeout}
	return &datagramSender{max: maxDatagram, write: u.write, close: u.close}
}

type unixgram struct {
	path    string
	timeout time.Duration
	mu      sync.Mutex // guards conn and closed, not the write
	conn    *net.UnixConn
	closed  bool
}

func (u *unixgram) write(p []byte) (bool, error) {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return false, errors.New("metlog: unixgram sender closed")
	}
	if u.conn == nil {
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: u.path, Net: "unixgram"})
		if err != nil {
			u.mu.Unlock()
			return false, fmt.Errorf("metlog: unixgram %s: %w", u.path, err)
		}
		u.conn = c
	}
	conn := u.conn
	u.mu.Unlock()
	if u.timeout > 0 {
		conn.SetWriteDeadline(time.Now().Add(u.timeout))
	}
	if _, err := conn.Write(p); err != nil {
		u.mu.Lock()
		if u.conn == conn {
			u.conn = nil
		}
		u.mu.Unlock()
		conn.Close()
		return false, fmt.Errorf("metlog: unixgram %s: %w", u.path, err)
	}
	return true, nil
}

func (u *unixgram) close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	if u.conn != nil {
		return u.conn.Close()
	}
	return nil
}

// MaxFrameSize returns the datagram size limit.
func (s *datagramSender) MaxFrameSize() int { return s.max }

// writeCount returns the number of datagrams written (Stats.Writes).
func (s *datagramSender) writeCount() uint64 { return s.writes.Load() }

// Send writes the batch as datagrams.
func (s *datagramSender) Send(b *Batch) (int, error) {
	delivered := 0
	var firstErr error
	for i := 0; i < b.Len(); {
		j := i + 1
		if b.Format.packs() {
			// As many whole frames as fit one datagram (the first alone
			// when it is larger).
			for j < b.Len() && len(b.Bytes(i, j+1))-b.Format.trailer() <= s.max {
				j++
			}
		}
		p := b.Bytes(i, j)
		if n := len(p); n > 0 && b.Format.trailer() == 1 && p[n-1] == '\n' {
			p = p[:n-1]
		}
		ok, err := s.write(p)
		s.writes.Add(1)
		if ok {
			delivered += j - i
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		i = j
	}
	return delivered, firstErr
}

// Close closes the socket. It may be called while Send runs, and more than once.
func (s *datagramSender) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.close() })
	return err
}

// packs reports whether several frames of format f may share a datagram:
// Heka records and statsd lines may, JSON objects travel alone.
func (f Format) packs() bool { return f == FormatHeka || f == FormatStatsd }

// trailer returns how many bytes end each frame of format f that a
// datagram leaves out at its end: the newline of JSON and statsd.
func (f Format) trailer() int {
	if f == FormatHeka {
		return 0
	}
	return 1
}
