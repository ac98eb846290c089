package frameq

import (
	"testing"
	"time"
)

// TestBackoffEscalatesAcrossFalseSuccesses: a success between failures that
// come close together does not bring the delay back to the minimum (a
// peer that accepts and closes at once), while a failure long after the
// last one starts again from it.
func TestBackoffEscalatesAcrossFalseSuccesses(t *testing.T) {
	b := backoff{min: time.Millisecond, max: 8 * time.Millisecond}
	for range 6 {
		b.next()
		b.success()
	}
	if b.cur != b.max {
		t.Fatalf("after six quick failures the delay is %v, want the cap %v", b.cur, b.max)
	}
	if d := b.next(); d < b.max/2 || d > b.max {
		t.Fatalf("next delay %v outside the jittered cap", d)
	}
	b.success()
	b.lastFail = time.Now().Add(-3 * b.max) // a long quiet spell
	b.next()
	if b.cur != b.min {
		t.Fatalf("a failure long after the last starts at %v, want %v", b.cur, b.min)
	}
}
