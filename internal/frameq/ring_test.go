package frameq

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
)

// drainRing claims and reads everything in r, releasing as it goes.
func drainRing(r *ring) [][]byte {
	var out [][]byte
	from, to := r.claim()
	for cur := from; cur != to; {
		e, _ := r.published(cur, nil, true)
		idx, n, next := r.place(cur, e)
		out = append(out, append([]byte(nil), r.buf[idx:idx+n]...))
		cur = next
		r.release(cur)
	}
	r.endClaim()
	return out
}

func TestRingOrderAndWrap(t *testing.T) {
	r := newRing(100, false)
	var want [][]byte
	// Frames of 3..29 bytes wrap around a 100-byte ring many times.
	for i := 0; i < 200; i++ {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, 3+i%27)
		if res := r.push(p); res != pushOK {
			// Full: drain and retry, as the consumer would.
			want = checkDrained(t, r, want)
			if res = r.push(p); res != pushOK {
				t.Fatalf("push %d after drain: %v", i, res)
			}
		}
		want = append(want, p)
	}
	checkDrained(t, r, want)
}

func checkDrained(t *testing.T, r *ring, want [][]byte) [][]byte {
	t.Helper()
	got := drainRing(r)
	if len(got) != len(want) {
		t.Fatalf("drained %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
	return nil
}

func TestRingFullRejectsNewest(t *testing.T) {
	r := newRing(64, false)
	rec := make([]byte, 16) // 4 fit
	for i := 0; i < 4; i++ {
		if res := r.push(rec); res != pushOK {
			t.Fatalf("push %d: %v", i, res)
		}
	}
	if res := r.push(rec); res != pushFull {
		t.Fatalf("push into a full ring = %v, want pushFull", res)
	}
	if got, _ := r.counts(); got != 4 {
		t.Fatalf("pushed = %d, want 4", got)
	}
}

func TestRingDropOldest(t *testing.T) {
	r := newRing(64, true)
	for i := 0; i < 10; i++ {
		rec := make([]byte, 16)
		rec[0] = byte(i)
		if res := r.push(rec); res != pushOK {
			t.Fatalf("push %d: %v", i, res)
		}
	}
	got := drainRing(r)
	if len(got) != 4 || got[0][0] != 6 || got[3][0] != 9 {
		t.Fatalf("after 10 pushes into a 4-record ring, drained %d records starting at %v; want the newest 4 (6..9)", len(got), got[0][0])
	}
	if d := r.droppedOldest.Load(); d != 6 {
		t.Fatalf("droppedOldest = %d, want 6", d)
	}
}

func TestRingDropOldestSparesClaimed(t *testing.T) {
	r := newRing(64, true)
	rec := make([]byte, 16)
	for i := 0; i < 4; i++ {
		r.push(rec)
	}
	from, to := r.claim() // the consumer is reading all four
	if res := r.push(rec); res != pushFull {
		t.Fatalf("push while everything is claimed = %v, want pushFull (claimed records cannot be dropped)", res)
	}
	r.release(to)
	r.endClaim()
	if from == to {
		t.Fatal("nothing claimed")
	}
	if res := r.push(rec); res != pushOK {
		t.Fatalf("push after release = %v", res)
	}
}

// TestRingConcurrentProducers checks that with many producers and one
// consumer every record arrives exactly once and each producer's records
// keep their order.
func TestRingConcurrentProducers(t *testing.T) {
	const producers, each = 8, 20000
	r := newRing(4096, false)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			var rec [8]byte
			for i := 0; i < each; {
				binary.LittleEndian.PutUint32(rec[:], uint32(p))
				binary.LittleEndian.PutUint32(rec[4:], uint32(i))
				if r.push(rec[:]) == pushOK {
					i++
				}
			}
		}(p)
	}
	next := make([]uint32, producers)
	total := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; ; {
		for _, rec := range drainRing(r) {
			p, i := binary.LittleEndian.Uint32(rec), binary.LittleEndian.Uint32(rec[4:])
			if i != next[p] {
				t.Fatalf("producer %d: got record %d, want %d", p, i, next[p])
			}
			next[p]++
			total++
		}
		if finished {
			break
		}
		select {
		case <-done:
			finished = true
		default:
		}
	}
	if total != producers*each {
		t.Fatalf("received %d records, want %d", total, producers*each)
	}
}

func (r pushResult) String() string {
	return fmt.Sprintf("pushResult(%d)", uint8(r))
}

// TestRingLengthsFull: many tiny frames fill the length entries before the
// bytes; that is full too, never an overwrite.
func TestRingLengthsFull(t *testing.T) {
	r := newRing(64*32, false) // 64 length entries
	for i := 0; i < 64; i++ {
		if res := r.push([]byte{byte(i)}); res != pushOK {
			t.Fatalf("push %d: %v", i, res)
		}
	}
	if res := r.push([]byte{1}); res != pushFull {
		t.Fatalf("65th frame = %v, want pushFull", res)
	}
	got := drainRing(r)
	if len(got) != 64 || got[63][0] != 63 {
		t.Fatalf("drained %d frames", len(got))
	}
}

// TestRingFramesContiguous: frames lie back to back in the buffer, so a
// run of them is one slice a sender can write without copying.
func TestRingFramesContiguous(t *testing.T) {
	r := newRing(1024, false)
	for _, s := range []string{"alpha\n", "beta\n", "gamma\n"} {
		r.push([]byte(s))
	}
	from, to := r.claim()
	first, _, _ := r.frameAt(from)
	idx, n, next := r.frameAt(from)
	for next != to {
		i2, n2, nx := r.frameAt(next)
		if i2 != idx+n {
			t.Fatalf("frame at %d does not follow the previous one ending at %d", i2, idx+n)
		}
		idx, n, next = i2, n2, nx
	}
	if got := string(r.buf[first : idx+n]); got != "alpha\nbeta\ngamma\n" {
		t.Fatalf("contiguous run = %q", got)
	}
	r.endClaim()
}

// TestRingDropOldestWhileClaimed: while the consumer holds a claim, the
// space of dropped frames cannot come back, so DropOldest must not discard
// the unclaimed frames for nothing: the new frame is rejected and the
// queued ones stay.
func TestRingDropOldestWhileClaimed(t *testing.T) {
	r := newRing(160, true)
	rec := make([]byte, 40)
	for i := 0; i < 2; i++ {
		r.push(rec)
	}
	from, to := r.claim() // the consumer is writing these two
	for i := 0; i < 2; i++ {
		rec[0] = byte(10 + i)
		if res := r.push(rec); res != pushOK {
			t.Fatalf("push %d: %v", i, res)
		}
	}
	if res := r.push(rec); res != pushFull {
		t.Fatalf("push into a full ring during a claim = %v, want pushFull", res)
	}
	if d := r.droppedOldest.Load(); d != 0 {
		t.Fatalf("%d frames dropped without making room", d)
	}
	r.release(to)
	r.endClaim()
	if from == to {
		t.Fatal("nothing claimed")
	}
	got := drainRing(r)
	if len(got) != 2 || got[0][0] != 10 || got[1][0] != 11 {
		t.Fatalf("queued frames after the claim: %d", len(got))
	}
}
