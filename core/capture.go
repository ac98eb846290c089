package core

import (
	"sync"
	"time"
)

// Capture is an in-memory sender for tests: it keeps a copy of every frame
// it is sent. Safe for concurrent use.
type Capture struct {
	mu     sync.Mutex
	frames [][]byte
	format Format
	closed bool
	more   chan struct{} // closed and replaced when frames arrive
}

// NewCapture returns an empty capture sender.
func NewCapture() *Capture { return &Capture{more: make(chan struct{})} }

// Send keeps a copy of each frame.
func (c *Capture) Send(b *Batch) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, errSenderClosed
	}
	c.format = b.Format
	for i := 0; i < b.Len(); i++ {
		c.frames = append(c.frames, append([]byte(nil), b.Frame(i)...))
	}
	close(c.more)
	c.more = make(chan struct{})
	return b.Len(), nil
}

// Close marks the capture closed; its frames stay readable.
func (c *Capture) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

// Len returns the number of frames captured.
func (c *Capture) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.frames)
}

// Frames returns copies of the captured frames, in order.
func (c *Capture) Frames() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][]byte, len(c.frames))
	for i, f := range c.frames {
		out[i] = append([]byte(nil), f...)
	}
	return out
}

// Messages decodes the captured frames.
func (c *Capture) Messages() ([]*Message, error) {
	c.mu.Lock()
	frames, format := c.frames, c.format
	c.mu.Unlock()
	out := make([]*Message, 0, len(frames))
	for _, f := range frames {
		var m *Message
		var err error
		if format == FormatHeka {
			m, _, err = DecodeHekaRecord(f, nil)
		} else {
			m, err = DecodeJSON(f)
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Reset forgets the captured frames.
func (c *Capture) Reset() {
	c.mu.Lock()
	c.frames = nil
	c.mu.Unlock()
}

// Wait returns true once at least n frames have been captured, or false
// when timeout passes first.
func (c *Capture) Wait(n int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		have, more := len(c.frames), c.more
		c.mu.Unlock()
		if have >= n {
			return true
		}
		select {
		case <-more:
		case <-deadline.C:
			return false
		}
	}
}
