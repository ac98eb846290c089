package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

// TestOTLPRecords: through a FormatOTLP client, metrics are log records
// with the kind as event_name, the payload as body, the fields as
// attributes and the value as the double attribute metric.value (read
// with the official OTLP types).
func TestOTLPRecords(t *testing.T) {
	cp := core.NewCapture()
	c, err := core.New("", core.WithSender(cp), core.WithFormat(core.FormatOTLP), core.WithLogger("app"))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(c, metrics.WithMode(metrics.Direct))
	m.Incr("hits", 3, metrics.Tag("route", "/api"))
	m.Gauge("depth", -1.5)
	m.Timing("db", 2500*time.Microsecond)
	if err := c.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	want := []struct{ event, body, attrs string }{
		{core.TypeCounter, "3", `name="hits" rate=1 route="/api" metric.value=3 metlog.logger="app"`},
		{core.TypeGauge, "-1.5", `name="depth" metric.value=-1.5 metlog.logger="app"`},
		{core.TypeTimer, "2.5", `name="db" rate=1 metric.value=2.5 metlog.logger="app"`},
	}
	frames := cp.Frames()
	if len(frames) != len(want) {
		t.Fatalf("%d frames", len(frames))
	}
	for i, f := range frames {
		var sl logspb.ScopeLogs
		if err := proto.Unmarshal(f, &sl); err != nil || len(sl.LogRecords) != 1 {
			t.Fatalf("frame %d: %v", i, err)
		}
		r := sl.LogRecords[0]
		if got := renderAttrs(r.Attributes); r.EventName != want[i].event || r.GetBody().GetStringValue() != want[i].body || got != want[i].attrs {
			t.Errorf("record %d: %q %q %s\nwant %q %q %s", i, r.EventName, r.GetBody().GetStringValue(), got, want[i].event, want[i].body, want[i].attrs)
		}
	}
}

// renderAttrs writes attributes as k=v: strings quoted, doubles as Go
// prints them, any other kind as ?type (so a value that should be a double
// and is not shows).
func renderAttrs(kvs []*commonpb.KeyValue) string {
	s := ""
	for i, kv := range kvs {
		if i > 0 {
			s += " "
		}
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			s += fmt.Sprintf("%s=%q", kv.Key, v.StringValue)
		case *commonpb.AnyValue_DoubleValue:
			s += fmt.Sprintf("%s=%v", kv.Key, v.DoubleValue)
		default:
			s += fmt.Sprintf("%s=?%T", kv.Key, v)
		}
	}
	return s
}
