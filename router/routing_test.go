package router

import (
	"fmt"
	"testing"

	"github.com/metlog-go/metlog/core"
)

// TestRouting: several routes with overlaps, an endpoint several routes
// share (each message delivered to it once), and unmatched messages.
func TestRouting(t *testing.T) {
	caps := map[string]*core.Capture{"a": core.NewCapture(), "b": core.NewCapture(), "c": core.NewCapture()}
	var eps []Endpoint
	for _, n := range []string{"a", "b", "c"} {
		eps = append(eps, Endpoint{Name: n, Sender: caps[n], Format: "heka"})
	}
	r := startRouter(t, Config{
		Inputs: []Input{tcpInput},
		Routes: []Route{
			{Name: "errors", Matcher: `Severity <= 3`, Endpoints: []string{"a"}},
			{Name: "db", Matcher: `Type =~ /^db\./`, Endpoints: []string{"a", "b"}},
			{Name: "slow", Matcher: `Fields[ms] >= 100`, Endpoints: []string{"b", "c"}},
		},
		Endpoints: eps,
	})
	c := newClient(t, r, 0, core.FormatHeka)
	send := func(typ string, sev core.Severity, ms int64, id int) {
		c.Send(&core.Message{Type: typ, Severity: sev, Payload: fmt.Sprint(id), Fields: []core.Field{core.Int64("ms", ms)}})
	}
	send("web", core.Error, 5, 1)        // errors: a
	send("db.query", core.Info, 5, 2)    // db: a b
	send("db.query", core.Error, 5, 3)   // errors, db: a b (a once)
	send("web", core.Info, 500, 4)       // slow: b c
	send("db.query", core.Alert, 900, 5) // all three: a b c (each once)
	send("web", core.Info, 5, 6)         // none
	send("web", core.Debug, 99, 7)       // none
	closeClient(t, c)
	waitReceived(t, r, 7)
	closeRouter(t, r)

	st := r.Stats()
	want := map[string]uint64{"errors": 3, "db": 3, "slow": 2}
	for _, rs := range st.Routes {
		if rs.Matched != want[rs.Name] {
			t.Errorf("route %s matched %d, want %d", rs.Name, rs.Matched, want[rs.Name])
		}
	}
	if st.Decoded != 7 || st.Matched != 5 || st.Unmatched != 2 {
		t.Fatalf("decoded %d, matched %d, unmatched %d", st.Decoded, st.Matched, st.Unmatched)
	}
	wantIDs := map[string]string{"a": "[1 2 3 5]", "b": "[2 3 4 5]", "c": "[4 5]"}
	for _, es := range st.Endpoints {
		msgs, err := caps[es.Name].Messages()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range msgs {
			ids = append(ids, m.Payload)
		}
		if fmt.Sprint(ids) != wantIDs[es.Name] || es.Delivered != uint64(len(ids)) || es.Dropped != 0 {
			t.Errorf("endpoint %s got %v (stats %+v), want %s", es.Name, ids, es, wantIDs[es.Name])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	capt := core.NewCapture()
	ep := []Endpoint{{Name: "x", Sender: capt}}
	for name, cfg := range map[string]Config{
		"no inputs":         {Endpoints: ep},
		"bad scheme":        {Inputs: []Input{{Address: "http://127.0.0.1:0"}}},
		"bad matcher":       {Inputs: []Input{tcpInput}, Endpoints: ep, Routes: []Route{{Matcher: "Type ==", Endpoints: []string{"x"}}}},
		"unknown endpoint":  {Inputs: []Input{tcpInput}, Endpoints: ep, Routes: []Route{{Matcher: "TRUE", Endpoints: []string{"y"}}}},
		"route without eps": {Inputs: []Input{tcpInput}, Endpoints: ep, Routes: []Route{{Matcher: "TRUE"}}},
		"duplicate name":    {Inputs: []Input{tcpInput}, Endpoints: append(ep, ep...)},
		"unknown type":      {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "kafka"}}},
		"file without path": {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "file"}}},
		"statsd bad addr":   {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "statsd", Address: "127.0.0.1:8125"}}},
		"forward json":      {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "forward", Address: "tcp://127.0.0.1:1", Format: "json"}}},
		"forward no key":    {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "forward", Address: "tcp://127.0.0.1:1", Signer: "ops"}}},
		"sentry bad dsn":    {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "x", Type: "sentry", DSN: "nope"}}},
		"bad key name":      {Inputs: []Input{tcpInput}, Keys: map[string]string{"ops": "k"}},
		"require no keys":   {Inputs: []Input{tcpInput}, RequireSigned: true},
	} {
		if r, err := New(cfg); err == nil {
			closeRouter(t, r)
			t.Errorf("%s: no error", name)
		}
	}
}
