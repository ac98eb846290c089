package core

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: clients are closed, receivers stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
