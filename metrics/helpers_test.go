package metrics_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

func ctx5s(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func decoded(t testing.TB, cp *core.Capture) []*core.Message {
	t.Helper()
	msgs, err := cp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// fields indexes a message's top-level fields by name.
func fields(m *core.Message) map[string]core.Field {
	out := map[string]core.Field{}
	for _, f := range m.Fields {
		out[f.Name] = f
	}
	return out
}

// floats returns a float field's values, repeated or not (Heka decodes a
// one-value list as a scalar).
func floats(f core.Field) []float64 {
	if f.Repeated() {
		return f.FloatsValue()
	}
	return []float64{f.FloatValue()}
}

// byName groups messages of one type by their name field.
func byName(msgs []*core.Message, typ string) map[string][]*core.Message {
	out := map[string][]*core.Message{}
	for _, m := range msgs {
		if m.Type == typ {
			n := fields(m)["name"].Str()
			out[n] = append(out[n], m)
		}
	}
	return out
}

func sortedCopy(v []float64) []float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c
}
