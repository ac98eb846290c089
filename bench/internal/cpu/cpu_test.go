package cpu

import (
	"runtime"
	"testing"
)

// TestProcessGrows checks that spinning on the CPU shows up in Process.
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage here")
	}
	before := Process()
	if before < 0 {
		t.Fatal("Process returned -1 on a unix system")
	}
	x := 0
	for Process()-before < 20e6 { // 20ms of CPU
		for i := range 1 << 16 {
			x += i
		}
	}
	if after := Process(); after <= before {
		t.Fatalf("Process went from %v to %v", before, after)
	}
	_ = x
}
