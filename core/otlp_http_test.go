package core

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// otlpServer is an OTLP/HTTP logs endpoint on 127.0.0.1 for the sender's
// tests: it decodes every request with the official types and answers
// what respond says (200 with an empty response when respond is nil or
// returns false).
type otlpServer struct {
	*httptest.Server
	respond func(i int, req *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool

	mu       sync.Mutex
	requests []otlpRequest
	accepted int // records of requests answered 2xx, less those rejected
}

type otlpRequest struct {
	at      time.Time
	path    string
	header  http.Header
	req     *collogspb.ExportLogsServiceRequest
	records int
}

func newOTLPServer(t *testing.T, respond func(i int, req *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool) *otlpServer {
	s := &otlpServer{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *otlpServer) addr() string { return s.Listener.Addr().String() }

func (s *otlpServer) handle(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	req := &collogspb.ExportLogsServiceRequest{}
	if err == nil {
		err = proto.Unmarshal(data, req)
	}
	if err != nil {
		http.Error(w, "test server: "+err.Error(), http.StatusBadRequest)
		return
	}
	n := 0
	for _, rl := range req.ResourceLogs {
		for _, sl := range rl.ScopeLogs {
			n += len(sl.LogRecords)
		}
	}
	s.mu.Lock()
	i := len(s.requests)
	s.requests = append(s.requests, otlpRequest{at: at, path: r.URL.Path, header: r.Header.Clone(), req: req, records: n})
	s.mu.Unlock()
	if s.respond != nil && s.respond(i, req, w) {
		return
	}
	s.mu.Lock()
	s.accepted += n
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	b, _ := proto.Marshal(&collogspb.ExportLogsServiceResponse{})
	w.Write(b)
}

func (s *otlpServer) snapshot() ([]otlpRequest, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]otlpRequest(nil), s.requests...), s.accepted
}

// payloads returns the bodies of every record received, in order.
func (s *otlpServer) payloads() []string {
	reqs, _ := s.snapshot()
	var out []string
	for _, r := range reqs {
		for _, rl := range r.req.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					out = append(out, lr.GetBody().GetStringValue())
				}
			}
		}
	}
	return out
}

// newOTLPClient is a client of srv with a short back-off.
func newOTLPClient(t *testing.T, srv *otlpServer, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithLogger("svc"), WithBackoff(10*time.Millisecond, 50*time.Millisecond)}, opts...)
	c, err := New("otlp://"+srv.addr(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func sendN(t *testing.T, c *Client, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := c.Send(&Message{Type: TypeOldstyle, Payload: "m" + strconv.Itoa(i), Fields: []Field{Int64("i", int64(i))}}); err != nil {
			t.Fatal(err)
		}
	}
}

// errLog keeps the errors a client reports (WithErrorHandler).
type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) option() Option {
	return WithErrorHandler(func(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() })
}

func (l *errLog) list() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// sendThrough sends n messages through a new client of srv and closes it,
// and returns the client and the errors it reported.
func sendThrough(t *testing.T, srv *otlpServer, n int, opts ...Option) (*Client, *errLog) {
	t.Helper()
	log := &errLog{}
	c := newOTLPClient(t, srv, append(opts, log.option())...)
	sendN(t, c, n)
	mustClose(t, c)
	return c, log
}

// mustClose closes c, which must deliver or fail everything within 10s.
func mustClose(t *testing.T, c *Client) {
	t.Helper()
	if err := closeWithin(t, c, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

func closeWithin(t *testing.T, c *Client, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return c.Close(ctx)
}

// checkCounts checks the client's exact outcome counts and Stats' invariants
// after Close.
func checkCounts(t *testing.T, c *Client, offered, sent, failed uint64) Stats {
	t.Helper()
	st := c.Stats()
	if st.Sent != sent || st.Drops.Failed != failed || st.Pending != 0 || st.Enqueued != offered ||
		st.Enqueued != st.Sent+st.Fallback+st.Drops.Failed+st.Pending {
		t.Errorf("stats: enqueued %d sent %d failed %d pending %d; want %d, %d, %d, 0 (%+v)",
			st.Enqueued, st.Sent, st.Drops.Failed, st.Pending, offered, sent, failed, st)
	}
	return st
}

func TestOTLPHTTPDelivers(t *testing.T) {
	srv := newOTLPServer(t, nil)
	c := newOTLPClient(t, srv, WithHostname("box"))
	if c.Format() != FormatOTLP {
		t.Fatalf("otlp:// client format %s", c.Format())
	}
	sendN(t, c, 500)
	mustClose(t, c)
	st := checkCounts(t, c, 500, 500, 0)
	reqs, accepted := srv.snapshot()
	if accepted != 500 || st.Writes != uint64(len(reqs)) || st.Errors != 0 {
		t.Errorf("server took %d records in %d requests; Writes %d, Errors %d", accepted, len(reqs), st.Writes, st.Errors)
	}
	got := srv.payloads()
	for i, p := range got {
		if p != "m"+strconv.Itoa(i) {
			t.Fatalf("record %d has body %q: order or content wrong", i, p)
		}
	}
	r := reqs[0]
	if r.path != "/v1/logs" || r.header.Get("Content-Type") != "application/x-protobuf" || r.header.Get("Content-Encoding") != "" {
		t.Errorf("request %s, headers %v", r.path, r.header)
	}
	if len(r.req.ResourceLogs) != 1 || len(r.req.ResourceLogs[0].ScopeLogs) != 1 {
		t.Fatalf("request shape: %v", r.req)
	}
	rl := r.req.ResourceLogs[0]
	checkOTLPAttrs(t, "resource", []Field{String("service.name", "svc"), String("host.name", "box"), Int64("process.pid", int64(processPid))},
		rl.Resource.Attributes)
	if sc := rl.ScopeLogs[0].Scope; sc.GetName() != otlpScopeName {
		t.Errorf("scope %v", sc)
	}
}

// TestOTLPHTTPRetryAfter: a 429 makes the client wait as long as its
// Retry-After asks, then deliver the batch once.
func TestOTLPHTTPRetryAfter(t *testing.T) {
	srv := newOTLPServer(t, func(i int, _ *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool {
		if i == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		return false
	})
	c, log := sendThrough(t, srv, 10)
	st := checkCounts(t, c, 10, 10, 0)
	reqs, accepted := srv.snapshot()
	if accepted != 10 || st.Errors != 1 || len(reqs) < 2 {
		t.Fatalf("accepted %d in %d requests, errors %d", accepted, len(reqs), st.Errors)
	}
	if gap := reqs[1].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("retried after %v, before Retry-After's 1s", gap)
	}
	errs := log.list()
	var ra interface{ RetryAfter() time.Duration }
	if len(errs) != 1 || !errors.Is(errs[0], ErrUnavailable) || !errors.As(errs[0], &ra) || ra.RetryAfter() != time.Second ||
		!strings.Contains(errs[0].Error(), "429") || !strings.Contains(errs[0].Error(), "slow down") {
		t.Errorf("errors: %v", errs)
	}
}

// TestOTLPHTTPRetryStatuses: 502, 503 and 504 are retried after the
// back-off, and the batch is delivered exactly once.
func TestOTLPHTTPRetryStatuses(t *testing.T) {
	for _, code := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		srv := newOTLPServer(t, func(i int, _ *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool {
			if i == 0 {
				w.WriteHeader(code)
				return true
			}
			return false
		})
		c, _ := sendThrough(t, srv, 20)
		st := checkCounts(t, c, 20, 20, 0)
		got := srv.payloads()
		_, accepted := srv.snapshot()
		if accepted != 20 || st.Errors != 1 || st.Reconnects != 1 {
			t.Errorf("%d: accepted %d, errors %d, recovered %d", code, accepted, st.Errors, st.Reconnects)
		}
		// The refused batch was sent twice; each record arrived in
		// order in the accepted requests.
		if len(got) < 20 {
			t.Errorf("%d: %d records received", code, len(got))
		}
	}
}

// TestOTLPHTTPPermanent: other statuses fail the batch, counted, with the
// status and the response's message in the error.
func TestOTLPHTTPPermanent(t *testing.T) {
	cases := []struct {
		code int
		body func(w http.ResponseWriter)
		want string
	}{
		{http.StatusBadRequest, func(w http.ResponseWriter) {
			// google.rpc.Status{1 code: 3, 2 message: "bad data\nhere"}
			b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3)
			b = protowire.AppendString(protowire.AppendTag(b, 2, protowire.BytesType), "bad data\nhere")
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusBadRequest)
			w.Write(b)
		}, "400 Bad Request: bad data here"},
		{http.StatusUnauthorized, func(w http.ResponseWriter) { http.Error(w, "who are you", http.StatusUnauthorized) }, "who are you"},
		{http.StatusInternalServerError, func(w http.ResponseWriter) { w.WriteHeader(500) }, "500 Internal Server Error"},
		{http.StatusFound, func(w http.ResponseWriter) { w.Header().Set("Location", "/elsewhere"); w.WriteHeader(302) }, "302 Found"},
	}
	for _, tc := range cases {
		srv := newOTLPServer(t, func(_ int, _ *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool {
			tc.body(w)
			return true
		})
		c, log := sendThrough(t, srv, 10)
		st := checkCounts(t, c, 10, 0, 10)
		reqs, _ := srv.snapshot()
		if errs := log.list(); st.Errors != uint64(len(reqs)) || len(errs) != len(reqs) || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%d: %d requests, %d errors: %q", tc.code, len(reqs), st.Errors, errs)
		}
	}
}

// TestOTLPHTTPPartialSuccess: records a 200 rejects are counted as failed,
// never as sent.
func TestOTLPHTTPPartialSuccess(t *testing.T) {
	var rejected int
	srv := newOTLPServer(t, func(i int, req *collogspb.ExportLogsServiceRequest, w http.ResponseWriter) bool {
		if i > 0 {
			return false
		}
		rejected = min(3, len(req.ResourceLogs[0].ScopeLogs[0].LogRecords))
		b, _ := proto.Marshal(&collogspb.ExportLogsServiceResponse{PartialSuccess: &collogspb.ExportLogsPartialSuccess{
			RejectedLogRecords: int64(rejected), ErrorMessage: "too old"}})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(b)
		return true
	})
	c, log := sendThrough(t, srv, 10)
	if rejected < 1 {
		t.Fatal("no request")
	}
	st := checkCounts(t, c, 10, uint64(10-rejected), uint64(rejected))
	errs := log.list()
	if st.Errors != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), fmt.Sprintf("rejected %d of", rejected)) ||
		!strings.Contains(errs[0].Error(), "too old") {
		t.Errorf("errors %d: %q", st.Errors, errs)
	}
}

func TestOTLPHTTPGzipHeadersEnv(t *testing.T) {
	srv := newOTLPServer(t, nil)
	t.Setenv(envOTLPHeaders, "api-key=from%20env, X-Team = env ,x-plus=a+b")
	t.Setenv(envOTLPEndpoint, "http://"+srv.addr()+"/base/")
	c, err := New("otlp://", WithGzip(true), WithHeaders(map[string]string{"x-team": "opt"}),
		WithServiceName("shop"), WithLogger("lg"), WithFormat(FormatJSON))
	if err != nil {
		t.Fatal(err)
	}
	sendN(t, c, 30)
	mustClose(t, c)
	checkCounts(t, c, 30, 30, 0)
	reqs, accepted := srv.snapshot()
	h := reqs[0].header
	if accepted != 30 || reqs[0].path != "/base/v1/logs" || h.Get("Content-Encoding") != "gzip" ||
		h.Get("Api-Key") != "from env" || len(h.Values("X-Team")) != 1 || h.Get("X-Team") != "opt" || h.Get("X-Plus") != "a+b" {
		t.Errorf("accepted %d at %s, headers %v", accepted, reqs[0].path, h)
	}
	res := reqs[0].req.ResourceLogs[0].Resource.Attributes
	if res[0].Key != "service.name" || res[0].Value.GetStringValue() != "shop" {
		t.Errorf("resource %v", res)
	}
	lr := reqs[0].req.ResourceLogs[0].ScopeLogs[0].LogRecords[0]
	checkOTLPAttrs(t, "record", []Field{Int("i", 0), String(otlpLoggerAttr, "lg")}, lr.Attributes)

	t.Setenv(envOTLPLogsEndpoint, "http://"+srv.addr()+"/custom")
	c, err = New("otlp://")
	if err != nil {
		t.Fatal(err)
	}
	sendN(t, c, 1)
	mustClose(t, c)
	reqs, _ = srv.snapshot()
	if p := reqs[len(reqs)-1].path; p != "/custom" {
		t.Errorf("logs endpoint path %q", p)
	}
}

// TestOTLPHTTPCloseStalled: Close aborts a request the endpoint never
// answers, within Close's deadline, and counts its records as failed.
func TestOTLPHTTPCloseStalled(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := newOTLPServer(t, func(int, *collogspb.ExportLogsServiceRequest, http.ResponseWriter) bool {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-release
		return true
	})
	defer close(release) // before the server's Close (cleanups run after defers)
	c := newOTLPClient(t, srv, WithTimeouts(time.Second, time.Hour))
	sendN(t, c, 5)
	<-arrived
	sendN(t, c, 5) // never blocks the caller
	start := time.Now()
	err := closeWithin(t, c, 300*time.Millisecond)
	if took := time.Since(start); err == nil || took > 5*time.Second {
		t.Errorf("Close took %v, returned %v", took, err)
	}
	checkCounts(t, c, 10, 0, 10)
}

// TestOTLPHTTPDown: an endpoint that refuses connections is retried, and
// what is left at Close's deadline is counted as failed.
func TestOTLPHTTPDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var log errLog
	c, err := New("otlp://"+addr, WithBackoff(10*time.Millisecond, 20*time.Millisecond), log.option())
	if err != nil {
		t.Fatal(err)
	}
	sendN(t, c, 3)
	if err := closeWithin(t, c, 300*time.Millisecond); err == nil {
		t.Error("Close reported no loss")
	}
	st := checkCounts(t, c, 3, 0, 3)
	errs := log.list()
	if st.Errors == 0 || len(errs) == 0 || !errors.Is(errs[0], ErrUnavailable) || !strings.Contains(errs[0].Error(), addr) {
		t.Errorf("errors %d: %v", st.Errors, errs)
	}
}

// TestOTLPSenderWithSender: an *otlpSender given to WithSender makes the
// client FormatOTLP; a batch of another format is refused.
func TestOTLPSenderWithSender(t *testing.T) {
	srv := newOTLPServer(t, nil)
	s, err := newOTLPSender("http://"+srv.addr()+"/v1/logs", otlpOptions{ServiceName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New("", WithSender(s), WithFormat(FormatHeka))
	if err != nil {
		t.Fatal(err)
	}
	if c.Format() != FormatOTLP {
		t.Errorf("format %s", c.Format())
	}
	sendN(t, c, 2)
	mustClose(t, c)
	checkCounts(t, c, 2, 2, 0)

	s2, _ := newOTLPSender("http://"+srv.addr()+"/v1/logs", otlpOptions{})
	defer s2.Close()
	var b Batch
	b.Format = FormatJSON
	b.b.Add([]byte("{}\n"))
	if n, err := s2.Send(&b); n != 0 || err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("json batch: %d, %v", n, err)
	}
	s2.Close()
	b.Format = FormatOTLP
	if n, err := s2.Send(&b); n != 0 || err == nil {
		t.Errorf("after Close: %d, %v", n, err)
	}
}

func TestOTLPEndpoint(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cases := []struct {
		scheme, rest string
		env          map[string]string
		want, err    string
	}{
		{"otlp", "h:4318", nil, "http://h:4318/v1/logs", ""},
		{"otlps", "h:4318", nil, "https://h:4318/v1/logs", ""},
		{"otlp", "h:4318/", nil, "http://h:4318/v1/logs", ""},
		{"otlp", "[::1]:4318/x/logs", nil, "http://[::1]:4318/x/logs", ""},
		{"otlp", "h", nil, "", `"h" has no port`},
		{"otlp", ":4318", nil, "", "has no host"},
		{"otlp", "h:99999", nil, "", "outside 1-65535"},
		{"otlp", "", nil, "http://localhost:4318/v1/logs", ""},
		{"otlps", "", nil, "https://localhost:4318/v1/logs", ""},
		{"otlp", "", map[string]string{envOTLPEndpoint: "http://c:1/"}, "http://c:1/v1/logs", ""},
		{"otlp", "", map[string]string{envOTLPEndpoint: "https://c:1"}, "https://c:1/v1/logs", ""},
		{"otlp", "", map[string]string{envOTLPEndpoint: "http://c:1", envOTLPLogsEndpoint: "http://d:2/logs"}, "http://d:2/logs", ""},
		{"otlps", "", map[string]string{envOTLPEndpoint: "http://c:1"}, "", "is not https"},
		{"otlp", "", map[string]string{envOTLPLogsEndpoint: "ftp://c:1"}, "", "not an http or https URL"},
		{"otlp", "", map[string]string{envOTLPLogsEndpoint: "http://c:1/%zz"}, "", "invalid URL escape"},
		{"otlp", "h:1", map[string]string{envOTLPEndpoint: "http://c:1"}, "http://h:1/v1/logs", ""},
	}
	for _, tc := range cases {
		env = tc.env
		got, err := otlpEndpoint(tc.scheme, tc.rest, getenv)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s://%s: %q, %v; want error with %q", tc.scheme, tc.rest, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s://%s: %q, %v; want %q", tc.scheme, tc.rest, got, err, tc.want)
		}
	}
	for _, addr := range []string{"otlp://h", "OTLP://:1", "otlps://h:0"} {
		if _, err := New(addr); err == nil {
			t.Errorf("New(%q) accepted", addr)
		}
	}
	t.Setenv(envOTLPHeaders, "novalue")
	if _, err := New("otlp://h:1"); err == nil || !strings.Contains(err.Error(), envOTLPHeaders) {
		t.Errorf("bad headers env: %v", err)
	}
	if _, err := New("otlp://h:1", WithHeaders(map[string]string{"bad name": "x"})); err == nil {
		t.Error("bad header name accepted")
	}
}

func TestParseOTLPHeaders(t *testing.T) {
	h, err := parseOTLPHeaders(" a=1 ,b=x%3Dy%2Cz,, c = %E2%82%AC")
	if err != nil || len(h) != 3 || h["a"] != "1" || h["b"] != "x=y,z" || h["c"] != "€" {
		t.Errorf("%v, %v", h, err)
	}
	for _, bad := range []string{"=v", "k", "k=%zz", "k=a\nb", "k k=v"} {
		if _, err := parseOTLPHeaders(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"0":                             0,
		" 7 ":                           7 * time.Second,
		"99999999999999999999":          time.Hour,
		"86400":                         time.Hour,
		"-3":                            0,
		"soon":                          0,
		"Thu, 02 Jan 2025 03:04:35 GMT": 30 * time.Second,
		"Thu, 02 Jan 2025 03:00:00 GMT": 0,
		"Fri, 03 Jan 2025 03:04:05 GMT": time.Hour,
	}
	for v, want := range cases {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

func TestParsePartialSuccess(t *testing.T) {
	for _, resp := range []*collogspb.ExportLogsServiceResponse{
		{},
		{PartialSuccess: &collogspb.ExportLogsPartialSuccess{}},
		{PartialSuccess: &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: 5}},
		{PartialSuccess: &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: 300, ErrorMessage: "full é"}},
		{PartialSuccess: &collogspb.ExportLogsPartialSuccess{ErrorMessage: "a warning"}},
	} {
		b, err := proto.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		n, msg := parsePartialSuccess(b)
		ps := resp.GetPartialSuccess()
		if n != ps.GetRejectedLogRecords() || msg != validEach(ps.GetErrorMessage()) {
			t.Errorf("%v: %d %q", resp, n, msg)
		}
	}
	if n, _ := parsePartialSuccess([]byte("not protobuf \xff\xff")); n != 0 {
		t.Errorf("junk: %d", n)
	}
}
