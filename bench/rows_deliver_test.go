package bench

import (
	"testing"
)

// TestRowsDeliver checks what the benchmarks count: every row of every
// framework delivers exactly one message (per copy) for each call of each
// scenario, and nothing for a disabled level.
func TestRowsDeliver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the receiver process and every pipeline")
	}
	const calls = 50
	for _, fw := range frameworks {
		for _, r := range rows {
			if r.otel && !fw.otel {
				continue
			}
			for _, sc := range scenarios {
				t.Run(fw.name+"/"+r.name+"/"+sc, func(t *testing.T) {
					d, err := r.open(config{}, t.Cleanup)
					if err != nil {
						t.Fatal(err)
					}
					call := fw.call(d.sinks(), sc)
					if err := d.begin(); err != nil {
						t.Fatal(err)
					}
					for range calls {
						call()
					}
					if err := d.settle(); err != nil {
						t.Fatal(err)
					}
					n, copies, err := d.delivered()
					if err != nil {
						t.Fatal(err)
					}
					want := int64(calls * copies)
					if sc == disabled {
						want = 0
					}
					if n >= 0 && n != want {
						t.Fatalf("delivered %d, want %d", n, want)
					}
				})
			}
		}
	}
}
