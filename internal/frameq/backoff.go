package frameq

import (
	"math/rand/v2"
	"time"
)

// backoff is a capped exponential back-off with jitter, used by the
// consumer goroutine only. Failures that follow each other within twice
// the cap escalate the delay, even with deliveries that seemed to succeed
// in between: a peer that accepts a connection and closes it at once
// "takes" a write before it fails again, and must still be retried less and
// less often. A failure long after the last one starts again from min.
type backoff struct {
	min, max time.Duration
	cur      time.Duration
	failing  bool      // the last delivery attempt failed
	until    time.Time // no attempt on the primary sink before this
	lastFail time.Time
}

// next returns the next delay: the previous one doubled, capped at max,
// then jittered down by up to half so that many clients spread out.
func (b *backoff) next() time.Duration {
	now := time.Now()
	b.failing = true
	if b.cur == 0 || now.Sub(b.lastFail) > 2*b.max {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	b.lastFail = now
	d := b.cur/2 + rand.N(b.cur/2+1)
	b.until = now.Add(d)
	return d
}

// waiting reports whether the primary sink is in its back-off period.
func (b *backoff) waiting() bool {
	return b.failing && time.Now().Before(b.until)
}

// success ends the failing state; the delay's size is kept for a failure
// that comes soon after (see next).
func (b *backoff) success() {
	b.failing = false
	b.until = time.Time{}
}
