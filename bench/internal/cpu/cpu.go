// Package cpu reads the CPU time the process has used, the measure behind
// the benchmarks' per-message CPU figures.
package cpu

import "time"

// Process returns the user plus system CPU time the whole process has
// used so far (every goroutine, the garbage collector and the runtime),
// or -1 where the platform does not report it.
func Process() time.Duration { return process() }
