package latency

import (
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	a, b := NewRecorder(0), NewRecorder(4)
	// 1..1000 ns, split unevenly between two recorders and out of order.
	for i := 1000; i >= 1; i-- {
		if i%3 == 0 {
			a.Add(time.Duration(i))
		} else {
			b.Add(time.Duration(i))
		}
	}
	s := Merge(a, b)
	if s.Len() != 1000 {
		t.Fatalf("Len = %d, want 1000", s.Len())
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 500}, {0.99, 990}, {0.999, 999}, {1, 1000}, {0.0001, 1}, {0, 1}, {2, 1000},
	} {
		if got := s.Quantile(c.q); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if s.Max() != 1000 {
		t.Errorf("Max = %v", s.Max())
	}
	if a.Len()+b.Len() != 1000 {
		t.Errorf("recorders changed: %d + %d", a.Len(), b.Len())
	}
}

func TestEmpty(t *testing.T) {
	s := Merge()
	if s.Quantile(0.5) != 0 || s.Max() != 0 || s.Len() != 0 {
		t.Fatalf("empty summary: %v %v %v", s.Quantile(0.5), s.Max(), s.Len())
	}
}

// TestAddDoesNotAllocate pins that a sized recorder records without
// allocating, so that recording does not disturb what it measures.
func TestAddDoesNotAllocate(t *testing.T) {
	r := NewRecorder(200)
	if n := testing.AllocsPerRun(100, func() { r.Add(time.Microsecond) }); n != 0 {
		t.Fatalf("%v allocations per Add", n)
	}
}
