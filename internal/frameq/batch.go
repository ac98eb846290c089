package frameq

// Batch is a run of frames stored back to back, as the queue hands them to
// its sink: straight from ring memory, valid only during the Send call.
type Batch struct {
	buf   []byte
	start int   // offset of the first frame in buf
	ends  []int // end offset of each frame in buf
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

// From returns a view of frames i and after.
func (b *Batch) From(i int) Batch {
	v := Batch{buf: b.buf, ends: b.ends[i:], start: b.start}
	if i > 0 {
		v.start = b.ends[i-1]
	}
	return v
}

// Add appends a copy of frame, for batches built outside a queue (tests,
// senders that wrap other senders).
func (b *Batch) Add(frame []byte) {
	if len(b.ends) == 0 {
		b.buf, b.start = b.buf[:0], 0
	}
	b.buf = append(b.buf, frame...)
	b.ends = append(b.ends, len(b.buf))
}
