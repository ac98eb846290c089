//go:build !unix

package slogmetlog

// processCPU is not measured here.
func processCPU() int64 { return -1 }
