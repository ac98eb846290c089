package zapmetlog_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// A service keeps its zap output and sends the same entries to a router.
// Here the router is an in-memory capture, and zap's output leaves out the
// time so that the example's output is the same on every run.
func Example() {
	capt := core.NewCapture() // in production: core.New("tcp://router:5565", ...)
	c, err := core.New("", core.WithSender(capt), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = ""
	existingCore := zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(os.Stdout), zapcore.InfoLevel)
	logger := zap.New(zapcore.NewTee(existingCore, zapmetlog.NewCore(c, zapcore.InfoLevel)))

	logger.Named("http").With(zap.String("req", "42")).
		Info("served", zap.Int("status", 200), zap.Duration("took", 1500*time.Microsecond))
	logger.Debug("not enabled")
	_ = logger.Sync() // waits (boundedly) until the router has the entries

	msgs, _ := capt.Messages()
	for _, m := range msgs {
		fmt.Println(m.Type, m.Logger, m.Severity, m.Payload)
		for _, f := range m.Fields {
			fmt.Printf("  %s = %v\n", f.Name, f.Value())
		}
	}
	// Output:
	// {"level":"info","logger":"http","msg":"served","req":"42","status":200,"took":0.0015}
	// oldstyle http info served
	//   req = 42
	//   status = 200
	//   took = 1500000
}
