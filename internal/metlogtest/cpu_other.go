//go:build !unix

package metlogtest

// processCPU is not measured here.
func processCPU() int64 { return -1 }
