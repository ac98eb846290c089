package router_test

import (
	"context"
	"fmt"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/router"
)

// Embedding a router: it listens on a free loopback port, sends errors to
// a capture endpoint (any core.Sender will do) and counts the rest.
func Example() {
	capture := core.NewCapture()
	r, err := router.New(router.Config{
		Inputs:    []router.Input{{Address: "tcp://127.0.0.1:0"}},
		Routes:    []router.Route{{Name: "errors", Matcher: `Severity <= 3`, Endpoints: []string{"capture"}}},
		Endpoints: []router.Endpoint{{Name: "capture", Sender: capture, Format: "json"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := core.New("tcp://"+r.Addrs()[0].String(), core.WithFormat(core.FormatHeka), core.WithLogger("shop"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Error, Payload: "payment failed",
		Fields: []core.Field{core.String("error", "upstream timeout")}})
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Info, Payload: "login"})
	c.Close(ctx)

	capture.Wait(1, 10*time.Second)
	for r.Stats().Decoded < 2 {
		time.Sleep(time.Millisecond)
	}
	r.Close(ctx) // drains the endpoints

	msgs, _ := capture.Messages()
	for _, m := range msgs {
		fmt.Println(m.Logger, m.Severity, m.Payload, m.Fields[0].Name, m.Fields[0].Str())
	}
	st := r.Stats()
	fmt.Println("decoded", st.Decoded, "matched", st.Routes[0].Matched, "unmatched", st.Unmatched, "delivered", st.Endpoints[0].Delivered)
	// Output:
	// shop error payment failed error upstream timeout
	// decoded 2 matched 1 unmatched 1 delivered 1
}
