package slogmetlog

import (
	"runtime"
	"sync/atomic"
)

// sourceCache remembers the frames of recent call sites, so that AddSource
// costs a runtime.CallersFrames lookup (two allocations) per call site
// rather than per record. Slots are overwritten on collision; a handler and
// the handlers derived from it share one cache.
type sourceCache [256]atomic.Pointer[cachedFrame]

type cachedFrame struct {
	pc    uintptr
	frame runtime.Frame
}

// frame returns the frame of the record's PC (a return address, as from
// runtime.Callers).
func (c *sourceCache) frame(pc uintptr) *runtime.Frame {
	slot := &c[(uint64(pc)*0x9E3779B97F4A7C15)>>56]
	if cf := slot.Load(); cf != nil && cf.pc == pc {
		return &cf.frame
	}
	cf := &cachedFrame{pc: pc}
	cf.frame, _ = runtime.CallersFrames([]uintptr{pc}).Next()
	slot.Store(cf)
	return &cf.frame
}
