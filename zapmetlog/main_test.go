package zapmetlog_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var formats = []core.Format{core.FormatJSON, core.FormatHeka}

// newClient returns a client capturing what it sends, closed when t ends.
func newClient(t testing.TB, f core.Format, opts ...core.Option) (*core.Client, *core.Capture) {
	t.Helper()
	capt := core.NewCapture()
	opts = append([]core.Option{core.WithSender(capt), core.WithFormat(f), core.WithLogger("app")}, opts...)
	c, err := core.New("", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c, capt
}

// sent flushes c and returns the messages it delivered to capt, decoded.
func sent(t testing.TB, c *core.Client, capt *core.Capture) []*core.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
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

// fieldMap returns fields by name: groups as nested maps, raw JSON (and
// Heka strings with representation "json") as json.RawMessage, every other
// field as core.Field.Value returns it.
func fieldMap(fields []core.Field) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f.Name] = fieldValue(f)
	}
	return m
}

func fieldValue(f core.Field) any {
	switch {
	case f.Kind() == core.KindGroup:
		return fieldMap(f.GroupValue())
	case f.Kind() == core.KindJSON:
		return json.RawMessage(f.BytesValue())
	case f.Kind() == core.KindString && f.Representation == "json" && !f.Repeated():
		return json.RawMessage(f.Str())
	}
	return f.Value()
}
