//go:build !unix

package cpu

import "time"

func process() time.Duration { return -1 }
