// Command metlog-demo runs the whole metlog-go pipeline in one process with
// no external services. It starts a router on a free loopback port, with
// routes to standard output (one readable line per message) and to a JSON
// lines file in a temporary folder; then slog, zap, logrus, zerolog and the
// metrics facade all log through one client, which sends Heka framing to
// the router over TCP. It ends with both sides' counters on stderr.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/metrics"
	"github.com/metlog-go/metlog/router"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
)

func main() {
	if err := run(os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "metlog-demo:", err)
		os.Exit(1)
	}
}

func run(stdout, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "metlog-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "all.jsonl")

	// The router: every message to stdout and the file; errors match a
	// second route to the file too, and are still written there once.
	r, err := router.New(router.Config{
		Inputs: []router.Input{{Address: "tcp://127.0.0.1:0"}},
		Routes: []router.Route{
			{Name: "everything", Matcher: "TRUE", Endpoints: []string{"stdout", "file"}},
			{Name: "errors", Matcher: "Severity <= 3", Endpoints: []string{"file"}},
		},
		Endpoints: []router.Endpoint{
			{Name: "stdout", Sender: core.NewWriterSender(stdout), Format: "text"},
			{Name: "file", Type: "file", Path: path},
		},
	})
	if err != nil {
		return err
	}
	defer r.Close(ctx)

	// The client every adapter shares, to the router over TCP.
	c, err := core.New("tcp://"+r.Addrs()[0].String(), core.WithFormat(core.FormatHeka),
		core.WithLogger("metlog-demo"), core.WithFields(core.String("env", "demo")))
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

	// Metrics: aggregated (the default), one message per series at Close.
	m := metrics.New(c)
	for i := range 3 {
		m.Incr("req.count", 1)
		m.Timing("req.time", time.Duration(10+i)*time.Millisecond)
	}
	m.Gauge("queue.depth", 7)

	if err := m.Close(ctx); err != nil {
		return err
	}
	if err := c.Close(ctx); err != nil {
		return err
	}
	cs := c.Stats()
	for r.Stats().Received < cs.Sent {
		if ctx.Err() != nil {
			return fmt.Errorf("the router received %d of %d messages", r.Stats().Received, cs.Sent)
		}
		time.Sleep(time.Millisecond)
	}
	if err := r.Close(ctx); err != nil { // drains the endpoints
		return err
	}
	rs := r.Stats()
	file, err := os.ReadFile(path)
	if err != nil {
		return err
	}

	fmt.Fprintf(stderr, "client: sent %d of %d messages (%d bytes), %d dropped\n", cs.Sent, cs.Enqueued, cs.BytesSent, cs.Dropped)
	fmt.Fprintf(stderr, "router: received %d, decoded %d, rejected %d, unmatched %d\n", rs.Received, rs.Decoded,
		rs.Received-rs.Decoded, rs.Unmatched)
	for _, rt := range rs.Routes {
		fmt.Fprintf(stderr, "  route %-10s matched %d\n", rt.Name, rt.Matched)
	}
	for _, e := range rs.Endpoints {
		fmt.Fprintf(stderr, "  endpoint %-6s delivered %d, dropped %d\n", e.Name, e.Delivered, e.Dropped)
	}
	fmt.Fprintf(stderr, "file: %d JSON lines (removed at exit)\n", bytes.Count(file, []byte("\n")))
	if cs.Dropped != 0 || rs.Decoded != cs.Sent {
		return fmt.Errorf("lost messages: client %+v, router %+v", cs, rs)
	}
	return nil
}
