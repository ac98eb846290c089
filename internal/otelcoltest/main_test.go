package otelcoltest

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: clients closed, collectors stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
