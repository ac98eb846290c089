package core_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// BenchmarkOTLPDelivery measures a message's whole cost through an OTLP
// client: encoding, the ring, and its share of the OTLP/HTTP request to an
// endpoint on 127.0.0.1 that reads the body and answers 200 (in the same
// process: its CPU is in cpu-ns/op too). "discard" is the same client with
// a sender that discards, the cost without HTTP. The callers wait for
// delivery (Flush) every flushEvery messages, so that the ring does not
// overflow and cpu-ns/op is the CPU per delivered record: delivered/op is
// 1 when nothing was dropped.
//
//	go test -run='^$' -bench=OTLPDelivery -benchmem -count=10 ./core
func BenchmarkOTLPDelivery(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	fields := []core.Field{core.String("method", "GET"), core.Int("status", 200), core.Float("ms", 1.5),
		core.String("path", "/api/v1/items"), core.Bool("cached", false)}
	addr := "otlp://" + srv.Listener.Addr().String()
	for _, v := range []struct {
		name string
		http bool
		gzip bool
	}{
		{"http", true, false},
		{"http-gzip", true, true},
		{"discard", false, false},
	} {
		b.Run(v.name, func(b *testing.B) {
			c := metlogtest.BenchClient(b, core.FormatOTLP)
			if v.http {
				c = otlpClient(b, addr, v.gzip)
			}
			sent := c.Stats().Sent
			var n atomic.Uint64
			metlogtest.RunParallel(b, c, func() {
				m := core.Message{Type: core.TypeOldstyle, Payload: "request served", Fields: fields}
				c.Send(&m)
				if n.Add(1)%flushEvery == 0 {
					c.Flush(context.Background())
				}
			})
			b.ReportMetric(float64(c.Stats().Sent-sent)/float64(b.N), "delivered/op")
		})
	}
}

// flushEvery is how many messages the delivery benchmark's callers send
// between waits for delivery: about two requests' worth.
const flushEvery = 512

// otlpClient returns a client posting OTLP/HTTP to addr, closed when the
// benchmark ends.
func otlpClient(b *testing.B, addr string, gzip bool) *core.Client {
	c, err := core.New(addr, core.WithGzip(gzip), core.WithLogger("bench"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(context.Background()) })
	return c
}
