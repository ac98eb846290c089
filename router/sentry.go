package router

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/metlog-go/metlog/core"
)

// sentrySender is the sentry endpoint's core.Sender. Its frames are Heka
// records (the endpoint's client encodes in FormatHeka, which keeps every
// value); it decodes each back and sends it as a Sentry event through
// sentry-go with a synchronous transport, so that the endpoint's queue is
// the only buffer and every outcome is counted: an event the server took
// is delivered, a network error or a 5xx or 429 answer makes the queue
// retry after a back-off (at least the Retry-After the server asked for),
// and any other answer drops the event, counted as failed.
type sentrySender struct {
	client *sentry.Client
	rec    *recorder
	dec    core.Decoder
}

// recorder is the HTTP transport under sentry-go's: it remembers the
// outcome of the one request each event makes.
type recorder struct {
	next    http.RoundTripper
	called  bool
	status  int
	retryIn time.Duration
	err     error
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.called = true
	resp, err := r.next.RoundTrip(req)
	r.err = err
	if resp != nil {
		r.status = resp.StatusCode
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			r.retryIn = time.Duration(s) * time.Second
		}
	}
	return resp, err
}

// sentryTimeout bounds one event's request.
const sentryTimeout = 10 * time.Second

func newSentrySender(dsn string) (*sentrySender, error) {
	if dsn == "" {
		return nil, errors.New("no dsn")
	}
	if _, err := sentry.NewDsn(dsn); err != nil {
		return nil, errors.New("dsn is not a Sentry DSN") // the DSN holds a key: not repeated
	}
	rec := &recorder{next: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	tr := sentry.NewHTTPSyncTransport()
	tr.Timeout = sentryTimeout
	c, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:        dsn,
		Transport:  tr,
		HTTPClient: &http.Client{Transport: rec, Timeout: sentryTimeout},
		// Only what the message says: no host modules, no source files
		// read to add context, no default PII.
		Integrations: func([]sentry.Integration) []sentry.Integration { return nil },
	})
	if err != nil {
		return nil, errors.New("sentry client: invalid options")
	}
	return &sentrySender{client: c, rec: rec}, nil
}

// retryAfter is a delivery error that asks the queue to wait.
type retryAfter struct {
	d   time.Duration
	err error
}

func (e *retryAfter) Error() string             { return e.err.Error() }
func (e *retryAfter) Unwrap() error             { return e.err }
func (e *retryAfter) RetryAfter() time.Duration { return e.d }

// Close releases the Sentry client and its idle connections.
func (s *sentrySender) Close() error {
	s.client.Close()
	if t, ok := s.rec.next.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	return nil
}

// Send delivers each frame as one event. It stops at the first frame the
// server could not take for now (ErrUnavailable: the queue retries it and
// those after it), unless a frame failed for good before it.
func (s *sentrySender) Send(b *core.Batch) (int, error) {
	delivered := 0
	var failed error
	for i := 0; i < b.Len(); i++ {
		err := s.send(b.Frame(i))
		switch {
		case err == nil:
			delivered++
		case errors.Is(err, core.ErrUnavailable) && failed == nil:
			return delivered, err
		case failed == nil:
			failed = err
		}
	}
	return delivered, failed
}

func (s *sentrySender) send(frame []byte) error {
	m, _, err := s.dec.DecodeHeka(frame, nil)
	if err != nil {
		return fmt.Errorf("router: sentry: %w", err)
	}
	*s.rec = recorder{next: s.rec.next}
	if s.client.CaptureEvent(sentryEvent(m), nil, nil) == nil {
		return errors.New("router: sentry: event dropped by the SDK")
	}
	if !s.rec.called {
		// The SDK holds events back while the server's rate limit lasts.
		return fmt.Errorf("%w: sentry: rate limited", core.ErrUnavailable)
	}
	switch st := s.rec.status; {
	case s.rec.err != nil:
		return fmt.Errorf("%w: sentry: %v", core.ErrUnavailable, s.rec.err)
	case st == http.StatusTooManyRequests || st >= 500:
		err := fmt.Errorf("%w: sentry: HTTP %d", core.ErrUnavailable, st)
		if s.rec.retryIn > 0 {
			return &retryAfter{d: s.rec.retryIn, err: err}
		}
		return err
	case st >= 300:
		return fmt.Errorf("router: sentry: HTTP %d", st)
	}
	return nil
}

// sentryLevel maps a syslog severity to a Sentry level.
func sentryLevel(s core.Severity) sentry.Level {
	switch n := s.Number(); {
	case n >= 0 && n <= 2:
		return sentry.LevelFatal
	case n == 3:
		return sentry.LevelError
	case n == 4:
		return sentry.LevelWarning
	case n == 7:
		return sentry.LevelDebug
	}
	return sentry.LevelInfo
}

// maxTagLen is the longest value Sentry keeps as a tag.
const maxTagLen = 200

// sentryEvent builds the event of a message: its payload as the message
// (its type when the payload is empty), the level from its severity, its
// logger, host, time and UUID (as the event id), its scalar fields as tags
// (and its type as the tag "type"), every field in the "metlog" context, and
// a stack trace parsed from a "stacktrace" field (Go's panic and
// runtime/debug.Stack text, or zap's) as the exception's, with an "error"
// field as the exception's value.
func sentryEvent(m *core.Message) *sentry.Event {
	ev := sentry.NewEvent()
	ev.EventID = sentry.EventID(hex.EncodeToString(m.UUID[:]))
	ev.Level = sentryLevel(m.Severity)
	ev.Message = strings.Clone(m.Payload)
	if ev.Message == "" {
		ev.Message = strings.Clone(m.Type)
	}
	ev.Logger = strings.Clone(m.Logger)
	ev.ServerName = strings.Clone(m.Hostname)
	ev.Timestamp = m.Timestamp
	ev.Tags = map[string]string{"type": strings.Clone(m.Type)}
	fields := map[string]any{}
	var stack, errText string
	walkFields(m.Fields, "", func(name string, f *core.Field) {
		v := fieldValue(f)
		fields[name] = v
		if f.Repeated() {
			return
		}
		switch name {
		case "stacktrace":
			stack, _ = v.(string)
			return
		case "error":
			errText, _ = v.(string)
		}
		switch f.Kind() {
		case core.KindString, core.KindInt, core.KindFloat, core.KindBool:
			if s := fmt.Sprint(v); len(s) <= maxTagLen {
				ev.Tags[name] = s
			}
		}
	})
	ev.Contexts["metlog"] = sentry.Context{
		"type": strings.Clone(m.Type), "uuid": hex.EncodeToString(m.UUID[:]), "pid": m.Pid,
		"env_version": strings.Clone(m.EnvVersion), "fields": fields,
	}
	if frames := parseGoStack(stack); len(frames) > 0 {
		typ := strings.Clone(m.Type)
		if typ == "" {
			typ = "error"
		}
		value := errText
		if value == "" {
			value = ev.Message
		}
		ev.Exception = []sentry.Exception{{Type: typ, Value: value, Stacktrace: &sentry.Stacktrace{Frames: frames}}}
	}
	return ev
}

// walkFields calls fn with each value field under its dotted name; groups
// are walked, not passed.
func walkFields(fields []core.Field, prefix string, fn func(string, *core.Field)) {
	for i := range fields {
		f := &fields[i]
		name := strings.Clone(prefix + f.Name) // f.Name may refer to the frame
		if f.Kind() == core.KindGroup {
			p := prefix
			if f.Name != "" {
				p = name + "."
			}
			walkFields(f.GroupValue(), p, fn)
			continue
		}
		fn(name, f)
	}
}

// fieldValue returns a copy of a field's value that JSON can carry: bytes
// as base64, raw JSON as its text.
func fieldValue(f *core.Field) any {
	if f.Repeated() {
		switch f.Kind() {
		case core.KindString:
			return cloneStrings(f.StringsValue())
		case core.KindBytes:
			var out []string
			for _, b := range f.ByteSlicesValue() {
				out = append(out, base64.StdEncoding.EncodeToString(b))
			}
			return out
		}
		return f.Value() // numbers and bools, copied by encoding/json
	}
	switch f.Kind() {
	case core.KindString, core.KindJSON:
		if f.Kind() == core.KindJSON {
			return string(f.BytesValue())
		}
		return strings.Clone(f.Str())
	case core.KindBytes:
		return base64.StdEncoding.EncodeToString(f.BytesValue())
	}
	return f.Value()
}

func cloneStrings(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.Clone(s)
	}
	return out
}

// parseGoStack reads a Go stack trace, as runtime/debug.Stack and panics
// print it (a "function(args)" line, then a tab and "file:line +0x..") or
// as zap prints it (the function without arguments), into Sentry frames,
// oldest call first as Sentry wants them.
func parseGoStack(s string) []sentry.Frame {
	var frames []sentry.Frame
	lines := strings.Split(s, "\n")
	for i := 0; i+1 < len(lines); i++ {
		fn := strings.TrimSpace(lines[i])
		loc := lines[i+1]
		if fn == "" || strings.HasPrefix(lines[i], "\t") || strings.HasPrefix(fn, "goroutine ") || !strings.HasPrefix(loc, "\t") {
			continue
		}
		i++
		loc = strings.TrimSpace(loc)
		if j := strings.LastIndex(loc, " +0x"); j >= 0 {
			loc = loc[:j]
		}
		file, line := loc, 0
		if j := strings.LastIndexByte(loc, ':'); j >= 0 {
			if n, err := strconv.Atoi(loc[j+1:]); err == nil {
				file, line = loc[:j], n
			}
		}
		// "created by pkg.F in goroutine 1" names the goroutine's creator.
		fn = strings.TrimPrefix(fn, "created by ")
		if j := strings.Index(fn, " in goroutine "); j > 0 {
			fn = fn[:j]
		}
		if j := strings.LastIndexByte(fn, '('); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j]
		}
		module, function := "", fn
		slash := strings.LastIndexByte(fn, '/')
		if j := strings.IndexByte(fn[slash+1:], '.'); j >= 0 {
			module, function = fn[:slash+1+j], fn[slash+1+j+1:]
		}
		frames = append(frames, sentry.Frame{Function: function, Module: module, AbsPath: file,
			Filename: file[strings.LastIndexByte(file, '/')+1:], Lineno: line, InApp: !strings.HasPrefix(module, "runtime")})
	}
	for i, j := 0, len(frames)-1; i < j; i, j = i+1, j-1 {
		frames[i], frames[j] = frames[j], frames[i]
	}
	return frames
}
