package router

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
	"net"
	"time"
	"unicode/utf8"

	"github.com/metlog-go/metlog/core"
)

// reader frames, decodes, verifies and routes the input of one connection
// or one datagram socket. Its decoder and buffers are reused from message
// to message, so that the path from bytes to endpoint queues allocates
// nothing in steady state (JSON input aside, see handleJSON).
type reader struct {
	r     *Router
	dec   core.Decoder
	split core.HekaSplitter
	t     tally
	set   []uint64 // endpoints the current message goes to

	format byte // a stream's format once known: hekaStart or '{'
	// skipLine: a JSON line over the size limit is being discarded up to
	// its newline.
	skipLine bool
	// pos is the stream offset of the data passed to process; noResync
	// the offset before which a malformed record is not searched for the
	// start of the record that cut it short (each byte is searched once).
	pos, noResync uint64
	// skipped and oversize are the splitter's counters already tallied.
	skipped, oversize uint64
	// progress is set when a message was framed whole since it was last
	// cleared: the connection is not idle.
	progress bool
}

const hekaStart = core.RecordSeparator

func newReader(r *Router) *reader {
	return &reader{
		r:     r,
		split: core.HekaSplitter{MaxMessageSize: r.maxSize},
		dec:   core.Decoder{MaxSize: r.maxSize},
		t:     tally{routes: make([]uint64, len(r.routes))},
		set:   make([]uint64, r.words),
	}
}

// flush adds the reader's counts to the router's.
func (p *reader) flush() {
	if d := p.split.Skipped - p.skipped; d > 0 {
		p.t.garbage += d
		p.skipped = p.split.Skipped
	}
	if d := p.split.Oversize - p.oversize; d > 0 {
		p.t.oversize += d
		p.oversize = p.split.Oversize
	}
	p.t.flush(&p.r.counters)
}

// process handles the stream data data (which starts at stream offset
// p.pos) and returns how many bytes it consumed; the rest must be passed
// again with more data after it. At EOF everything is consumed.
func (p *reader) process(data []byte, atEOF bool) int {
	off := 0
	for off < len(data) {
		if p.format == 0 {
			// Skip to the first byte that tells the format; blank
			// space before a JSON line is not garbage.
			i := bytes.IndexAny(data[off:], "\x1e{")
			if i < 0 {
				i = len(data) - off
			}
			p.t.garbage += uint64(countNonSpace(data[off : off+i]))
			off += i
			if off == len(data) {
				break
			}
			p.format = data[off]
		}
		var n int
		if p.format == hekaStart {
			n = p.processHeka(data[off:], p.pos+uint64(off), atEOF)
		} else {
			n = p.processJSON(data[off:], atEOF)
		}
		off += n
		if n == 0 {
			break
		}
	}
	return off
}

func countNonSpace(b []byte) int {
	n := 0
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			n++
		}
	}
	return n
}

// processHeka splits records off data (at stream offset pos) and handles
// them. A record cut off by the end of data waits for more, or at EOF is
// counted as truncated and its first byte skipped (the splitter then looks
// for a record after it, as Heka's reader does).
func (p *reader) processHeka(data []byte, pos uint64, atEOF bool) int {
	off := 0
	for off < len(data) {
		adv, rec, _ := p.split.Split(data[off:], false)
		if rec == nil {
			off += adv
			if off < len(data) { // a record candidate that needs more data
				if !atEOF {
					break
				}
				p.t.truncated++
				off++ // the splitter looks for a record after its first byte
			}
			continue
		}
		start := off + adv - len(rec)
		off += adv
		if p.handleHeka(rec) || pos+uint64(start) < p.noResync {
			continue
		}
		// Malformed: if the record holds the start of another, it was
		// cut short by it (a writer that died mid-record, say): resume
		// there rather than lose that record too.
		var probe core.HekaSplitter
		probe.MaxMessageSize = p.r.maxSize
		padv, prec, _ := probe.Split(rec[1:], false)
		next := 1 + padv
		if prec != nil {
			next -= len(prec)
		}
		// A start whose header lies whole inside the record (the probe
		// checked it); not one near its end that might be anything.
		if next+2 <= len(rec) && next+3+int(rec[next+1]) <= len(rec) {
			p.t.malformed--
			p.t.received--
			p.t.truncated++
			p.noResync = pos + uint64(start+len(rec))
			off = start + next
		}
	}
	return off
}

// processJSON handles the newline-terminated lines of data. A line over the
// size limit is skipped up to its newline. At EOF a last line without a
// newline is handled too.
func (p *reader) processJSON(data []byte, atEOF bool) int {
	off := 0
	for off < len(data) {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			rest := len(data) - off
			switch {
			case p.skipLine:
				return len(data) // still inside the oversize line
			case rest > p.r.maxSize+1: // +1: a "\r" before the newline
				p.t.oversize++
				p.skipLine = true
				return len(data)
			case atEOF:
				p.handleJSON(data[off:])
				return len(data)
			}
			break
		}
		line := data[off : off+i]
		off += i + 1
		if p.skipLine {
			p.skipLine = false
			continue
		}
		if len(line) > p.r.maxSize+1 {
			p.t.oversize++
			continue
		}
		p.handleJSON(line)
	}
	return off
}

// datagram handles one datagram: Heka records, or one or more JSON lines.
func (p *reader) datagram(d []byte) {
	p.format, p.skipLine = 0, false
	p.pos, p.noResync = 0, 0
	p.process(d, true)
	p.skipLine = false
}

// handleHeka decodes, verifies and routes one framed record. It reports
// false only for a record that does not decode (counted as malformed).
func (p *reader) handleHeka(rec []byte) bool {
	p.progress = true
	p.t.received++
	m, h, err := p.dec.DecodeHeka(rec, p.r.keyFunc)
	switch {
	case err == nil:
	case errors.Is(err, core.ErrUnknownKey):
		p.t.unknownKey++
		return true
	case errors.Is(err, core.ErrBadSignature):
		p.t.badSignature++
		return true
	default:
		p.t.malformed++
		return false
	}
	if p.r.requireSigned && !h.Signed() {
		p.t.unsigned++
		return true
	}
	if !validUTF8(m) {
		p.t.invalidUTF8++
		return true
	}
	p.route(m)
	return true
}

// handleJSON decodes and routes one JSON line. Blank lines are skipped.
// It decodes into the reader's decoder, reusing its memory: nothing is
// allocated in steady state.
func (p *reader) handleJSON(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	p.progress = true
	p.t.received++
	if p.r.requireSigned {
		p.t.unsigned++
		return
	}
	if !utf8.Valid(line) {
		p.t.invalidUTF8++
		return
	}
	m, err := p.dec.DecodeJSON(line)
	switch {
	case errors.Is(err, core.ErrOversize):
		p.t.oversize++
		return
	case err != nil:
		p.t.malformed++
		return
	}
	// The envelope has no UUID: give it one here, so that every endpoint
	// gets the same; and a time, if it had none.
	if m.UUID == ([16]byte{}) {
		m.UUID = core.NewUUID()
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC()
	}
	p.route(m)
}

// route matches a decoded message against every route and sends it to the
// union of their endpoints, once each.
func (p *reader) route(m *core.Message) {
	if !p.match(m) {
		return
	}
	for w, set := range p.set {
		for set != 0 {
			j := w*64 + bits.TrailingZeros64(set)
			set &= set - 1
			p.r.endpoints[j].client.Send(m) // a full queue drops and counts
		}
	}
}

// match counts m as decoded, matches it against every route and leaves
// the union of their endpoints in p.set; false when no route matched.
func (p *reader) match(m *core.Message) bool {
	p.t.decoded++
	clear(p.set)
	matched := false
	for i := range p.r.routes {
		rt := &p.r.routes[i]
		if rt.m.Match(m) {
			p.t.routes[i]++
			matched = true
			for w, bits := range rt.eps {
				p.set[w] |= bits
			}
		}
	}
	if !matched {
		p.t.unmatched++
		return false
	}
	p.t.matched++
	return true
}

// validUTF8 reports whether every string of m is valid UTF-8.
func validUTF8(m *core.Message) bool {
	if !utf8.ValidString(m.Type) || !utf8.ValidString(m.Logger) || !utf8.ValidString(m.Payload) ||
		!utf8.ValidString(m.EnvVersion) || !utf8.ValidString(m.Hostname) {
		return false
	}
	return validFieldsUTF8(m.Fields)
}

func validFieldsUTF8(fields []core.Field) bool {
	for i := range fields {
		f := &fields[i]
		if !utf8.ValidString(f.Name) || !utf8.ValidString(f.Representation) {
			return false
		}
		switch {
		case f.Kind() == core.KindGroup:
			if !validFieldsUTF8(f.GroupValue()) {
				return false
			}
		case f.Kind() == core.KindString && f.Repeated():
			for _, s := range f.StringsValue() {
				if !utf8.ValidString(s) {
					return false
				}
			}
		case f.Kind() == core.KindString:
			if !utf8.ValidString(f.Str()) {
				return false
			}
		}
	}
	return true
}

// stream reads one connection until it ends, is idle for the idle timeout
// or the router closes.
func (p *reader) stream(conn net.Conn) {
	buf := make([]byte, initialBuffer)
	maxBuf := p.split.MaxRecordSize() + 1 // +1: a JSON line's newline
	start, end := 0, 0
	if !p.extendDeadline(conn) {
		return
	}
	for {
		if end == len(buf) {
			switch {
			case start > 0:
				end = copy(buf, buf[start:end])
				start = 0
			case len(buf) < maxBuf:
				nb := make([]byte, min(2*len(buf), maxBuf))
				end = copy(nb, buf[start:end])
				buf = nb
			default:
				// Cannot happen: the splitter never waits on more than a
				// largest record, and a JSON line without a newline in
				// a whole buffer is skipped as oversize. Be safe anyway.
				p.t.garbage += uint64(end - start)
				p.pos += uint64(end - start)
				start, end = 0, 0
			}
		}
		n, err := conn.Read(buf[end:])
		end += n
		p.t.bytes += uint64(n)
		if n > 0 {
			c := p.process(buf[start:end], false)
			start += c
			p.pos += uint64(c)
			if start == end {
				start, end = 0, 0
			}
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) || isTimeout(err) && p.r.closed.Load() {
				p.process(buf[start:end], false) // the router is closing: what is whole
			} else {
				p.process(buf[start:end], true)
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isTimeout(err) {
				p.r.counters.readErrors.Add(1)
				p.r.log.Warn("connection read failed", "remote", conn.RemoteAddr().String(), "err", err)
			}
			p.flush()
			return
		}
		p.flush()
		if p.progress {
			p.progress = false
			if !p.extendDeadline(conn) {
				return
			}
		}
	}
}

// initialBuffer is a new connection's buffer; it grows as reads fill it,
// up to the largest record.
const initialBuffer = 16 << 10

// extendDeadline gives the connection another idle timeout, unless the
// router is closing. It takes no lock: Close sets closed before it moves
// every connection's deadline to now, so a deadline set here either is
// moved by Close or is followed by a check that sees closed.
func (p *reader) extendDeadline(conn net.Conn) bool {
	conn.SetReadDeadline(time.Now().Add(p.r.idle))
	return !p.r.closed.Load()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
