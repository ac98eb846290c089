package metrics_test

import (
	"context"
	"fmt"
	"net"
	"strings"
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

// NewStatsd writes statsd lines for deployments without a router. A UDP
// socket on 127.0.0.1 stands in for statsd here.
func ExampleNewStatsd() {
	statsd, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer statsd.Close()

	m, err := metrics.NewStatsd("udp://"+statsd.LocalAddr().String(), metrics.WithMode(metrics.Direct))
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Incr("req.count", 1, metrics.Tag("route", "/api"))
	m.Gauge("temperature", -3) // statsd reads a leading sign as a change: reset first
	m.Timing("req.time", 42*time.Millisecond, metrics.Rate(0.5))
	m.Close(context.Background()) // flushes

	// Lines are packed several to a datagram, newline-separated.
	buf := make([]byte, 1500)
	for lines := 0; lines < 4; {
		statsd.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := statsd.ReadFrom(buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(string(buf[:n]))
		lines += 1 + strings.Count(string(buf[:n]), "\n")
	}
	// Output:
	// req.count:1|c|#route:/api
	// temperature:0|g
	// temperature:-3|g
	// req.time:42|ms|@0.5
}

// StartTimer returns a Timer to stop when the work is done; Time wraps a
// function; WithDisabledTimers turns timers off by name.
func ExampleMetrics_StartTimer() {
	cp := core.NewCapture()
	c, _ := core.New("", core.WithSender(cp))
	m := metrics.New(c, metrics.WithMode(metrics.Direct), metrics.WithDisabledTimers("db.query"))

	t := m.StartTimer("req.time", metrics.Tag("route", "/api"))
	// ... handle the request ...
	elapsed := t.Stop()
	m.Time("cache.rebuild", func() { /* ... */ })
	m.Time("db.query", func() { /* ... */ }) // disabled: not sent

	m.Close(context.Background())
	c.Close(context.Background())
	msgs, _ := cp.Messages()
	for _, msg := range msgs {
		fmt.Println(msg.Type, msg.Fields[0], msg.Fields[len(msg.Fields)-1])
	}
	fmt.Println(elapsed >= 0)
	// Output:
	// timer name=req.time route=/api
	// timer name=cache.rebuild rate=1
	// true
}
