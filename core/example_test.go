package core_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/metlog-go/metlog/core"
)

// The generic Metlog call: a message with a type, a severity, a payload and
// typed fields. A Capture stands in for the router; a real client is made
// with an address such as "tcp://127.0.0.1:5565".
func Example() {
	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture), core.WithFormat(core.FormatHeka), core.WithLogger("deployer"))
	if err != nil {
		panic(err)
	}
	// Close drains the ring within its context's deadline; without one it
	// waits at most WithCloseTimeout (5s by default).
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			fmt.Println(err)
		}
	}()

	c.Send(&core.Message{Type: "deploy", Severity: core.Notice, Payload: "v1.2 rolled out",
		Fields: []core.Field{core.String("version", "1.2"), core.Int("hosts", 12),
			core.Float("ratio", 0.5), core.Bool("canary", true)}})
	c.Send(&core.Message{Type: "heartbeat"}) // no severity: the client's default, info

	if err := c.Flush(context.Background()); err != nil {
		panic(err)
	}
	msgs, err := capture.Messages()
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		fmt.Println(m.Type, m.Logger, m.Severity, m.Severity.Number(), m.Payload, m.Fields)
	}
	fmt.Printf("%+v\n", c.Stats().Drops)
	// Output:
	// deploy deployer notice 5 v1.2 rolled out [version=1.2 hosts=12 ratio=0.5 canary=true]
	// heartbeat deployer info 6  []
	// {Filtered:0 Full:0 Oversize:0 Invalid:0 Closed:0 Failed:0}
}

// In a test, a Capture keeps every frame the client delivers; Wait blocks
// until they have arrived and Messages decodes them.
func ExampleCapture() {
	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	c.Send(&core.Message{Type: "audit", Severity: core.Warning, Payload: "password changed",
		Fields: []core.Field{core.Group("user", core.String("name", "ana"), core.Int("id", 7))}})

	if !capture.Wait(1, 5*time.Second) {
		panic("not delivered")
	}
	msgs, _ := capture.Messages()
	fmt.Println(msgs[0].Type, msgs[0].Severity, msgs[0].Payload)
	fmt.Println(msgs[0].Fields) // the JSON envelope keeps groups nested
	// Output:
	// audit warning password changed
	// [user={name=ana id=7}]
}

// WithFallback copies messages to another sender (stderr or a file, here a
// buffer) while the router is unavailable, instead of holding them until
// it comes back.
func ExampleWithFallback() {
	// A port where nothing listens: the router is down.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()

	var spill bytes.Buffer
	c, err := core.New("tcp://"+down, core.WithFallback(core.NewWriterSender(&spill)))
	if err != nil {
		panic(err)
	}
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Error, Payload: "disk full"})
	c.Close(context.Background())

	sc := bufio.NewScanner(&spill) // JSON lines, one per message
	for sc.Scan() {
		m, _ := core.DecodeJSON(sc.Bytes())
		fmt.Println(m.Type, m.Severity, m.Payload)
	}
	st := c.Stats()
	fmt.Println("sent", st.Sent, "fallback", st.Fallback, "errors > 0:", st.Errors > 0)
	// Output:
	// oldstyle error disk full
	// sent 0 fallback 1 errors > 0: true
}
