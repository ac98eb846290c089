package frameq

import (
	"math/rand/v2"
	"time"
)

// backoff is a capped exponential back-off with jitter, used by the
// consumer goroutine only.
type backoff struct {
	min, max time.Duration
	cur      time.Duration
	failing  bool      // the last delivery attempt failed
	until    time.Time // no attempt on the primary sender before this
}

// next returns the next delay: the previous one doubled, capped at max,
// then jittered down by up to half so that many clients spread out.
func (b *backoff) next() time.Duration {
	b.failing = true
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	d := b.cur/2 + rand.N(b.cur/2+1)
	b.until = time.Now().Add(d)
	return d
}

// waiting reports whether the primary sender is in its back-off period.
func (b *backoff) waiting() bool {
	return b.failing && time.Now().Before(b.until)
}

func (b *backoff) reset() {
	b.failing = false
	b.cur = 0
	b.until = time.Time{}
}
