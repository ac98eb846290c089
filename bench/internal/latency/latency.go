// Package latency keeps latency samples and reads percentiles from them.
//
// Every sample is kept (no histogram buckets), so percentiles are exact:
// a Recorder is sized for a run in advance and appends without
// allocating, one per goroutine, and Merge sorts them together once the
// run is over.
package latency

import (
	"math"
	"slices"
	"time"
)

// Recorder holds the samples of one goroutine. It is not safe for
// concurrent use.
type Recorder struct {
	samples []time.Duration
}

// NewRecorder returns a recorder with room for n samples; more may be
// added, at the cost of growing its memory during the run.
func NewRecorder(n int) *Recorder {
	return &Recorder{samples: make([]time.Duration, 0, n)}
}

// Add records one sample.
func (r *Recorder) Add(d time.Duration) { r.samples = append(r.samples, d) }

// Len returns the number of samples recorded.
func (r *Recorder) Len() int { return len(r.samples) }

// Summary is the sorted union of recorders' samples.
type Summary struct {
	sorted []time.Duration
}

// Merge sorts the samples of rs together. The recorders are not changed.
func Merge(rs ...*Recorder) Summary {
	n := 0
	for _, r := range rs {
		n += len(r.samples)
	}
	all := make([]time.Duration, 0, n)
	for _, r := range rs {
		all = append(all, r.samples...)
	}
	slices.Sort(all)
	return Summary{sorted: all}
}

// Len returns the number of samples.
func (s Summary) Len() int { return len(s.sorted) }

// Quantile returns the nearest-rank q-quantile (0 < q <= 1): the smallest
// sample that at least a fraction q of the samples do not exceed. It
// returns 0 for an empty summary; q outside (0, 1] is clamped.
func (s Summary) Quantile(q float64) time.Duration {
	n := len(s.sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	return s.sorted[rank-1]
}

// Max returns the largest sample, or 0.
func (s Summary) Max() time.Duration {
	if len(s.sorted) == 0 {
		return 0
	}
	return s.sorted[len(s.sorted)-1]
}
