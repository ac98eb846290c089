//go:build !race

package logrusmetlog_test

const raceEnabled = false
