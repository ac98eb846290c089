package core

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// otlpScopeName is the instrumentation scope of every record an OTLP
// sender posts: this module.
const otlpScopeName = "github.com/metlog-go/metlog"

// otlpOptions tune an OTLP/HTTP sender.
type otlpOptions struct {
	// Headers are added to every request, for authentication
	// ("Authorization", "api-key", ...).
	Headers map[string]string
	// Gzip compresses request bodies (Content-Encoding: gzip).
	Gzip bool
	// TLS configures https endpoints; nil verifies the server against the
	// system roots.
	TLS *tls.Config
	// DialTimeout bounds one connection attempt and TLS handshake
	// (DefaultDialTimeout).
	DialTimeout time.Duration
	// RequestTimeout bounds one request, from sending it to reading the
	// response (DefaultWriteTimeout).
	RequestTimeout time.Duration
	// ServiceName is the resource's service.name; when empty,
	// "unknown_service:" and the executable's name, as OpenTelemetry's
	// SDKs do. A Client's otlp:// address uses WithServiceName, or else
	// the client's logger name.
	ServiceName string
	// Hostname and Pid are the resource's host.name and process.pid; the
	// process's when empty or zero.
	Hostname string
	Pid      int32
}

// otlpSender posts batches of FormatOTLP frames to an OpenTelemetry
// Collector (or any OTLP/HTTP logs endpoint) over OTLP/HTTP with protobuf
// encoding: each batch is one ExportLogsServiceRequest with one
// ResourceLogs (resource attributes service.name, host.name and
// process.pid) holding one ScopeLogs (scope otlpScopeName and this module's
// version, when the build knows it) whose log_records are the batch's
// frames, posted to the endpoint's URL (…/v1/logs) with Content-Type
// application/x-protobuf.
//
// Responses: a 2xx delivers the batch, less the records its
// partial_success rejects. Those are counted as failed, never as sent:
// rejections do not say which records they were, so Send reports the
// accepted count as delivered (Stats.BytesSent then counts the bytes of that
// many leading frames) and returns an error naming the rejected count. A
// 429, 502, 503 or 504, and a request that fails to reach the endpoint, make
// the client retry the batch after its back-off, and at least as long as a
// Retry-After header (seconds or an HTTP date) asks. Any other status is a
// permanent failure: the batch is counted as failed and the error carries
// the status and the response's message. Delivery is at least once: a
// request the collector took but whose response was lost (a timeout, a
// broken connection) is sent again.
//
// Send makes one request at a time (the client calls it from one
// goroutine); Close aborts a request in progress. Stats.Writes counts the
// requests made.
type otlpSender struct {
	url     string
	client  *http.Client
	tr      *http.Transport
	header  http.Header
	gzip    bool
	timeout time.Duration
	ctx     context.Context // cancelled by Close: aborts a request in progress
	cancel  context.CancelFunc
	closed  atomic.Bool

	resource []byte // ResourceLogs.resource, pre-encoded
	scope    []byte // ScopeLogs.scope, pre-encoded
	head     []byte // the request's envelope before the frames, rebuilt per batch
	zbuf     bytes.Buffer
	zw       *gzip.Writer
	resp     []byte // the response body, reused

	writes atomic.Uint64
}

// newOTLPSender returns a sender posting to endpoint, the full URL of an
// OTLP/HTTP logs endpoint ("http://127.0.0.1:4318/v1/logs").
func newOTLPSender(endpoint string, opts otlpOptions) (*otlpSender, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("metlog: OTLP endpoint %q: %v", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("metlog: OTLP endpoint %q: scheme is not http or https", endpoint)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("metlog: OTLP endpoint %q has no host", endpoint)
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultWriteTimeout
	}
	s := &otlpSender{url: u.String(), gzip: opts.Gzip, timeout: opts.RequestTimeout}
	s.header = http.Header{}
	for k, v := range opts.Headers {
		if !validHeader(k, v) {
			return nil, fmt.Errorf("metlog: OTLP header %q: not a valid HTTP header name and value", k)
		}
		s.header.Set(k, v)
	}
	s.header.Set("Content-Type", "application/x-protobuf")
	if s.gzip {
		s.header.Set("Content-Encoding", "gzip")
		s.zw = gzip.NewWriter(&s.zbuf)
	}
	d := &net.Dialer{Timeout: opts.DialTimeout}
	s.tr = &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         d.DialContext,
		TLSClientConfig:     opts.TLS,
		TLSHandshakeTimeout: opts.DialTimeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        2,
		IdleConnTimeout:     90 * time.Second,
	}
	s.client = &http.Client{
		Transport: s.tr,
		// A redirect would post the batch again somewhere else: report it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	svc := opts.ServiceName
	if svc == "" {
		svc = "unknown_service:" + executableName()
	}
	host, pid := opts.Hostname, opts.Pid
	if host == "" {
		host = processHostname
	}
	if pid == 0 {
		pid = processPid
	}
	s.resource = appendOTLPResource(nil, svc, host, pid)
	s.scope = appendOTLPScope(nil, otlpScopeName, moduleVersion())
	return s, nil
}

// validHeader reports whether k and v can be sent as an HTTP header.
func validHeader(k, v string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// writeCount counts the requests made (Stats.Writes).
func (s *otlpSender) writeCount() uint64 { return s.writes.Load() }

// ExportLogsServiceRequest, ResourceLogs, Resource and ScopeLogs field
// numbers (opentelemetry-proto collector/logs/v1 and logs/v1).
const (
	reqResourceLogs       = 1
	rlResource            = 1
	rlScopeLogs           = 2
	resAttributes         = 1
	slScope               = 1
	scopeName             = 1
	scopeVersion          = 2
	respPartialSuccess    = 1 // ExportLogsServiceResponse.partial_success
	psRejectedLogRecords  = 1
	psErrorMessage        = 2
	statusMessage         = 2 // google.rpc.Status.message
	maxOTLPResponse       = 64 << 10
	maxOTLPRetryAfter     = time.Hour
	otlpErrorMessageLimit = 256
)

// appendOTLPResource writes ResourceLogs.resource with the attributes
// service.name, host.name and process.pid.
func appendOTLPResource(dst []byte, service, host string, pid int32) []byte {
	dst = append(dst, tagBytes(rlResource))
	r := reserveLen(dst)
	dst = appendOTLPStringAttr(r.dst, tagBytes(resAttributes), "service.name", service)
	dst = appendOTLPStringAttr(dst, tagBytes(resAttributes), "host.name", host)
	f := Int64("process.pid", int64(pid))
	dst = appendOTLPAttr(dst, tagBytes(resAttributes), &f, 1)
	return r.done(dst)
}

// appendOTLPScope writes ScopeLogs.scope.
func appendOTLPScope(dst []byte, name, version string) []byte {
	dst = append(dst, tagBytes(slScope))
	r := reserveLen(dst)
	dst = appendPBString(r.dst, scopeName, name)
	dst = appendPBString(dst, scopeVersion, version)
	return r.done(dst)
}

// moduleVersion is this module's version as the build records it, or "".
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := ""
	if bi.Main.Path == otlpScopeName {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == otlpScopeName {
			v = d.Version
		}
	}
	if v == "(devel)" {
		return ""
	}
	return v
}

// executableName is the base name of the running program.
func executableName() string {
	if p, err := os.Executable(); err == nil {
		return filepath.Base(p)
	}
	if len(os.Args) > 0 {
		return filepath.Base(os.Args[0])
	}
	return "go"
}

// appendHead writes the request up to the frames: the ExportLogsServiceRequest's
// resource_logs key and length, the resource, the scope_logs key and
// length, and the scope. The frames that follow are the log_records.
func (s *otlpSender) appendHead(dst []byte, records int) []byte {
	scopeLogs := len(s.scope) + records
	resourceLogs := len(s.resource) + 1 + protowire.SizeVarint(uint64(scopeLogs)) + scopeLogs
	dst = append(dst, tagBytes(reqResourceLogs))
	dst = protowire.AppendVarint(dst, uint64(resourceLogs))
	dst = append(dst, s.resource...)
	dst = append(dst, tagBytes(rlScopeLogs))
	dst = protowire.AppendVarint(dst, uint64(scopeLogs))
	return append(dst, s.scope...)
}

// reqBody is a request body of two parts that signals when the transport
// has closed it, so that Send returns only once nothing reads the batch's
// memory (the ring's) any more.
type reqBody struct {
	parts  [2][]byte
	closed chan struct{}
	once   sync.Once
}

func (r *reqBody) Read(p []byte) (int, error) {
	for i := range r.parts {
		if len(r.parts[i]) > 0 {
			n := copy(p, r.parts[i])
			r.parts[i] = r.parts[i][n:]
			return n, nil
		}
	}
	return 0, io.EOF
}

func (r *reqBody) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// Send posts the batch as one ExportLogsServiceRequest and returns how
// many records the endpoint accepted.
func (s *otlpSender) Send(b *Batch) (int, error) {
	if s.closed.Load() {
		return 0, errSenderClosed
	}
	if b.Format != FormatOTLP {
		return 0, fmt.Errorf("metlog: OTLP sender given %s frames: the client's format must be otlp", b.Format)
	}
	n := b.Len()
	records := b.Bytes(0, n)
	s.head = s.appendHead(s.head[:0], len(records))
	body := &reqBody{parts: [2][]byte{s.head, records}, closed: make(chan struct{})}
	size := len(s.head) + len(records)
	if s.gzip {
		s.zbuf.Reset()
		s.zw.Reset(&s.zbuf)
		s.zw.Write(s.head) // writes to a bytes.Buffer do not fail
		s.zw.Write(records)
		s.zw.Close()
		body.parts = [2][]byte{s.zbuf.Bytes()}
		size = s.zbuf.Len()
	}

	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, body)
	if err != nil {
		return 0, fmt.Errorf("metlog: OTLP request: %v", err)
	}
	req.ContentLength = int64(size)
	for k, v := range s.header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	s.writes.Add(1)
	var status int
	var retryAfter time.Duration
	var msg []byte
	if err == nil {
		status = resp.StatusCode
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		s.resp, err = readUpTo(s.resp[:0], resp.Body, maxOTLPResponse)
		resp.Body.Close()
		msg = s.resp
	}
	// Make sure the transport is done with the body (it closes it when it
	// has written it, or given up) before the ring's memory is released.
	cancel()
	<-body.closed

	if resp == nil {
		if s.closed.Load() {
			return 0, errSenderClosed
		}
		return 0, fmt.Errorf("%w: OTLP post %s: %v", ErrUnavailable, s.url, unwrapURLError(err))
	}
	switch {
	case status >= 200 && status < 300:
		// (An error reading the body leaves it cut short: the records were
		// taken all the same.)
		rejected, why := parsePartialSuccess(msg)
		if rejected <= 0 {
			return n, nil
		}
		rejected = min(rejected, int64(n))
		return n - int(rejected), fmt.Errorf("metlog: OTLP endpoint %s rejected %d of %d log records: %s", s.url, rejected, n, why)
	case status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return 0, &otlpRetryError{status: resp.Status, after: retryAfter, msg: statusText(resp, msg)}
	}
	return 0, fmt.Errorf("metlog: OTLP endpoint %s refused %d log records: %s: %s", s.url, n, resp.Status, statusText(resp, msg))
}

// unwrapURLError drops net/http's "Post <url>:" prefix, which the caller's
// message already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readUpTo appends at most limit bytes of r to dst, discarding the rest
// so that the connection can be reused.
func readUpTo(dst []byte, r io.Reader, limit int) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	_, err := io.Copy(buf, io.LimitReader(r, int64(limit)))
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	}
	return buf.Bytes(), err
}

// otlpRetryError is a retryable HTTP status: the queue backs off, at
// least as long as its Retry-After asks.
type otlpRetryError struct {
	status string
	after  time.Duration
	msg    string
}

func (e *otlpRetryError) Error() string {
	s := "metlog: OTLP endpoint unavailable: " + e.status
	if e.after > 0 {
		s += " (retry after " + e.after.String() + ")"
	}
	if e.msg != "" {
		s += ": " + e.msg
	}
	return s
}

func (e *otlpRetryError) Unwrap() error             { return ErrUnavailable }
func (e *otlpRetryError) RetryAfter() time.Duration { return e.after }

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date
// (a date in the past is 0), at most maxOTLPRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseUint(v, 10, 64) // too large: err, and the cap
		d = maxOTLPRetryAfter
		if err == nil && secs < uint64(maxOTLPRetryAfter/time.Second) {
			d = time.Duration(secs) * time.Second
		}
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxOTLPRetryAfter))
}

// parsePartialSuccess reads an ExportLogsServiceResponse's
// partial_success: the rejected count and the error message. A body
// that is not such a protobuf rejects nothing.
func parsePartialSuccess(b []byte) (rejected int64, msg string) {
	ps := protoField(b, respPartialSuccess, protowire.BytesType)
	if ps == nil {
		return 0, ""
	}
	if v := protoField(ps, psRejectedLogRecords, protowire.VarintType); v != nil {
		n, _ := protowire.ConsumeVarint(v)
		rejected = int64(n)
	}
	return rejected, printable(protoField(ps, psErrorMessage, protowire.BytesType))
}

// statusText is the message of an error response: a google.rpc.Status's
// message when the body is protobuf, else the start of the body as text.
func statusText(resp *http.Response, body []byte) string {
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-protobuf") {
		if m := protoField(body, statusMessage, protowire.BytesType); m != nil {
			return printable(m)
		}
	}
	return printable(body)
}

// protoField returns the value of the last field num of type typ in the
// protobuf message b (the contents of a length-delimited field, the varint
// bytes of a varint field), or nil when there is none or b is malformed.
func protoField(b []byte, num protowire.Number, typ protowire.Type) []byte {
	var out []byte
	for len(b) > 0 {
		n, t, k := protowire.ConsumeTag(b)
		if k < 0 {
			return nil
		}
		b = b[k:]
		vk := protowire.ConsumeFieldValue(n, t, b)
		if vk < 0 {
			return nil
		}
		if n == num && t == typ {
			if t == protowire.BytesType {
				v, _ := protowire.ConsumeBytes(b)
				out = v
			} else {
				out = b[:vk]
			}
			if out == nil {
				out = []byte{}
			}
		}
		b = b[vk:]
	}
	return out
}

// printable returns b as one line of valid UTF-8, at most
// otlpErrorMessageLimit bytes, for error messages.
func printable(b []byte) string {
	if len(b) > otlpErrorMessageLimit {
		b = b[:otlpErrorMessageLimit] // a rune cut short becomes U+FFFD
	}
	s := string(appendValidUTF8String(nil, string(b)))
	return strings.Join(strings.Fields(s), " ")
}

// Close aborts a request in progress and closes idle connections. Send
// after Close fails.
func (s *otlpSender) Close() error {
	s.closed.Store(true)
	s.cancel()
	s.tr.CloseIdleConnections()
	return nil
}
