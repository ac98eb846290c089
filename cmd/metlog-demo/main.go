// Command metlog-demo runs metlog-go in one process with no external
// services: slog, zap, logrus, zerolog and the metrics facade all feed one
// client, which writes the Metlog JSON envelope to stdout. It ends with the
// client's counters on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/metrics"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
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

	// The generic Metlog call.
	c.Send(&core.Message{Type: "deploy", Severity: core.Notice, Payload: "v1.2 rolled out",
		Fields: []core.Field{core.String("version", "1.2"), core.Int("hosts", 12),
			core.Float("ratio", 0.5), core.Bool("canary", true), core.Bytes("sig", []byte{0xde, 0xad})}})

	// Each logging framework through its adapter.
	sl := slog.New(slogmetlog.NewHandler(c, &slogmetlog.Options{Logger: "slog"}))
	sl.With("request", "r-17").WithGroup("http").Warn("slow request", "status", 200, "took", 1500*time.Millisecond)

	zl := zap.New(zapmetlog.NewCore(c, zap.InfoLevel)).Named("zap")
	zl.Error("payment failed", zap.Error(errors.New("upstream timeout")), zap.Strings("tried", []string{"a", "b"}))

	lr := logrus.New()
	lr.SetOutput(io.Discard)
	lr.SetFormatter(logrusmetlog.DiscardFormatter{}) // the hook is the only sink
	lr.AddHook(logrusmetlog.NewHook(c, logrusmetlog.WithLogger("logrus")))
	lr.WithFields(logrus.Fields{"user": "alice", "attempt": 3}).Info("login")

	zr := zerolog.New(zerologmetlog.NewWriter(c, zerologmetlog.WithLogger("zerolog"))).With().Timestamp().Logger()
	zr.Debug().Str("cache", "warm").Int("entries", 1024).Msg("cache ready")

	// Metrics, sent directly here (the default aggregates per interval).
	m := metrics.New(c, metrics.WithMode(metrics.Direct))
	m.Incr("req.count", 1)
	m.Timing("req.time", 12*time.Millisecond)
	m.Gauge("queue.depth", 7)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		return err
	}
	if err := c.Close(ctx); err != nil {
		return err
	}
	st := c.Stats()
	fmt.Fprintf(os.Stderr, "sent %d of %d messages (%d bytes), %d dropped\n", st.Sent, st.Enqueued, st.BytesSent, st.Dropped)
	return nil
}
