package core

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// ring is a bounded buffer of variable-size records, sized in bytes, with
// many producers and one consumer.
//
// A record is a 4-byte little-endian length and its bytes, stored
// contiguously: a record that does not fit before the end of the buffer is
// preceded by a wrap marker (or, with fewer than 4 bytes left, an implicit
// wrap) and written at the start. Positions are monotonic byte counts;
// pos % size is the index.
//
// Producers hold the lock only to check space and copy one record. The
// consumer claims everything written so far under the lock, reads the
// claimed records without it (producers never write there) and releases
// space as it delivers. A full ring rejects the new record, or with
// dropOldest discards the oldest records not yet claimed.
type ring struct {
	mu         sync.Mutex
	buf        []byte
	size       uint64
	head       uint64 // first byte not yet released by the consumer
	rd         uint64 // first byte not yet claimed by the consumer
	tail       uint64 // first free byte
	claiming   bool
	closed     bool
	dropOldest bool

	waiting atomic.Bool   // the consumer sleeps and wants a wake-up
	wake    chan struct{} // capacity 1

	droppedOldest atomic.Uint64  // records discarded by dropOldest
	enqueued      *atomic.Uint64 // counts records pushed, under the lock
}

const (
	recHeader  = 4
	wrapMarker = 0xFFFFFFFF
)

func newRing(size int, dropOldest bool) *ring {
	return &ring{
		buf:        make([]byte, size),
		size:       uint64(size),
		dropOldest: dropOldest,
		wake:       make(chan struct{}, 1),
	}
}

// need returns the bytes a record of n bytes takes when written at pos,
// including any wasted tail before a wrap.
func (r *ring) need(pos uint64, n int) uint64 {
	idx := pos % r.size
	rec := uint64(recHeader + n)
	if left := r.size - idx; left < rec {
		return left + rec
	}
	return rec
}

// pushResult says what became of a record offered to the ring.
type pushResult uint8

const (
	pushOK pushResult = iota
	pushFull
	pushClosed
)

// push copies p into the ring as one record. It never waits for the
// consumer: when there is no room it fails (or drops the oldest unclaimed
// records, with dropOldest).
func (r *ring) push(p []byte) pushResult {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return pushClosed
	}
	need := r.need(r.tail, len(p))
	if r.tail-r.head+need > r.size {
		if !r.dropOldest || !r.makeRoom(need) {
			r.mu.Unlock()
			return pushFull
		}
	}
	idx := r.tail % r.size
	if left := r.size - idx; left < uint64(recHeader+len(p)) {
		if left >= recHeader {
			binary.LittleEndian.PutUint32(r.buf[idx:], wrapMarker)
		}
		r.tail += left
		idx = 0
	}
	binary.LittleEndian.PutUint32(r.buf[idx:], uint32(len(p)))
	copy(r.buf[idx+recHeader:], p)
	r.tail += uint64(recHeader + len(p))
	r.enqueued.Add(1)
	r.mu.Unlock()

	if r.waiting.Load() && r.waiting.CompareAndSwap(true, false) {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
	return pushOK
}

// makeRoom discards unclaimed records, oldest first, until need bytes fit.
// Called with the lock held.
func (r *ring) makeRoom(need uint64) bool {
	for r.tail-r.head+need > r.size {
		if r.rd == r.tail {
			return false // only claimed data left: cannot drop it
		}
		_, next := r.recordAt(r.rd)
		r.rd = next
		r.droppedOldest.Add(1)
		if !r.claiming {
			r.head = r.rd
		}
	}
	return true
}

// recordAt returns the record at pos, skipping a wrap, and the position
// after it. pos must be a record boundary before tail.
func (r *ring) recordAt(pos uint64) ([]byte, uint64) {
	idx := pos % r.size
	if left := r.size - idx; left < recHeader {
		pos += left
		idx = 0
	} else if binary.LittleEndian.Uint32(r.buf[idx:]) == wrapMarker {
		pos += left
		idx = 0
	}
	n := uint64(binary.LittleEndian.Uint32(r.buf[idx:]))
	return r.buf[idx+recHeader : idx+recHeader+n], pos + recHeader + n
}

// claim takes every record written so far for the consumer: it returns the
// claimed range [from, to), empty when there is nothing.
func (r *ring) claim() (from, to uint64) {
	r.mu.Lock()
	from, to = r.rd, r.tail
	r.rd = to
	r.claiming = from != to
	r.mu.Unlock()
	return from, to
}

// release frees the ring up to pos, inside the current claim.
func (r *ring) release(pos uint64) {
	r.mu.Lock()
	r.head = pos
	r.mu.Unlock()
}

// endClaim releases the whole claim, and anything dropOldest discarded after it.
func (r *ring) endClaim() {
	r.mu.Lock()
	r.head = r.rd
	r.claiming = false
	r.mu.Unlock()
}

// sleep announces that the consumer is about to wait; it returns false
// when records arrived meanwhile (the caller must not sleep then).
func (r *ring) sleep() bool {
	r.waiting.Store(true)
	r.mu.Lock()
	empty := r.rd == r.tail
	r.mu.Unlock()
	if !empty {
		r.waiting.Store(false)
	}
	return empty
}

// close stops further pushes.
func (r *ring) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}

// count returns the number of unclaimed records (for the final accounting
// on an aborted close).
func (r *ring) countUnclaimed() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n uint64
	for pos := r.rd; pos != r.tail; {
		_, pos = r.recordAt(pos)
		n++
	}
	return n
}

// maxRecord is the largest record the ring accepts: half its size, so a
// wrap can always be followed by the record.
func (r *ring) maxRecord() int { return int(r.size/2) - recHeader }
