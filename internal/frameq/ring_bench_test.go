package frameq

import (
	"sync"
	"testing"
)

// BenchmarkEnqueue measures the ring alone: copying one encoded 200-byte
// frame in. Whichever producer finds the ring full drains it inline (the
// consumer's bookkeeping, no I/O) and retries, so the figure is the cost
// of an enqueue that succeeds, not of a drop.
func BenchmarkEnqueue(b *testing.B) {
	frame := make([]byte, 200)
	run := func(b *testing.B, parallel bool) {
		r := newRing(4<<20, false)
		var consumer sync.Mutex
		push := func() {
			for r.push(frame) != pushOK {
				if consumer.TryLock() {
					from, to := r.claim()
					for cur := from; cur != to; {
						e, _ := r.published(cur, nil, true)
						_, _, cur = r.place(cur, e)
					}
					r.endClaim()
					consumer.Unlock()
				}
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		if parallel {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					push()
				}
			})
		} else {
			for i := 0; i < b.N; i++ {
				push()
			}
		}
	}
	b.Run("single", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}
