package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the demo: every message reaches the router and both
// endpoints, and the summary says so.
func TestDemo(t *testing.T) {
	var out, summary bytes.Buffer
	if err := run(&out, &summary); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8 || !strings.Contains(lines[2], `error zap oldstyle "payment failed"`) {
		t.Fatalf("stdout:\n%s", out.String())
	}
	for _, want := range []string{"client: sent 8 of 8", "decoded 8", "endpoint file   delivered 8, dropped 0", "file: 8 JSON lines"} {
		if !strings.Contains(summary.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.String())
		}
	}
}
