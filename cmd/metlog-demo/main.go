// Command metlog-demo runs metlog-go's pipeline in one process with no
// external services: it sends a few messages through a client to stdout,
// in the Metlog JSON envelope, and prints the client's counters.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/metlog-go/metlog/core"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "metlog-demo:", err)
		os.Exit(1)
	}
}

func run() error {
	c, err := core.New("stdout://", core.WithLogger("metlog-demo"), core.WithFields(core.String("env", "demo")))
	if err != nil {
		return err
	}
	c.Send(&core.Message{Type: "deploy", Severity: core.Notice, Payload: "v1.2 rolled out",
		Fields: []core.Field{core.String("version", "1.2"), core.Int("hosts", 12),
			core.Float("ratio", 0.5), core.Bool("canary", true), core.Bytes("sig", []byte{0xde, 0xad})}})
	c.Send(&core.Message{Type: core.TypeOldstyle, Severity: core.Error, Payload: "payment failed",
		Fields: []core.Field{core.Group("http", core.Int("status", 502), core.String("path", "/pay")),
			core.String("error", "upstream timeout")}})
	c.Send(&core.Message{Type: "timer", Severity: core.Info, Payload: "12",
		Fields: []core.Field{core.String("name", "req.time"), core.Float("rate", 1)}})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		return err
	}
	st := c.Stats()
	fmt.Fprintf(os.Stderr, "sent %d of %d enqueued, %d dropped, %d bytes\n", st.Sent, st.Enqueued, st.Dropped, st.BytesSent)
	return nil
}
