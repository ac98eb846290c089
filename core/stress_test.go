package core

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkSender checks every frame it gets: a whole JSON line whose payload
// is "producer seq padding", with the padding's length derived from seq,
// and each producer's sequence numbers rising. It runs on the client's
// goroutine only. mode 1 stalls every 50th write, mode 2 fails every 97th
// as unavailable (the client backs off and retries).
type checkSender struct {
	last  map[int]int
	n     atomic.Int64
	bad   atomic.Int64
	calls int
	mode  int
}

func (s *checkSender) Send(b *Batch) (int, error) {
	s.calls++
	if s.mode == 1 && s.calls%50 == 0 {
		time.Sleep(2 * time.Millisecond) // stalled write
	}
	if s.mode == 2 && s.calls%97 == 0 {
		return 0, fmt.Errorf("x: %w", ErrUnavailable)
	}
	for i := 0; i < b.Len(); i++ {
		f := b.Frame(i)
		var m struct {
			Payload string `json:"payload"`
		}
		if f[len(f)-1] != '\n' || json.Unmarshal(f, &m) != nil {
			s.bad.Add(1)
			continue
		}
		var p, q int
		var pad string
		if _, err := fmt.Sscanf(m.Payload, "%d %d %s", &p, &q, &pad); err != nil || len(pad) != q%200+1 {
			s.bad.Add(1)
			continue
		}
		if l, ok := s.last[p]; ok && q <= l {
			s.bad.Add(1)
		}
		s.last[p] = q
		s.n.Add(1)
	}
	return b.Len(), nil
}
func (s *checkSender) Close() error { return nil }

const perProducer = 5000

// TestRingStress drives the ring hard from six producers: a ring of 8 KiB
// (wrapping every few frames), batches cut at 700 bytes, both drop
// policies, stalled and failing writes, Flush calls meanwhile, on one P
// and on four. No frame may arrive torn, out of its producer's order or
// twice, and the counters must add up.
func TestRingStress(t *testing.T) {
	for _, procs := range []int{1, 4} {
		for _, pol := range []DropPolicy{DropNewest, DropOldest} {
			for mode := 0; mode < 3; mode++ {
				t.Run(fmt.Sprintf("procs%d/pol%d/mode%d", procs, pol, mode), func(t *testing.T) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					s := &checkSender{last: map[int]int{}, mode: mode}
					c, err := New("", WithSender(s), WithBufferSize(8<<10), WithMaxMessageSize(1024), WithBatchSize(700), WithDropPolicy(pol), WithBackoff(time.Millisecond, 2*time.Millisecond))
					if err != nil {
						t.Fatal(err)
					}
					var wg sync.WaitGroup
					for p := 0; p < 6; p++ {
						wg.Add(1)
						go func(p int) {
							defer wg.Done()
							for q := 0; q < perProducer; q++ {
								m := Message{Type: "t", Payload: fmt.Sprintf("%d %d %s", p, q, strings.Repeat("y", q%200+1))}
								c.Send(&m)
								if q%1000 == 0 {
									ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
									if err := c.Flush(ctx); err != nil {
										t.Error(err)
									}
									cancel()
								}
							}
						}(p)
					}
					wg.Wait()
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if err := c.Close(ctx); err != nil {
						t.Fatal(err)
					}
					st := c.Stats()
					if n := s.bad.Load(); n != 0 {
						t.Fatalf("%d frames torn, repeated or out of order (stats %+v)", n, st)
					}
					if s.n.Load() == 0 || uint64(s.n.Load()) != st.Sent {
						t.Fatalf("%d good frames received, Stats.Sent %d", s.n.Load(), st.Sent)
					}
					checkInvariants(t, st, 6*perProducer)
				})
			}
		}
	}
}
