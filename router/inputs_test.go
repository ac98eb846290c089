package router

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/testcert"
)

// TestInputs: every kind of input, with each format, including several
// JSON lines and several Heka records in one datagram.
func TestInputs(t *testing.T) {
	dir := t.TempDir()
	cert, pool := testcert.New(t)
	capt := core.NewCapture()
	r := startRouter(t, Config{
		Inputs: []Input{tcpInput, {Address: "tls://127.0.0.1:0", TLS: &tls.Config{Certificates: []tls.Certificate{cert}}},
			{Address: "udp://127.0.0.1:0"}, {Address: "unix://" + filepath.Join(dir, "s")},
			{Address: "unixgram://" + filepath.Join(dir, "g")}},
		Routes:    []Route{{Matcher: "TRUE", Endpoints: []string{"c"}}},
		Endpoints: []Endpoint{{Name: "c", Sender: capt, Format: "heka"}},
	})
	addrs := []string{"tcp://" + addr(r, 0), "tls://" + addr(r, 1), "udp://" + addr(r, 2),
		"unix://" + filepath.Join(dir, "s"), "unixgram://" + filepath.Join(dir, "g")}
	want := 0
	for _, a := range addrs {
		for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
			c, err := core.New(a, core.WithFormat(f), core.WithTLSConfig(&tls.Config{RootCAs: pool}), core.WithLogger(a+" "+f.String()))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				c.Send(&core.Message{Type: "t", Payload: "p"})
				want++
			}
			closeClient(t, c)
			if st := c.Stats(); st.Sent != 3 {
				t.Fatalf("%s %s: %+v", a, f, st)
			}
		}
	}
	// One datagram with several JSON lines, one with several Heka records.
	u, err := net.Dial("udp", addr(r, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Write([]byte(`{"type":"lines","payload":"1"}` + "\n" + `{"type":"lines","payload":"2"}` + "\r\n" + `{"type":"lines","payload":"3"}`))
	enc, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{})
	var d []byte
	for range 3 {
		d, _ = enc.AppendMessage(d, &core.Message{Type: "records"})
	}
	u.Write(d)
	want += 6
	waitReceived(t, r, uint64(want))
	closeRouter(t, r)
	msgs, err := capt.Messages()
	if err != nil || len(msgs) != want {
		t.Fatalf("%d messages (%v), want %d", len(msgs), err, want)
	}
	count := map[string]int{}
	for _, m := range msgs {
		count[m.Logger+"/"+m.Type]++
	}
	for _, a := range addrs {
		for _, f := range []string{"json", "heka"} {
			if n := count[a+" "+f+"/t"]; n != 3 {
				t.Errorf("%s %s: %d messages", a, f, n)
			}
		}
	}
	if count["/lines"] != 3 || count["/records"] != 3 {
		t.Errorf("datagrams: %v", count)
	}
	// JSON: a datagram per message; Heka: records share datagrams.
	if st := r.Stats(); st.Rejected != (Rejections{}) || st.Datagrams < 6+2+2 || st.Datagrams > 6+6+2 {
		t.Errorf("stats %+v", st)
	}
}

// TestForward: a router forwards, re-signed, to another router that
// requires signatures; the messages keep their UUID, timestamp, hostname
// and pid.
func TestForward(t *testing.T) {
	keys := map[string]string{"relay_2": "second-secret", "app_1": "first-secret"}
	capt := core.NewCapture()
	b := startRouter(t, Config{
		Inputs: []Input{tcpInput}, Keys: map[string]string{"relay_2": keys["relay_2"]}, RequireSigned: true,
		Routes:    []Route{{Matcher: "TRUE", Endpoints: []string{"c"}}},
		Endpoints: []Endpoint{{Name: "c", Sender: capt, Format: "heka"}},
	})
	a := startRouter(t, Config{
		Inputs: []Input{tcpInput}, Keys: keys, RequireSigned: true,
		Routes: []Route{{Matcher: "TRUE", Endpoints: []string{"fwd"}}},
		Endpoints: []Endpoint{{Name: "fwd", Type: "forward", Address: "tcp://" + addr(b, 0),
			Signer: "relay", KeyVersion: 2, Hash: "md5"}},
	})
	c := newClient(t, a, 0, core.FormatHeka, core.WithHMAC("app", 1, "sha1", "first-secret"))
	sent := []*core.Message{
		{UUID: core.NewUUID(), Timestamp: time.Unix(1700000000, 123456789), Type: "t1", Hostname: "h1", Pid: 11, Payload: "one",
			Fields: []core.Field{core.Group("g", core.Int("n", 1))}},
		{UUID: core.NewUUID(), Timestamp: time.Unix(1600000000, 1), Type: "t2", Hostname: "h2", Pid: 22, Severity: core.Alert},
	}
	for _, m := range sent {
		c.Send(m)
	}
	closeClient(t, c)
	waitReceived(t, a, 2)
	closeRouter(t, a) // drains the forward endpoint
	waitReceived(t, b, 2)
	closeRouter(t, b)
	// b requires signatures and knows relay_2's key only: a re-signed.
	if st := b.Stats(); st.Decoded != 2 || st.Rejected != (Rejections{}) {
		t.Fatalf("receiving router: %+v", st)
	}
	recs := capt.Frames()
	for i, rec := range recs {
		m, _, err := core.DecodeHekaRecord(rec, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := sent[i]
		if m.UUID != w.UUID || !m.Timestamp.Equal(w.Timestamp) || m.Hostname != w.Hostname || m.Pid != w.Pid || m.Type != w.Type {
			t.Errorf("forwarded %+v, sent %+v", m, w)
		}
	}
	if len(recs) != 2 {
		t.Fatalf("%d records arrived", len(recs))
	}
}

// TestReadErrorsCounted: a stream that ends in an error other than its end
// (here plain TCP sent to a TLS input: the handshake fails) is counted in
// ReadErrors, not lost without a trace; a stream that ends cleanly is not.
func TestReadErrorsCounted(t *testing.T) {
	cert, _ := testcert.New(t)
	r := startRouter(t, Config{
		Inputs:    []Input{tcpInput, {Address: "tls://127.0.0.1:0", TLS: &tls.Config{Certificates: []tls.Certificate{cert}}}},
		Routes:    []Route{{Matcher: "TRUE", Endpoints: []string{"c"}}},
		Endpoints: []Endpoint{{Name: "c", Sender: core.NewCapture(), Format: "heka"}},
	})
	enc, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{})
	rec, _ := enc.AppendMessage(nil, &core.Message{Type: "t"})
	for i := range 2 {
		c := dial(t, r, i)
		if _, err := c.Write(rec); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	waitFor(t, "a read error", 5*time.Second, func() bool { return r.Stats().ReadErrors > 0 })
	waitReceived(t, r, 1) // the plain TCP input's record
	closeRouter(t, r)
	if st := r.Stats(); st.ReadErrors != 1 {
		t.Errorf("ReadErrors = %d, want 1 (the TLS input's failed handshake only): %+v", st.ReadErrors, st)
	}
}
