//go:build !race

package zerologmetlog

const raceEnabled = false
