package core

// Stats are a client's counters, exact and cheap to read (atomic loads).
//
// Every message offered to Send ends in exactly one of Enqueued,
// Drops.Filtered, Drops.Full, Drops.Oversize, Drops.Invalid or
// Drops.Closed. Every enqueued message then ends in exactly one of Sent,
// Fallback or Drops.Failed, or is still Pending:
//
//	offered  = Enqueued + Drops.Filtered + Drops.Full + Drops.Oversize + Drops.Invalid + Drops.Closed
//	Enqueued = Sent + Fallback + Drops.Failed + Pending
//	Dropped  = Drops.Filtered + Drops.Full + Drops.Oversize + Drops.Invalid + Drops.Closed + Drops.Failed
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
	Errors     uint64 // sender errors (failed dials and writes, connections the router closed) and filter predicate panics: events, not messages
	Reconnects uint64 // connections re-made after a failure or a close by the router (for other senders: deliveries that succeeded after an error)
	BytesSent  uint64 // bytes of the frames counted in Sent
	Writes     uint64 // socket writes: datagrams, or stream writes (0 for senders that do not count them)
	Drops      DropStats
}

// DropStats breaks Stats.Dropped down by reason.
type DropStats struct {
	Filtered uint64 // rejected by a filter
	Full     uint64 // the ring buffer was full (or, with DropOldest, the oldest messages discarded to make room)
	Oversize uint64 // larger than the size limit even with the payload truncated
	Invalid  uint64 // the client's format cannot carry it (ErrNotEncodable)
	Closed   uint64 // sent after Close
	Failed   uint64 // enqueued, then given up: a non-retryable sender error, still queued when Close's deadline passed, or (WithoutRetry) undeliverable while the router was unavailable
}
