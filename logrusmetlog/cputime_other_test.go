//go:build !unix

package logrusmetlog_test

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
