//go:build !race

package zapmetlog_test

const raceEnabled = false
