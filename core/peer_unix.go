//go:build unix

package core

import (
	"crypto/tls"
	"net"
	"syscall"
)

// peerOpen reports whether the other end of conn has not closed it: a
// non-blocking peek that reads end-of-file means it has. Checking before
// each batch keeps a restarted router from silently swallowing the batch
// written into the old connection.
func peerOpen(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if n == 0 && err == nil {
			open = false // orderly shutdown by the peer
		} else if err != nil && err != syscall.EAGAIN && err != syscall.EINTR {
			open = false // reset or another error
		}
		return true // never wait for readability
	})
	return open && err == nil
}
