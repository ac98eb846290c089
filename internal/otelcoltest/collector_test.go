package otelcoltest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/peers"
)

// collector is a running OpenTelemetry Collector's addresses and the file
// its file exporter writes.
type collector struct {
	otlp, tcplog, metrics, out string
}

// sharedCollector returns the collector scripts/receivers.sh runs, or
// skips t when it is not listening.
func sharedCollector(t *testing.T) collector {
	t.Helper()
	var c collector
	c.otlp, c.tcplog, c.out, c.metrics = peers.Collector(t)
	return c
}

// newToken returns a string no other run uses, to find a test's records.
func newToken() string {
	u := core.NewUUID()
	return hex.EncodeToString(u[:])
}

// otlpClient returns a client posting to c's OTLP/HTTP receiver.
func otlpClient(t *testing.T, addr string, opts ...core.Option) *core.Client {
	t.Helper()
	opts = append([]core.Option{core.WithBackoff(20*time.Millisecond, 200*time.Millisecond)}, opts...)
	c, err := core.New("otlp://"+addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// closeAll closes c and checks that it delivered exactly n messages.
func closeDelivered(t *testing.T, c *core.Client, n uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Sent != n || st.Dropped != 0 {
		t.Fatalf("stats: sent %d, dropped %d; want %d sent", st.Sent, st.Dropped, n)
	}
}

// The file exporter's JSON: OTLP/JSON, one ExportLogsServiceRequest a line
// (int64 as strings, ids as hex, bytes as base64).
type exportRequest struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes []keyValue `json:"attributes"`
		} `json:"resource"`
		ScopeLogs []struct {
			Scope struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"scope"`
			LogRecords []logRecord `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

type logRecord struct {
	TimeUnixNano         string     `json:"timeUnixNano"`
	ObservedTimeUnixNano string     `json:"observedTimeUnixNano"`
	SeverityNumber       int        `json:"severityNumber"`
	SeverityText         string     `json:"severityText"`
	Body                 *anyValue  `json:"body"`
	Attributes           []keyValue `json:"attributes"`
	TraceID              string     `json:"traceId"`
	SpanID               string     `json:"spanId"`
	EventName            string     `json:"eventName"`
}

type keyValue struct {
	Key   string   `json:"key"`
	Value anyValue `json:"value"`
}

type anyValue struct {
	StringValue *string         `json:"stringValue"`
	BoolValue   *bool           `json:"boolValue"`
	IntValue    json.RawMessage `json:"intValue"`
	DoubleValue json.RawMessage `json:"doubleValue"`
	BytesValue  *string         `json:"bytesValue"`
	ArrayValue  *struct {
		Values []anyValue `json:"values"`
	} `json:"arrayValue"`
	KvlistValue *struct {
		Values []keyValue `json:"values"`
	} `json:"kvlistValue"`
}

// String renders a value on one line: strings quoted, int:N, double:X,
// true/false, bytes:hex, [a b] and {k=v k=v}.
func (v anyValue) String() string { return v.render(false) }

// canonical renders v as String does, with the members of every kvlist
// sorted by key, for values whose order is not kept (a parsed JSON object).
func (v anyValue) canonical() string { return v.render(true) }

func (v anyValue) render(sorted bool) string {
	switch {
	case v.StringValue != nil:
		return strconv.Quote(*v.StringValue)
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue)
	case v.IntValue != nil:
		return "int:" + strings.Trim(string(v.IntValue), `"`)
	case v.DoubleValue != nil:
		return "double:" + strings.Trim(string(v.DoubleValue), `"`)
	case v.BytesValue != nil:
		b, err := base64.StdEncoding.DecodeString(*v.BytesValue)
		if err != nil {
			return "bad-bytes:" + *v.BytesValue
		}
		return "bytes:" + hex.EncodeToString(b)
	case v.ArrayValue != nil:
		s := make([]string, len(v.ArrayValue.Values))
		for i, e := range v.ArrayValue.Values {
			s[i] = e.render(sorted)
		}
		return "[" + strings.Join(s, " ") + "]"
	case v.KvlistValue != nil:
		s := make([]string, len(v.KvlistValue.Values))
		for i, kv := range v.KvlistValue.Values {
			s[i] = kv.Key + "=" + kv.Value.render(sorted)
		}
		if sorted {
			slices.Sort(s)
		}
		return "{" + strings.Join(s, " ") + "}"
	}
	return "empty"
}

// attrMap renders attributes by key; a key seen twice fails t.
func attrMap(t *testing.T, kvs []keyValue) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, kv := range kvs {
		if _, dup := m[kv.Key]; dup {
			t.Errorf("attribute %q twice", kv.Key)
		}
		m[kv.Key] = kv.Value.String()
	}
	return m
}

// found is one record read back, with its resource and scope.
type found struct {
	resource map[string]string
	scope    string
	version  string
	rec      logRecord
}

// readRecords returns the records written to path after offset for which
// match is true. A last line still being written is left out.
func readRecords(t *testing.T, path string, offset int64, match func(*logRecord) bool) []found {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out []found
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return out
		}
		var req exportRequest
		if err := json.Unmarshal(line, &req); err != nil {
			t.Fatalf("collector output line: %v: %.200s", err, line)
		}
		for _, rl := range req.ResourceLogs {
			var res map[string]string
			for _, sl := range rl.ScopeLogs {
				for i := range sl.LogRecords {
					if !match(&sl.LogRecords[i]) {
						continue
					}
					if res == nil {
						res = map[string]string{}
						for _, kv := range rl.Resource.Attributes {
							res[kv.Key] = kv.Value.String()
						}
					}
					out = append(out, found{resource: res, scope: sl.Scope.Name, version: sl.Scope.Version, rec: sl.LogRecords[i]})
				}
			}
		}
	}
}

// waitRecords waits until at least n matching records were written after
// offset (or the deadline passes), then gives the collector one more
// flush to write any record twice, and returns them all.
func waitRecords(t *testing.T, path string, offset int64, n int, match func(*logRecord) bool) []found {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := readRecords(t, path, offset, match)
		if len(got) >= n {
			time.Sleep(500 * time.Millisecond) // batch (200ms) and file flush (100ms) intervals
			return readRecords(t, path, offset, match)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records reached %s within a minute", len(got), n, path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// withAttr matches records having attribute key with the string value v.
func withAttr(key, v string) func(*logRecord) bool {
	return func(r *logRecord) bool {
		for _, kv := range r.Attributes {
			if kv.Key == key && kv.Value.StringValue != nil && *kv.Value.StringValue == v {
				return true
			}
		}
		return false
	}
}

// sentLogRecords reads the collector's own count of records its file
// exporter wrote, closing the connection it used so that no goroutine is
// left behind.
func sentLogRecords(t *testing.T, metricsAddr string) float64 {
	t.Helper()
	defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	return peers.CollectorSentLogRecords(t, metricsAddr)
}

// checkRecord compares a record read back with what was sent.
func checkRecord(t *testing.T, what string, f found, body string, sevNum int, sevText, event string, attrs, resource map[string]string) {
	t.Helper()
	r := f.rec
	gotBody := "<none>"
	if r.Body != nil {
		gotBody = r.Body.String()
	}
	if gotBody != strconv.Quote(body) || r.SeverityNumber != sevNum || r.SeverityText != sevText || r.EventName != event {
		t.Errorf("%s: body %s severity %d %q event %q; want %q %d %q %q", what, gotBody, r.SeverityNumber, r.SeverityText, r.EventName,
			body, sevNum, sevText, event)
	}
	if d := mapDiff(attrs, attrMap(t, r.Attributes)); d != "" {
		t.Errorf("%s: attributes differ:\n%s", what, d)
	}
	if d := mapDiff(resource, f.resource); d != "" {
		t.Errorf("%s: resource differs:\n%s", what, d)
	}
	if f.scope != "github.com/metlog-go/metlog" {
		t.Errorf("%s: scope %q", what, f.scope)
	}
	if r.ObservedTimeUnixNano == "" || r.TimeUnixNano == "" {
		t.Errorf("%s: times %q %q", what, r.TimeUnixNano, r.ObservedTimeUnixNano)
	}
}

func mapDiff(want, got map[string]string) string {
	var b strings.Builder
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			fmt.Fprintf(&b, "  %s: want %s, got %s\n", k, v, orNone(g, ok))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "  %s: unexpected %s\n", k, v)
		}
	}
	return b.String()
}

func orNone(v string, ok bool) string {
	if !ok {
		return "<none>"
	}
	return v
}

// resourceOf is the resource an OTLP client with this service name sends.
func resourceOf(service string) map[string]string {
	return map[string]string{
		"service.name": strconv.Quote(service),
		"host.name":    strconv.Quote(hostname()),
		"process.pid":  "int:" + strconv.Itoa(os.Getpid()),
	}
}
