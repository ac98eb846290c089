package router

import (
	"errors"
	"net"
	"time"
)

// accept serves one stream listener until it is closed.
func (r *Router) accept(ln net.Listener) {
	defer r.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				// Out of file descriptors, say: wait, do not spin.
				r.log.Error("accept failed", "addr", ln.Addr().String(), "err", err)
				time.Sleep(50 * time.Millisecond)
				continue
			}
			r.log.Error("listener stopped", "addr", ln.Addr().String(), "err", err)
			return
		}
		r.counters.connections.Add(1)
		select {
		case r.sem <- struct{}{}:
		default:
			r.counters.refused.Add(1)
			conn.Close()
			continue
		}
		r.mu.Lock()
		if r.closed.Load() {
			r.mu.Unlock()
			<-r.sem
			conn.Close()
			return
		}
		r.conns[conn] = struct{}{}
		r.wg.Add(1)
		r.mu.Unlock()
		r.counters.open.Add(1)
		go r.serve(conn)
	}
}

// isTemporary reports an accept error worth retrying: running out of
// descriptors or memory, a connection reset before it was accepted.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// serve reads one stream connection to its end.
func (r *Router) serve(conn net.Conn) {
	defer func() {
		conn.Close()
		r.mu.Lock()
		delete(r.conns, conn)
		r.mu.Unlock()
		r.counters.open.Add(-1)
		<-r.sem
		r.wg.Done()
	}()
	newReader(r).stream(conn)
}

// datagramBuffer holds any UDP datagram (the largest payload is 65507
// bytes); unix datagrams over it are counted as oversize.
const datagramBuffer = 64 << 10

// readDatagrams serves one datagram socket until it is closed.
func (r *Router) readDatagrams(pc net.PacketConn) {
	defer r.wg.Done()
	p := newReader(r)
	buf := make([]byte, max(datagramBuffer, p.split.MaxRecordSize()+1))
	uc, _ := pc.(*net.UnixConn)
	rc, _ := pc.(net.Conn) // Read, unlike ReadFrom, builds no source address
	for {
		var n int
		var err error
		truncated := false
		if uc != nil {
			var flags int
			n, _, flags, _, err = uc.ReadMsgUnix(buf, nil)
			truncated = flags&msgTrunc != 0
		} else if rc != nil {
			n, err = rc.Read(buf)
		} else {
			n, _, err = pc.ReadFrom(buf)
		}
		if n > 0 || err == nil {
			r.counters.datagrams.Add(1)
			p.t.bytes += uint64(n)
			if truncated {
				p.t.oversize++
			} else {
				p.datagram(buf[:n])
			}
			p.flush()
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.counters.readErrors.Add(1)
			if isTemporary(err) {
				continue
			}
			r.log.Error("datagram input stopped", "addr", pc.LocalAddr().String(), "err", err)
			return
		}
	}
}
