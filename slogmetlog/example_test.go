package slogmetlog_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/slogmetlog"
)

// Swap slog's default logger for one that sends to a router. A capture
// sender stands in for the router here, and the example prints what the
// router would decode; a real client would use an address such as
// "tcp://127.0.0.1:5565".
func Example() {
	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture), core.WithFormat(core.FormatHeka), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	defer slog.SetDefault(slog.Default()) // restore the default for other examples
	slog.SetDefault(slog.New(slogmetlog.NewHandler(c, nil)))

	slog.Info("user signed in", "user", "ana", slog.Group("http", "status", 200))
	slog.Warn("slow request", "ms", 1500)
	slog.Debug("not sent: below the default level Info")

	if err := c.Flush(context.Background()); err != nil {
		panic(err)
	}
	msgs, err := capture.Messages()
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		fmt.Printf("%s %s %s %q\n", m.Type, m.Logger, m.Severity, m.Payload)
		for _, f := range m.Fields { // Heka has dotted names for groups
			fmt.Printf("  %s=%v\n", f.Name, f.Value())
		}
	}
	// Output:
	// oldstyle app info "user signed in"
	//   user=ana
	//   http.status=200
	// oldstyle app warning "slow request"
	//   ms=1500
}

// Options set the level, logger name, message type and severity mapping,
// and take trace ids from the context.
func ExampleNewHandler() {
	type traceKey struct{}
	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	logger := slog.New(slogmetlog.NewHandler(c, &slogmetlog.Options{
		Level:  slog.LevelDebug,
		Logger: "billing",
		Type:   "audit",
		FromContext: func(ctx context.Context, e *core.Entry) {
			if id, ok := ctx.Value(traceKey{}).(string); ok {
				e.Add(core.String("trace_id", id))
			}
		},
	}))
	ctx := context.WithValue(context.Background(), traceKey{}, "4bf92f35")
	logger.DebugContext(ctx, "invoice sent", "invoice", 1042)

	c.Flush(context.Background())
	msgs, _ := capture.Messages()
	for _, m := range msgs {
		fmt.Println(m.Type, m.Logger, m.Severity, m.Payload, m.Fields)
	}
	// Output:
	// audit billing debug invoice sent [invoice=1042 trace_id=4bf92f35]
}
