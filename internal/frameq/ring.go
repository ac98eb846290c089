package frameq

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ring is a bounded buffer of variable-size frames, sized in bytes, with
// many producers and one consumer.
//
// Frames are stored back to back in buf exactly as they go on the wire;
// their lengths live apart, in lens. So a run of frames is one contiguous
// slice of buf that a sender can write without a copy. A frame that does
// not fit before the end of buf starts at its beginning instead, and its
// length entry carries wrapBit to say so. Positions are monotonic counts
// (of bytes for buf, of entries for lens); pos % size is the index.
//
// Producers hold the lock only to reserve space: they copy the frame after
// releasing it and then publish its length with an atomic store, so two
// producers copy at the same time. An entry tells published from stale by
// its phase bit, which alternates with each pass over lens: nobody writes
// an entry back to "pending", so the consumer never writes to the lines
// producers publish on. The consumer claims everything reserved
// so far under the lock, reads the claimed frames without it (waiting
// briefly for a frame still being copied) and releases space as it
// delivers. A full ring rejects the new frame, or with dropOldest discards
// the oldest published frames not yet claimed.
type ring struct {
	// Set at creation, read by all.
	buf        []byte
	size       uint64
	lens       []atomic.Uint32
	nlens      uint64 // a power of two
	lapShift   uint   // log2(nlens): lpos>>lapShift counts passes over lens
	dropOldest bool
	wake       chan struct{} // capacity 1
	_          [cacheLine]byte

	// Written under the lock by every push.
	mu       sync.Mutex
	rd       cursor // first not claimed by the consumer
	tail     cursor // next free
	claiming bool
	closed   bool
	_        [cacheLine]byte

	// Written mostly by the consumer and read by every push (producers
	// also clear waiting, and dropOldest moves the head and counts under
	// the lock): apart from the lock's line, so that a push does not wait
	// for the line to come back from the consumer's core.
	waiting atomic.Bool // the consumer sleeps and wants a wake-up
	busy    atomic.Bool // the consumer is in a sender call or a back-off
	// The release point (head): frames before it are delivered, failed
	// or dropped. The consumer moves it without the lock while it holds a
	// claim (only it can then), so that it never queues behind producers
	// for the lock once per batch; producers read it under the lock. The
	// two halves are stored one after the other: a producer seeing one
	// moved and not yet the other only finds less room than there is.
	headPos       atomic.Uint64
	released      atomic.Uint64 // head's lpos
	droppedOldest atomic.Uint64 // frames discarded by dropOldest
}

// cursor is a position in both of the ring's arrays.
type cursor struct {
	pos  uint64 // bytes of buf
	lpos uint64 // entries of lens
}

const (
	wrapBit  = 1 << 31 // the frame starts at buf[0], after the bytes left at the end
	phaseBit = 1 << 30 // set on entries published in even passes over lens, clear in odd ones
	lenMask  = phaseBit - 1
)

func newRing(size int, dropOldest bool) *ring {
	// Room for frames averaging 32 bytes, rounded up to a power of two so
	// that an entry's index and pass are a mask and a shift.
	shift := uint(bits.Len(uint(max(size/32, 64) - 1)))
	return &ring{
		buf:        make([]byte, size),
		size:       uint64(size),
		lens:       make([]atomic.Uint32, 1<<shift), // zero: no phase bit, so pending for pass 0
		nlens:      1 << shift,
		lapShift:   shift,
		dropOldest: dropOldest,
		wake:       make(chan struct{}, 1),
	}
}

// slot returns the length entry of the frame numbered lpos.
func (r *ring) slot(lpos uint64) *atomic.Uint32 { return &r.lens[lpos&(r.nlens-1)] }

// phase returns the phase bit that the entry of frame lpos carries once
// published. The entry's previous frame (lpos-nlens), released before a
// producer could reserve lpos, carried the other one; so did the zero an
// entry starts with.
func (r *ring) phase(lpos uint64) uint32 {
	return uint32(^(lpos>>r.lapShift)&1) << 30
}

// ready reports whether e, read from the entry of frame lpos, is that
// frame's published length rather than its previous frame's.
func (r *ring) ready(lpos uint64, e uint32) bool { return e&phaseBit == r.phase(lpos) }

// fits reports whether a frame of n bytes fits at the tail, and the bytes
// it takes there (including any left unused before a wrap).
func (r *ring) fits(n int) (need uint64, wrap, ok bool) {
	need = uint64(n)
	if left := r.size - r.tail.pos%r.size; left < need {
		need += left
		wrap = true
	}
	return need, wrap, r.tail.pos-r.headPos.Load()+need <= r.size && r.tail.lpos-r.released.Load() < r.nlens
}

// pushResult says what became of a frame offered to the ring.
type pushResult uint8

const (
	pushOK pushResult = iota
	pushFull
	pushClosed
)

// push copies p into the ring as one frame. It never waits for the
// consumer: when there is no room it fails (or drops the oldest unclaimed
// frames, with dropOldest).
func (r *ring) push(p []byte) pushResult {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return pushClosed
	}
	need, wrap, ok := r.fits(len(p))
	if !ok && (!r.dropOldest || !r.makeRoom(len(p))) {
		r.mu.Unlock()
		if !r.busy.Load() {
			r.yield()
		}
		return pushFull
	}
	e := uint32(len(p)) | r.phase(r.tail.lpos)
	if wrap {
		e |= wrapBit
	}
	idx := (r.tail.pos + need - uint64(len(p))) % r.size
	slot := r.slot(r.tail.lpos) // its previous frame is released
	r.tail.pos += need
	r.tail.lpos++
	crowded := r.tail.lpos%yieldEvery == 0 &&
		(r.tail.pos-r.headPos.Load() > r.size/2 || r.tail.lpos-r.released.Load() > r.nlens/2)
	r.mu.Unlock()

	// The space is ours: copy without the lock, then publish. (Enqueued,
	// which Stats reads from tail, counted the frame when it was reserved,
	// before it could be seen: Sent never overtakes it.)
	copy(r.buf[idx:], p)
	slot.Store(e)

	if r.waiting.Load() && r.waiting.CompareAndSwap(true, false) {
		r.signal()
	} else if crowded && !r.busy.Load() {
		r.yield()
	}
	return pushOK
}

// yieldEvery is how often (in frames) a producer checks whether the ring is
// over half full. A ring holding fewer frames than this yields only when
// full.
const yieldEvery = 64

// signal wakes the consumer, from its sleep or its linger.
func (r *ring) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// yield lets a starved consumer run. When producers keep every P busy, the
// consumer goroutine is runnable but gets a P only when the scheduler
// preempts one (about every 10ms), long enough for the ring to fill and
// drop. So while the consumer is not in a sender call or a back-off
// (busy), a producer yields once when its frame is one of every
// yieldEvery and finds the ring over half full (bytes or length entries),
// and a push that finds the ring full yields before it returns: it cuts
// the consumer's linger short and gives up its P. This never waits for a
// write or for the consumer to finish: the producer is requeued while the
// consumer runs, which can delay that one call until the scheduler gives
// it a P again (up to a preemption interval when the consumer keeps the
// only P). A busy consumer is never yielded to: the ring then fills and
// drops as designed. A wake-up sent while the consumer is not waiting is
// kept and ends its next idle wait at once (one early linger, no harm).
func (r *ring) yield() {
	r.signal()
	runtime.Gosched()
}

// makeRoom discards unclaimed frames, oldest first, until a frame of n
// bytes fits. A frame still being copied cannot be discarded. While the
// consumer holds a claim nothing can be freed (the space only comes back
// when the claim ends), so nothing is discarded. Called with the lock held.
func (r *ring) makeRoom(n int) bool {
	if r.claiming {
		return false
	}
	for {
		if _, _, ok := r.fits(n); ok {
			return true
		}
		if r.rd == r.tail || !r.ready(r.rd.lpos, r.slot(r.rd.lpos).Load()) {
			return false // only claimed or unpublished frames left
		}
		_, _, r.rd = r.frameAt(r.rd)
		r.droppedOldest.Add(1)
		r.setHead(r.rd)
	}
}

// frameAt returns where the frame at c lies in buf (buf[idx:idx+n]) and
// the cursor after it. c must be a published frame before tail.
func (r *ring) frameAt(c cursor) (idx, n int, next cursor) {
	return r.place(c, r.slot(c.lpos).Load())
}

// place locates the frame at c from its length entry e.
func (r *ring) place(c cursor, e uint32) (idx, n int, next cursor) {
	pos := c.pos
	if e&wrapBit != 0 {
		pos += r.size - pos%r.size
	}
	n = int(e & lenMask)
	return int(pos % r.size), n, cursor{pos: pos + uint64(n), lpos: c.lpos + 1}
}

// published returns the length entry of the frame at c once its producer
// has finished copying it. The copy is a memmove that cannot block, so the
// wait is usually a few spins; but the producer's thread may be preempted
// between reserving the space and publishing it, for as long as the
// machine is busy. So with wait false published gives up after the spin
// (the consumer delivers the frames before this one first), and with wait
// true it spins, then yields, then sleeps a little longer each time, so
// that a consumer waiting for a descheduled producer does not take the
// CPU from it. It reports false when it gives up or abort closes.
func (r *ring) published(c cursor, abort <-chan struct{}, wait bool) (uint32, bool) {
	slot := r.slot(c.lpos)
	nap := 20 * time.Microsecond
	for spins := 0; ; spins++ {
		if e := slot.Load(); r.ready(c.lpos, e) {
			return e, true
		}
		switch {
		case spins < 200:
			continue
		case !wait:
			return 0, false
		}
		select {
		case <-abort:
			return 0, false
		default:
		}
		if spins < 200+16 {
			runtime.Gosched() // the producer may be waiting for this P
			continue
		}
		time.Sleep(nap)
		nap = min(2*nap, time.Millisecond)
	}
}

// claim takes every frame written so far for the consumer: it returns the
// claimed range [from, to), empty when there is nothing.
func (r *ring) claim() (from, to cursor) {
	r.mu.Lock()
	from, to = r.rd, r.tail
	r.rd = to
	r.claiming = from != to
	r.mu.Unlock()
	return from, to
}

// release frees the ring up to c, inside the current claim.
func (r *ring) release(c cursor) {
	r.setHead(c)
}

// endClaim releases the whole claim, and anything dropOldest discarded
// after it.
func (r *ring) endClaim() {
	r.mu.Lock()
	r.setHead(r.rd)
	r.claiming = false
	r.mu.Unlock()
}

// setHead moves the release point: with the lock held, or by the
// consumer inside its claim.
func (r *ring) setHead(c cursor) {
	r.headPos.Store(c.pos)
	r.released.Store(c.lpos)
}

// reserved returns the position after the last frame reserved so far:
// once released reaches it, every frame pushed before the call is done.
func (r *ring) reserved() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tail.lpos
}

// counts returns, at one instant, the frames ever pushed (every frame
// reserved is pushed) and those dropOldest discarded since.
func (r *ring) counts() (pushed, droppedOldest uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tail.lpos, r.droppedOldest.Load()
}

// empty reports whether no frame waits to be claimed.
func (r *ring) empty() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rd == r.tail
}

// sleep announces that the consumer is about to wait; it returns false
// when frames arrived meanwhile (the caller must not sleep then).
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

// countUnclaimed returns the number of unclaimed frames (for the final
// accounting on an aborted close).
func (r *ring) countUnclaimed() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tail.lpos - r.rd.lpos
}
