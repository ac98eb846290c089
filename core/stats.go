package core

import "sync/atomic"

// Stats are a client's counters, exact and cheap to read (atomic loads).
//
// Every message offered to Send ends in exactly one of Enqueued,
// Drops.Filtered, Drops.Full, Drops.Oversize or Drops.Closed. Every
// enqueued message then ends in exactly one of Sent, Fallback or
// Drops.Failed, or is still Pending:
//
//	offered  = Enqueued + Drops.Filtered + Drops.Full + Drops.Oversize + Drops.Closed
//	Enqueued = Sent + Fallback + Drops.Failed + Pending
//	Dropped  = Drops.Filtered + Drops.Full + Drops.Oversize + Drops.Closed + Drops.Failed
//
// After Close returns, Pending is 0. Counters read while messages are in
// flight are each exact but not a single atomic snapshot; Pending is
// computed so that it is never negative.
type Stats struct {
	Enqueued   uint64 // accepted into the ring buffer
	Sent       uint64 // written completely to the sender
	Fallback   uint64 // written to the fallback sender while the router was unavailable
	Pending    uint64 // enqueued and not yet sent, fallen back or failed
	Dropped    uint64 // lost for any reason: the sum of Drops
	Filtered   uint64 // rejected by a filter (also in Drops.Filtered)
	Errors     uint64 // sender errors (failed dials and writes) and filter predicate panics: events, not messages
	Reconnects uint64 // connections re-made after a failure or a close by the router (for other senders: deliveries that succeeded after an error)
	BytesSent  uint64 // bytes of the frames counted in Sent
	Drops      DropStats
}

// DropStats breaks Stats.Dropped down by reason.
type DropStats struct {
	Filtered uint64 // rejected by a filter
	Full     uint64 // the ring buffer was full (or, with DropOldest, the oldest messages discarded to make room)
	Oversize uint64 // larger than the size limit even with the payload truncated
	Closed   uint64 // sent after Close
	Failed   uint64 // enqueued, then given up: a non-retryable sender error, or still queued when Close's deadline passed
}

// counters are the live values behind Stats. The hot-path counters each
// have a cache line of their own so that producers on different cores do
// not contend on them.
type counters struct {
	filtered   padded
	full       padded
	oversize   atomic.Uint64
	closed     atomic.Uint64
	sent       atomic.Uint64
	fallback   atomic.Uint64
	failed     atomic.Uint64
	errors     atomic.Uint64
	reconnects atomic.Uint64
	bytesSent  atomic.Uint64
}

// cacheLine is the size padding keeps apart: fields written by different
// goroutines on separate lines, so that they do not bounce one line
// between cores.
const cacheLine = 64

type padded struct {
	atomic.Uint64
	_ [cacheLine - 8]byte
}

func (c *counters) snapshot(r *ring) Stats {
	// Read the outcomes of enqueued messages before Enqueued, so that
	// Pending cannot come out negative.
	var s Stats
	s.Sent = c.sent.Load()
	s.Fallback = c.fallback.Load()
	s.Drops.Failed = c.failed.Load()
	var droppedOldest uint64
	s.Enqueued, droppedOldest = r.counts()
	s.Drops.Filtered = c.filtered.Load()
	s.Drops.Full = c.full.Load() + droppedOldest
	s.Drops.Oversize = c.oversize.Load()
	s.Drops.Closed = c.closed.Load()
	s.Errors = c.errors.Load()
	s.Reconnects = c.reconnects.Load()
	s.BytesSent = c.bytesSent.Load()
	// With DropOldest, messages counted in Enqueued are later discarded:
	// they leave Enqueued for Drops.Full so that the invariants hold.
	s.Enqueued -= min(s.Enqueued, droppedOldest)
	s.Filtered = s.Drops.Filtered
	s.Dropped = s.Drops.Filtered + s.Drops.Full + s.Drops.Oversize + s.Drops.Closed + s.Drops.Failed
	if done := s.Sent + s.Fallback + s.Drops.Failed; s.Enqueued > done {
		s.Pending = s.Enqueued - done
	}
	return s
}
