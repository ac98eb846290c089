package core

import "errors"

// A Sender delivers encoded frames to a router (or a file, or a test).
// The client calls Send from one goroutine only; Close may be called
// concurrently with Send to abort it (a stalled router on Close's deadline).
type Sender interface {
	// Send writes the batch's frames in order and returns how many leading
	// frames were delivered completely. It never writes part of a frame
	// and then another frame on the same stream.
	//
	// An error wrapping ErrUnavailable (refused, broken or stalled
	// connection) makes the client retry the frames after the first n
	// after a back-off, or hand them to its fallback sender. With any
	// other error n counts the frames delivered anywhere in the batch (a
	// datagram sender may lose one datagram and send the next); the rest
	// are dropped, counted as failed.
	Send(b *Batch) (int, error)
	// Close releases the sender. Send after Close fails.
	Close() error
}

// FrameLimiter is implemented by senders that cannot carry frames of any
// size, such as datagram sockets; the client lowers its message size limit
// to fit.
type FrameLimiter interface {
	MaxFrameSize() int
}

// ErrUnavailable marks a sender error after which delivery should be retried.
var ErrUnavailable = errors.New("metlog: router unavailable")

// Batch is a run of encoded frames, all of one format, stored back to back.
type Batch struct {
	// Format is the frames' wire format.
	Format Format
	buf    []byte
	start  int   // offset of the first frame in buf
	ends   []int // end offset of each frame in buf
}

// Len returns the number of frames.
func (b *Batch) Len() int { return len(b.ends) }

// Frame returns frame i. The bytes belong to the batch: copy them to keep them.
func (b *Batch) Frame(i int) []byte {
	s := b.start
	if i > 0 {
		s = b.ends[i-1]
	}
	return b.buf[s:b.ends[i]]
}

// Bytes returns frames i to j-1 as one contiguous slice.
func (b *Batch) Bytes(i, j int) []byte {
	if i >= j {
		return nil
	}
	s := b.start
	if i > 0 {
		s = b.ends[i-1]
	}
	return b.buf[s:b.ends[j-1]]
}

// Size returns the total bytes of all frames.
func (b *Batch) Size() int {
	if len(b.ends) == 0 {
		return 0
	}
	return b.ends[len(b.ends)-1] - b.start
}

// FramesIn returns how many leading frames lie completely within the first
// n bytes of Bytes(0, Len()): what a stream write of n bytes delivered.
func (b *Batch) FramesIn(n int) int {
	k := 0
	for k < len(b.ends) && b.ends[k]-b.start <= n {
		k++
	}
	return k
}

// NewBatch returns a batch of the given frames (copied), for tests and for
// senders that wrap other senders.
func NewBatch(f Format, frames ...[]byte) *Batch {
	b := &Batch{Format: f}
	for _, fr := range frames {
		b.add(fr)
	}
	return b
}

func (b *Batch) add(frame []byte) {
	b.buf = append(b.buf, frame...)
	b.ends = append(b.ends, len(b.buf))
}

// from returns a view of frames i.. of b.
func (b *Batch) from(i int) Batch {
	v := Batch{Format: b.Format, buf: b.buf, ends: b.ends[i:], start: b.start}
	if i > 0 {
		v.start = b.ends[i-1]
	}
	return v
}
