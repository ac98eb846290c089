package otelcoltest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/peers"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/metrics"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Each test sends through one adapter to the collector over OTLP/HTTP,
// marks its records with a token no other run uses, and compares what the
// file exporter wrote with what it sent.

type traceKey struct{}

const (
	traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanHex  = "00f067aa0ba902b7"
)

// viaAdapter sends one record through an adapter: log gets an OTLP client
// with logger name service and the run's token, which it must log as the
// attribute run. viaAdapter checks that the client sent exactly one
// message and returns the record the collector wrote.
func viaAdapter(t *testing.T, service string, log func(c *core.Client, token string), opts ...core.Option) found {
	t.Helper()
	col := sharedCollector(t)
	off := peers.Size(t, col.out)
	token := newToken()
	c := otlpClient(t, col.otlp, append([]core.Option{core.WithLogger(service)}, opts...)...)
	log(c, token)
	closeDelivered(t, c, 1)
	got := waitRecords(t, col.out, off, 1, withAttr("run", token))
	if len(got) != 1 {
		t.Fatalf("%d records", len(got))
	}
	return got[0]
}

// runAttr is the rendered run attribute of a record found by viaAdapter.
func runAttr(t *testing.T, f found) string {
	t.Helper()
	return attrMap(t, f.rec.Attributes)["run"]
}

func TestSlogOTLP(t *testing.T) {
	before := time.Now()
	got := viaAdapter(t, "it-slog", func(c *core.Client, token string) {
		h := slogmetlog.NewHandler(c, &slogmetlog.Options{Level: slog.LevelDebug,
			FromContext: func(ctx context.Context, e *core.Entry) {
				if ids, ok := ctx.Value(traceKey{}).([2]string); ok {
					e.Add(core.String(core.OTLPTraceIDField, ids[0]))
					e.Add(core.String(core.OTLPSpanIDField, ids[1]))
				}
			}})
		ctx := context.WithValue(context.Background(), traceKey{}, [2]string{traceHex, spanHex})
		slog.New(h).With("run", token).WithGroup("req").InfoContext(ctx, "hello slog",
			"status", 200, "ok", true, slog.Group("g", "x", 1.5), "tags", []string{"a", "b"})
	})
	checkRecord(t, "slog", got, "hello slog", 9, "info", "", map[string]string{
		"run":           runAttr(t, got),
		"req":           `{status=int:200 ok=true g={x=double:1.5} tags=["a" "b"]}`,
		"metlog.logger": `"it-slog"`,
	}, resourceOf("it-slog"))
	r := got.rec
	if r.TraceID != traceHex || r.SpanID != spanHex {
		t.Errorf("trace %q span %q", r.TraceID, r.SpanID)
	}
	ts, _ := strconv.ParseInt(r.TimeUnixNano, 10, 64)
	if ts < before.UnixNano() || ts > time.Now().UnixNano() {
		t.Errorf("time %d outside the call", ts)
	}
}

func TestZapOTLP(t *testing.T) {
	got := viaAdapter(t, "it-zap", func(c *core.Client, token string) {
		logger := zap.New(zapmetlog.NewCore(c, zapcore.DebugLevel)).With(zap.String("run", token))
		logger.Warn("hello zap", zap.Int("n", 7), zap.Strings("tags", []string{"a", "b"}), zap.Binary("bin", []byte{1, 2, 0xff}),
			zap.Namespace("ns"), zap.Bool("in", true))
	}, core.WithGzip(true))
	checkRecord(t, "zap", got, "hello zap", 13, "warning", "", map[string]string{
		"run":           runAttr(t, got),
		"n":             "int:7",
		"tags":          `["a" "b"]`,
		"bin":           "bytes:0102ff",
		"ns":            "{in=true}",
		"metlog.logger": `"it-zap"`,
	}, resourceOf("it-zap"))
}

func TestLogrusOTLP(t *testing.T) {
	got := viaAdapter(t, "it-logrus", func(c *core.Client, token string) {
		log := logrus.New()
		log.SetOutput(io.Discard)
		log.AddHook(logrusmetlog.NewHook(c, logrusmetlog.WithContextFields(func(ctx context.Context, e *core.Entry) {
			if ids, ok := ctx.Value(traceKey{}).([2]string); ok {
				e.Add(core.String(core.OTLPTraceIDField, ids[0]))
			}
		})))
		ctx := context.WithValue(context.Background(), traceKey{}, [2]string{traceHex, spanHex})
		log.WithContext(ctx).WithFields(logrus.Fields{"run": token, "code": 42, "ratio": 0.5}).Error("hello logrus")
	})
	checkRecord(t, "logrus", got, "hello logrus", 17, "error", "", map[string]string{
		"run":           runAttr(t, got),
		"code":          "int:42",
		"ratio":         "double:0.5",
		"metlog.logger": `"it-logrus"`,
	}, resourceOf("it-logrus"))
	if r := got.rec; r.TraceID != traceHex || r.SpanID != "" {
		t.Errorf("trace %q span %q", r.TraceID, r.SpanID)
	}
}

func TestZerologOTLP(t *testing.T) {
	got := viaAdapter(t, "it-zerolog", func(c *core.Client, token string) {
		zl := zerolog.New(zerologmetlog.NewWriter(c)).With().Str("run", token).Logger()
		zl.Debug().Int("n", 3).Float64("f", 2.5).Dict("d", zerolog.Dict().Str("k", "v")).Msg("hello zerolog")
	})
	checkRecord(t, "zerolog", got, "hello zerolog", 5, "debug", "", map[string]string{
		"run":           runAttr(t, got),
		"n":             "int:3",
		"f":             "double:2.5",
		"d":             `{k="v"}`,
		"metlog.logger": `"it-zerolog"`,
	}, resourceOf("it-zerolog"))
}

// TestMetricsOTLP: metrics arrive as log records: the kind as event_name,
// the payload as body, the fields as attributes, and the value as the
// double metric.value.
func TestMetricsOTLP(t *testing.T) {
	col := sharedCollector(t)
	off := peers.Size(t, col.out)
	token := newToken()
	c := otlpClient(t, col.otlp, core.WithLogger("it-metrics"))
	m := metrics.New(c)
	m.Incr("it."+token+".count", 3)
	m.Incr("it."+token+".count", 2)
	m.Gauge("it."+token+".gauge", -2.5)
	m.Timing("it."+token+".time", 1500*time.Millisecond)
	closeDelivered(t, c, 3) // the client's Close flushes the aggregates

	byName := func(r *logRecord) bool {
		for _, kv := range r.Attributes {
			if kv.Key == "name" && kv.Value.StringValue != nil && strings.Contains(*kv.Value.StringValue, token) {
				return true
			}
		}
		return false
	}
	got := waitRecords(t, col.out, off, 3, byName)
	if len(got) != 3 {
		t.Fatalf("%d records", len(got))
	}
	want := map[string]struct {
		body  string
		attrs map[string]string
	}{
		core.TypeCounter: {"5", map[string]string{"name": strconv.Quote("it." + token + ".count"), "rate": "double:1",
			"metric.value": "double:5", "metlog.logger": `"it-metrics"`}},
		core.TypeGauge: {"-2.5", map[string]string{"name": strconv.Quote("it." + token + ".gauge"),
			"metric.value": "double:-2.5", "metlog.logger": `"it-metrics"`}},
		core.TypeTimer: {"1500", map[string]string{"name": strconv.Quote("it." + token + ".time"), "rate": "double:1",
			"count": "int:1", "sum": "double:1500", "min": "double:1500", "max": "double:1500", "samples": "[double:1500]",
			"metric.value": "double:1500", "metlog.logger": `"it-metrics"`}},
	}
	for _, f := range got {
		w, ok := want[f.rec.EventName]
		if !ok {
			t.Errorf("record with event_name %q", f.rec.EventName)
			continue
		}
		delete(want, f.rec.EventName)
		checkRecord(t, f.rec.EventName, f, w.body, 9, "info", f.rec.EventName, w.attrs, resourceOf("it-metrics"))
	}
}

// TestJSONIntoTCPLog: the Metlog JSON envelope over TCP into the
// collector's tcp_log receiver, whose json_parser makes the line's keys
// attributes; the body is the line as sent.
func TestJSONIntoTCPLog(t *testing.T) {
	col := sharedCollector(t)
	off := peers.Size(t, col.out)
	token := newToken()
	c, err := core.New("tcp://"+col.tcplog, core.WithLogger("it-json"))
	if err != nil {
		t.Fatal(err)
	}
	m := &core.Message{Type: "deploy", Severity: core.Notice, Payload: "json via tcp_log",
		Timestamp: time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC),
		Fields: []core.Field{core.String("run", token), core.Int("hosts", 12), core.Bool("ok", true),
			core.Group("g", core.Float("x", 1.5), core.Strings("l", []string{"a", "b"}))}}
	if err := c.Send(m); err != nil {
		t.Fatal(err)
	}
	closeDelivered(t, c, 1)
	enc, err := core.NewEncoder(core.FormatJSON, core.EncoderConfig{Logger: "it-json"})
	if err != nil {
		t.Fatal(err)
	}
	line, err := enc.AppendMessage(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	line = line[:len(line)-1] // the newline ends the line

	byFields := func(r *logRecord) bool {
		return r.Body != nil && r.Body.StringValue != nil && strings.Contains(*r.Body.StringValue, token)
	}
	got := waitRecords(t, col.out, off, 1, byFields)
	if len(got) != 1 {
		t.Fatalf("%d records", len(got))
	}
	r := got[0].rec
	if r.Body.String() != strconv.Quote(string(line)) {
		t.Errorf("body %s\nwant %q", r.Body, line)
	}
	want := map[string]string{
		"type":            `"deploy"`,
		"timestamp":       `"2025-03-04T05:06:07.123456Z"`,
		"logger":          `"it-json"`,
		"severity":        "double:5",
		"payload":         `"json via tcp_log"`,
		"fields":          `{g={l=["a" "b"] x=double:1.5} hosts=double:12 ok=true run=` + strconv.Quote(token) + `}`, // keys sorted
		"env_version":     `"0.8"`,
		"metlog_pid":      "double:" + strconv.Itoa(os.Getpid()),
		"metlog_hostname": strconv.Quote(hostname()),
	}
	got0 := map[string]string{}
	for _, kv := range r.Attributes { // the parser's maps keep no order
		got0[kv.Key] = kv.Value.canonical()
	}
	if d := mapDiff(want, got0); d != "" {
		t.Errorf("tcp_log attributes differ:\n%s", d)
	}
}

// hostname is the host name messages carry by default.
func hostname() string {
	h, _ := os.Hostname()
	return h
}
