package core

import "github.com/metlog-go/metlog/internal/frameq"

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

// ErrUnavailable marks a sender error after which delivery should be
// retried (after a back-off, or through the fallback sender).
var ErrUnavailable = frameq.ErrUnavailable

// Batch is a run of encoded frames, all of one format, stored back to back.
// A sender gets it straight from the ring's memory: it is valid only during
// the Send call.
type Batch struct {
	// Format is the frames' wire format.
	Format Format
	b      frameq.Batch
}

// Len returns the number of frames.
func (b *Batch) Len() int { return b.b.Len() }

// Frame returns frame i. The bytes belong to the batch: copy them to keep them.
func (b *Batch) Frame(i int) []byte { return b.b.Frame(i) }

// Bytes returns frames i to j-1 as one contiguous slice.
func (b *Batch) Bytes(i, j int) []byte { return b.b.Bytes(i, j) }

// Size returns the total bytes of all frames.
func (b *Batch) Size() int { return b.b.Size() }

// FramesIn returns how many leading frames lie completely within the first
// n bytes of Bytes(0, Len()): what a stream write of n bytes delivered.
func (b *Batch) FramesIn(n int) int { return b.b.FramesIn(n) }

// senderSink delivers a queue's batches through a Sender, in one format.
// The queue calls it from its one consumer goroutine, so one Batch is
// reused for every call.
type senderSink struct {
	s     Sender
	batch Batch
}

func (k *senderSink) Send(b *frameq.Batch) (int, error) {
	k.batch.b = *b
	n, err := k.s.Send(&k.batch)
	k.batch.b = frameq.Batch{} // keep no ring memory reachable
	return n, err
}

func (k *senderSink) Close() error { return k.s.Close() }
