package metlogtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// Timeout bounds every Flush and Close the helpers make, so a stuck
// client fails the test instead of hanging it.
const Timeout = 10 * time.Second

// Formats are the wire formats every output test runs against.
var Formats = []core.Format{core.FormatJSON, core.FormatHeka}

// NewClient returns a client in format f, logger "test", delivering into
// a fresh Capture; opts come after those defaults and override them. The
// client is closed when the test ends, and a Close error fails the test.
func NewClient(t testing.TB, f core.Format, opts ...core.Option) (*core.Client, *core.Capture) {
	t.Helper()
	capt := core.NewCapture()
	all := append([]core.Option{core.WithSender(capt), core.WithFormat(f), core.WithLogger("test")}, opts...)
	c, err := core.New("", all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c, capt
}

// Messages flushes c (within Timeout) and returns every message capt
// holds, decoded.
func Messages(t testing.TB, c *core.Client, capt *core.Capture) []*core.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := capt.Messages()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// One flushes c and returns its only message; any other count fails the
// test.
func One(t testing.TB, c *core.Client, capt *core.Capture) *core.Message {
	t.Helper()
	msgs := Messages(t, c, capt)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// FieldNames returns the names of m's fields joined by commas, each
// group's members after it indented by two spaces (one level), to check
// the shape of a decoded message: nested groups in JSON, dotted names in
// Heka.
func FieldNames(m *core.Message) string {
	var names []string
	for _, f := range m.Fields {
		names = append(names, f.Name)
		for _, g := range f.GroupValue() {
			names = append(names, "  "+g.Name)
		}
	}
	return strings.Join(names, ",")
}
