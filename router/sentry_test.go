package router

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/peers"
)

func TestSentryEvent(t *testing.T) {
	stack := string(debug.Stack())
	m := &core.Message{UUID: core.NewUUID(), Timestamp: time.Unix(1700000000, 0).UTC(), Type: "oldstyle", Logger: "app",
		Severity: core.Error, Payload: "payment failed", Hostname: "web-1", Pid: 7,
		Fields: []core.Field{core.String("error", "upstream timeout"), core.Group("http", core.Int("status", 502)),
			core.Strings("tried", []string{"a", "b"}), core.String("stacktrace", stack), core.Bytes("raw", []byte{1})}}
	ev := sentryEvent(m)
	if ev.EventID != sentry.EventID(hex.EncodeToString(m.UUID[:])) || ev.Level != sentry.LevelError || ev.Message != "payment failed" ||
		ev.Logger != "app" || ev.ServerName != "web-1" || !ev.Timestamp.Equal(m.Timestamp) {
		t.Fatalf("event %+v", ev)
	}
	if fmt.Sprint(ev.Tags) != "map[error:upstream timeout http.status:502 type:oldstyle]" {
		t.Fatalf("tags %v", ev.Tags)
	}
	fields := ev.Contexts["metlog"]["fields"].(map[string]any)
	if fmt.Sprint(fields["tried"]) != "[a b]" || fields["raw"] != "AQ==" {
		t.Fatalf("context %v", ev.Contexts["metlog"])
	}
	if len(ev.Exception) != 1 || ev.Exception[0].Value != "upstream timeout" {
		t.Fatalf("exception %+v", ev.Exception)
	}
	frames := ev.Exception[0].Stacktrace.Frames
	last := frames[len(frames)-1] // the innermost call, last for Sentry
	if last.Function != "Stack" || last.Module != "runtime/debug" || last.Lineno == 0 || !strings.HasSuffix(last.AbsPath, "stack.go") {
		t.Fatalf("innermost frame %+v", last)
	}
	if !strings.Contains(fmt.Sprint(frames), "TestSentryEvent") || frames[0].Function != "(*T).Run" || frames[0].Module != "testing" {
		t.Fatalf("frames %+v", frames)
	}
}

func TestSentryLevels(t *testing.T) {
	want := []sentry.Level{"fatal", "fatal", "fatal", "error", "warning", "info", "info", "debug"}
	for n, w := range want {
		s, _ := core.SeverityFromNumber(n)
		if got := sentryLevel(s); got != w {
			t.Errorf("severity %d: %s, want %s", n, got, w)
		}
	}
}

func TestParseZapStack(t *testing.T) {
	frames := parseGoStack("main.handler\n\t/src/app/main.go:42\nmain.main\n\t/src/app/main.go:10")
	if len(frames) != 2 || frames[0].Function != "main" || frames[1].Function != "handler" || frames[1].Lineno != 42 || frames[1].Module != "main" {
		t.Fatalf("frames %+v", frames)
	}
	if f := parseGoStack("not a stack"); len(f) != 0 {
		t.Fatalf("frames %+v", f)
	}
}

// TestSentryEndpoint: the messages a route selects reach a real Sentry
// server (sentry-testkit) as events with the right level, message and
// tags.
func TestSentryEndpoint(t *testing.T) {
	dsn, received := peers.Sentry(t)
	token := fmt.Sprintf("%x", rand.Uint64())
	r := startRouter(t, Config{
		Inputs:    []Input{tcpInput},
		Routes:    []Route{{Name: "errors", Matcher: `Severity <= 3 && Fields[error] != NIL`, Endpoints: []string{"sentry"}}},
		Endpoints: []Endpoint{{Name: "sentry", Type: "sentry", DSN: dsn}},
	})
	c := newClient(t, r, 0, core.FormatHeka, core.WithLogger("checkout"))
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Critical, Payload: "payment failed " + token,
		Fields: []core.Field{core.String("error", "upstream timeout"), core.String("token", token), core.Int("attempt", 3),
			core.String("stacktrace", string(debug.Stack()))}})
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Warning, Payload: "not an error " + token,
		Fields: []core.Field{core.String("error", "x")}})
	c.Send(&core.Message{Type: "oldstyle", Severity: core.Error, Payload: "no error field " + token})
	closeClient(t, c)
	waitReceived(t, r, 3)
	closeRouter(t, r)
	if ep := r.Stats().Endpoints[0]; ep.Delivered != 1 || ep.Dropped != 0 {
		t.Fatalf("sentry endpoint %+v", ep)
	}
	type report struct {
		Message string            `json:"message"`
		Level   string            `json:"level"`
		Tags    map[string]string `json:"tags"`
		Orig    struct {
			Logger    string `json:"logger"`
			Exception []struct {
				Value      string `json:"value"`
				Stacktrace struct {
					Frames []struct {
						Function string `json:"function"`
					} `json:"frames"`
				} `json:"stacktrace"`
			} `json:"exception"`
		} `json:"originalReport"`
	}
	var mine []report
	waitFor(t, "sentry-testkit to record the event", 20*time.Second, func() bool {
		b, err := os.ReadFile(received)
		if err != nil {
			return false
		}
		var all struct {
			Reports []report `json:"reports"`
		}
		if json.Unmarshal(b, &all) != nil {
			return false // being rewritten
		}
		mine = mine[:0]
		for _, rep := range all.Reports {
			if strings.Contains(rep.Message, token) {
				mine = append(mine, rep)
			}
		}
		return len(mine) > 0
	})
	if len(mine) != 1 {
		t.Fatalf("%d events with the test's token", len(mine))
	}
	ev := mine[0]
	if ev.Message != "payment failed "+token || ev.Level != "fatal" || ev.Tags["token"] != token || ev.Tags["attempt"] != "3" ||
		ev.Tags["error"] != "upstream timeout" || ev.Orig.Logger != "checkout" {
		t.Fatalf("event %+v", ev)
	}
	if ex := ev.Orig.Exception; len(ex) != 1 || ex[0].Value != "upstream timeout" || len(ex[0].Stacktrace.Frames) == 0 {
		t.Fatalf("exception %+v", ev.Orig.Exception)
	}
}

// TestSentryOutcomes: a server that fails with 503 is retried after a
// back-off, one that rejects an event with 400 has it dropped and counted.
func TestSentryOutcomes(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		switch n := calls.Add(1); {
		case n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.Contains(string(body), "reject me"):
			w.WriteHeader(http.StatusBadRequest)
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	r := startRouter(t, Config{
		Inputs: []Input{tcpInput},
		Routes: []Route{{Matcher: "TRUE", Endpoints: []string{"sentry"}}},
		Endpoints: []Endpoint{{Name: "sentry", Type: "sentry", DSN: "http://public@" + srv.Listener.Addr().String() + "/1",
			Options: []core.Option{core.WithBackoff(10*time.Millisecond, 50*time.Millisecond)}}},
	})
	c := newClient(t, r, 0, core.FormatHeka)
	c.Send(&core.Message{Type: "t", Severity: core.Error, Payload: "first"})
	c.Send(&core.Message{Type: "t", Severity: core.Error, Payload: "reject me"})
	c.Send(&core.Message{Type: "t", Severity: core.Error, Payload: "third"})
	closeClient(t, c)
	waitReceived(t, r, 3)
	closeRouter(t, r)
	ep := r.Stats().Endpoints[0]
	if ep.Delivered != 2 || ep.Client.Drops.Failed != 1 || ep.Client.Errors != 2 || calls.Load() != 4 {
		t.Fatalf("endpoint %+v after %d requests", ep, calls.Load())
	}
}
