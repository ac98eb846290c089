package metrics_test

import (
	"context"
	"fmt"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
)

// Aggregated mode sends one message per series and interval; here Flush
// sends them at once, into a Capture whose messages are printed.
func Example() {
	cp := core.NewCapture()
	c, _ := core.New("", core.WithSender(cp), core.WithLogger("app"))
	m := metrics.New(c)

	for range 3 {
		m.Incr("req.count", 1, metrics.Tag("route", "/api"))
	}
	m.Gauge("queue.depth", 4)
	m.Gauge("queue.depth", 2)
	m.Timing("db.query", 2*time.Millisecond)
	m.Timing("db.query", 4*time.Millisecond)

	ctx := context.Background()
	m.Close(ctx) // flushes; does not close c
	c.Close(ctx)

	msgs, _ := cp.Messages()
	for _, msg := range msgs {
		fmt.Printf("%s %s", msg.Type, msg.Payload)
		for _, f := range msg.Fields {
			fmt.Printf(" %s=%v", f.Name, f.Value())
		}
		fmt.Println()
	}
	// Output:
	// gauge 2 name=queue.depth
	// timer 3 name=db.query rate=1 count=2 sum=6 min=2 max=4 samples=[2 4]
	// counter 3 name=req.count rate=1 route=/api
}

// Direct mode sends one message per call, Metlog's behaviour; a counter
// with a sample rate is sent with that probability and carries the rate.
func Example_direct() {
	cp := core.NewCapture()
	c, _ := core.New("", core.WithSender(cp))
	m := metrics.New(c, metrics.WithMode(metrics.Direct))

	m.Incr("logins", 1)
	m.Incr("cache.miss", 1, metrics.Rate(0)) // rate 0: never sent
	m.Timing("render", 1500*time.Microsecond)

	ctx := context.Background()
	m.Close(ctx)
	c.Close(ctx)

	msgs, _ := cp.Messages()
	for _, msg := range msgs {
		fmt.Println(msg.Type, msg.Payload, msg.Fields[0].Str())
	}
	// Output:
	// counter 1 logins
	// timer 1.5 render
}

// NewStatsd writes statsd lines for deployments without a router.
func ExampleNewStatsd() {
	m, err := metrics.NewStatsd("udp://127.0.0.1:8125", metrics.WithPacketSize(1432))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(context.Background())

	m.Incr("req.count", 1, metrics.Tag("route", "/api")) // req.count:1|c|#route:/api
	m.Gauge("temperature", -3)                           // temperature:0|g then temperature:-3|g
	defer m.StartTimer("req.time").Stop()                // req.time:0.042|ms
}

// StartTimer returns a Timer to stop when the work is done; Time wraps a
// function.
func ExampleMetrics_StartTimer() {
	c, _ := core.New("", core.WithSender(core.NewCapture()))
	defer c.Close(context.Background())
	m := metrics.New(c, metrics.WithDisabledTimers("db.query"))
	defer m.Close(context.Background())

	t := m.StartTimer("req.time", metrics.Tag("route", "/api"))
	// ... handle the request ...
	elapsed := t.Stop()
	_ = elapsed

	m.Time("cache.rebuild", func() { /* ... */ })
}
