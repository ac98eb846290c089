package slogmetlog

import (
	"log/slog"
	"testing"
	"testing/slogtest"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// TestSlogtest runs the standard library's handler conformance suite
// against the decoded output of both wire formats.
func TestSlogtest(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			var c *core.Client
			var cp *core.Capture
			slogtest.Run(t, func(t *testing.T) slog.Handler {
				c, cp = metlogtest.NewClient(t, f)
				return NewHandler(c, nil)
			}, func(t *testing.T) map[string]any {
				m, err := recordMap(metlogtest.One(t, c, cp), f)
				if err != nil {
					t.Fatal(err)
				}
				return m
			})
		})
	}
}
