package core

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// DatagramSender sends frames as datagrams over UDP (to one or more hosts)
// or a unix datagram socket. Heka records are packed several to a datagram
// up to the size limit; each JSON object travels alone, without its
// newline. Errors drop what they concern, counted as failed: datagrams are
// not retried.
type DatagramSender struct {
	max       int
	write     func(p []byte) (delivered bool, err error)
	close     func() error
	closeOnce sync.Once
}

// NewUDPSender returns a sender of datagrams of at most maxDatagram bytes
// to every one of hosts ("host:port"), as metlog-py's UDP sender did.
func NewUDPSender(hosts []string, maxDatagram int) (*DatagramSender, error) {
	if len(hosts) == 0 || (len(hosts) == 1 && hosts[0] == "") {
		return nil, errors.New("metlog: udp:// address without a host")
	}
	addrs := make([]netip.AddrPort, 0, len(hosts))
	for _, h := range hosts {
		ua, err := net.ResolveUDPAddr("udp", h)
		if err != nil {
			return nil, fmt.Errorf("metlog: udp host %q: %w", h, err)
		}
		addrs = append(addrs, ua.AddrPort())
	}
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return nil, fmt.Errorf("metlog: udp socket: %w", err)
	}
	return &DatagramSender{
		max: maxDatagram,
		write: func(p []byte) (bool, error) {
			ok := false
			var errs error
			for _, a := range addrs {
				if _, err := conn.WriteToUDPAddrPort(p, a); err != nil {
					errs = errors.Join(errs, fmt.Errorf("metlog: udp %v: %w", a, err))
				} else {
					ok = true
				}
			}
			return ok, errs
		},
		close: conn.Close,
	}, nil
}

// NewUnixgramSender returns a sender of datagrams of at most maxDatagram
// bytes to the unix datagram socket at path. It connects on first use and
// again after an error; a write blocked longer than writeTimeout (a
// receiver that stopped reading) fails.
func NewUnixgramSender(path string, maxDatagram int, writeTimeout time.Duration) *DatagramSender {
	u := &unixgram{path: path, timeout: writeTimeout}
	return &DatagramSender{max: maxDatagram, write: u.write, close: u.close}
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
func (s *DatagramSender) MaxFrameSize() int { return s.max }

// Send writes the batch as datagrams.
func (s *DatagramSender) Send(b *Batch) (int, error) {
	delivered := 0
	var firstErr error
	for i := 0; i < b.Len(); {
		j := i + 1
		var p []byte
		if b.Format == FormatHeka {
			// Pack as many whole records as fit one datagram.
			for j < b.Len() && len(b.Bytes(i, j+1)) <= s.max {
				j++
			}
			p = b.Bytes(i, j)
		} else {
			p = b.Frame(i)
			if n := len(p); n > 0 && p[n-1] == '\n' {
				p = p[:n-1]
			}
		}
		ok, err := s.write(p)
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
func (s *DatagramSender) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.close() })
	return err
}
