package router

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
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

// logEverything sends through every adapter and the metrics facade (both
// modes) to c, and returns how many messages that is.
func logEverything(t *testing.T, c *core.Client) int {
	t.Helper()
	c.Send(&core.Message{Type: "deploy", Severity: core.Notice, Payload: "v1.2 rolled out",
		Fields: []core.Field{core.String("version", "1.2"), core.Int("hosts", 12)}})

	sl := slog.New(slogmetlog.NewHandler(c, &slogmetlog.Options{Logger: "slog"}))
	sl.With("request", "r-17").WithGroup("http").Warn("slow request", "status", 200)

	zl := zap.New(zapmetlog.NewCore(c, zap.InfoLevel)).Named("zap")
	zl.Error("payment failed", zap.Error(errors.New("upstream timeout")), zap.Strings("tried", []string{"a", "b"}))

	lr := logrus.New()
	lr.SetOutput(io.Discard)
	lr.SetFormatter(logrusmetlog.DiscardFormatter{})
	lr.AddHook(logrusmetlog.NewHook(c, logrusmetlog.WithLogger("logrus")))
	lr.WithFields(logrus.Fields{"user": "alice", "attempt": 3}).Info("login")

	zr := zerolog.New(zerologmetlog.NewWriter(c, zerologmetlog.WithLogger("zerolog")))
	zr.Debug().Str("cache", "warm").Int("entries", 1024).Msg("cache ready")

	direct := metrics.New(c, metrics.WithMode(metrics.Direct), metrics.WithLogger("direct"))
	direct.Incr("e2e.count", 3)
	direct.Timing("e2e.time", 12*time.Millisecond)
	direct.Gauge("e2e.depth", 7)
	agg := metrics.New(c, metrics.WithLogger("aggregated"))
	for i := range 10 {
		agg.Incr("e2e.count", 1)
		agg.Timing("e2e.time", time.Duration(i+1)*time.Millisecond)
	}
	agg.Gauge("e2e.depth", -2)
	ctx := t.Context()
	if err := direct.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := agg.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return 1 + 4 + 3 + 3
}

// The messages logEverything sends, as matcher expressions: each must
// match exactly one delivered message.
var everything = []string{
	`Type == "deploy" && Severity == 5 && Payload == "v1.2 rolled out" && Fields[version] == "1.2" && Fields[hosts] == 12`,
	`Logger == "slog" && Type == "oldstyle" && Severity == 4 && Payload == "slow request" && Fields[request] == "r-17" && Fields[http.status] == 200`,
	`Logger == "zap" && Severity == 3 && Payload == "payment failed" && Fields[error] == "upstream timeout" && Fields[tried][0][1] == "b"`,
	`Logger == "logrus" && Severity == 6 && Payload == "login" && Fields[user] == "alice" && Fields[attempt] == 3`,
	`Logger == "zerolog" && Severity == 7 && Payload == "cache ready" && Fields[cache] == "warm" && Fields[entries] == 1024`,
	`Logger == "direct" && Type == "counter" && Payload == "3" && Fields[name] == "e2e.count"`,
	`Logger == "direct" && Type == "timer" && Payload == "12" && Fields[name] == "e2e.time"`,
	`Logger == "direct" && Type == "gauge" && Payload == "7" && Fields[name] == "e2e.depth"`,
	`Logger == "aggregated" && Type == "counter" && Payload == "10" && Fields[name] == "e2e.count"`,
	`Logger == "aggregated" && Type == "timer" && Payload == "5.5" && Fields[name] == "e2e.time" && Fields[count] == 10 && Fields[max] == 10`,
	`Logger == "aggregated" && Type == "gauge" && Payload == "-2" && Fields[name] == "e2e.depth"`,
}

// TestAdaptersEndToEnd: every adapter and both metrics modes, in both
// wire formats, over a real socket into a router whose routes deliver to a
// file (every message, with its fields) and to a capture (errors only).
func TestAdaptersEndToEnd(t *testing.T) {
	for _, f := range []core.Format{core.FormatHeka, core.FormatJSON} {
		t.Run(f.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "all.jsonl")
			errs := core.NewCapture()
			r := startRouter(t, Config{
				Inputs: []Input{tcpInput},
				Routes: []Route{
					{Name: "all", Matcher: "TRUE", Endpoints: []string{"file"}},
					{Name: "errors", Matcher: "Severity <= 3", Endpoints: []string{"errors", "file"}},
				},
				Endpoints: []Endpoint{{Name: "file", Type: "file", Path: path}, {Name: "errors", Sender: errs, Format: "heka"}},
			})
			c := newClient(t, r, 0, f)
			n := logEverything(t, c)
			closeClient(t, c)
			if st := c.Stats(); st.Sent != uint64(n) {
				t.Fatalf("client sent %d of %d: %+v", st.Sent, n, st)
			}
			waitReceived(t, r, uint64(n))
			closeRouter(t, r)

			st := r.Stats()
			if st.Received != uint64(n) || st.Decoded != uint64(n) || st.Matched != uint64(n) || st.Unmatched != 0 ||
				st.Rejected != (Rejections{}) {
				t.Fatalf("router stats %+v", st)
			}
			if st.Routes[0].Matched != uint64(n) || st.Routes[1].Matched != 1 {
				t.Fatalf("routes %+v", st.Routes)
			}
			// The file holds each message once although the error matches
			// both routes.
			if e := st.Endpoints[0]; e.Delivered != uint64(n) || e.Dropped != 0 {
				t.Fatalf("file endpoint %+v", e)
			}
			msgs := readJSONLines(t, path)
			if len(msgs) != n {
				t.Fatalf("file holds %d messages, want %d", len(msgs), n)
			}
			expectOne(t, msgs, everything...)
			host, _ := os.Hostname()
			for _, m := range msgs {
				if m.Hostname != host || m.Pid != int32(os.Getpid()) {
					t.Fatalf("envelope of %+v", m)
				}
			}
			got, err := errs.Messages()
			if err != nil || len(got) != 1 {
				t.Fatalf("errors endpoint: %v, %d messages", err, len(got))
			}
			expectOne(t, got, everything[2])
		})
	}
}
