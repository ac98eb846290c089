package router

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// secret is the HMAC key of the hostile tests: it must never appear in
// what the router says.
const secret = "SuperSecret-KEY-7f3a9"

var hostileKeys = map[string]string{"ops_1": secret}

// record encodes one Heka record of m with cfg; fixed UUIDs and times keep
// 0x1E out of the records the tests cut.
func record(t testing.TB, cfg core.EncoderConfig, m *core.Message) []byte {
	t.Helper()
	enc, err := core.NewEncoder(core.FormatHeka, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.UUID == ([16]byte{}) {
		m.UUID = [16]byte{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16}
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Unix(1700000000, 0)
	}
	out, err := enc.AppendMessage(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func good(t testing.TB, payload string) []byte {
	return record(t, core.EncoderConfig{Hostname: "h", Pid: 1}, &core.Message{Type: "good", Payload: payload})
}

func signed(t testing.TB, signer, key, payload string) []byte {
	return record(t, core.EncoderConfig{Hostname: "h", Pid: 1, HMAC: &core.HMACConfig{Signer: signer, KeyVersion: 1, Hash: core.HashSHA1, Key: key}},
		&core.Message{Type: "good", Payload: payload})
}

// hostileRouter is a router with the hostile keys, a capture endpoint and
// a log of its own events.
func hostileRouter(t testing.TB, cfg Config) (*Router, *core.Capture, *metlogtest.SyncBuffer) {
	capt := core.NewCapture()
	logs := &metlogtest.SyncBuffer{}
	cfg.Inputs = append([]Input{tcpInput}, cfg.Inputs...)
	cfg.Keys = hostileKeys
	cfg.Routes = []Route{{Matcher: "TRUE", Endpoints: []string{"c"}}}
	cfg.Endpoints = []Endpoint{{Name: "c", Sender: capt, Format: "heka"}}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return startRouter(t, cfg), capt, logs
}

func payloads(t testing.TB, capt *core.Capture) string {
	t.Helper()
	msgs, err := capt.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var p []string
	for _, m := range msgs {
		p = append(p, m.Payload)
	}
	return strings.Join(p, " ")
}

// TestHostileHekaStream: one connection carrying garbage, a header that
// claims 4 GiB, bad and unknown signatures, a malformed record, invalid
// UTF-8 and truncated records between good ones. Each is skipped and
// counted by reason, the good records arrive, and the connection stays
// open until the peer closes it.
func TestHostileHekaStream(t *testing.T) {
	r, capt, logs := hostileRouter(t, Config{})
	conn := dial(t, r, 0)
	utf := good(t, "badX")
	utf[bytes.LastIndexByte(utf, 'X')] = 0xff
	huge := []byte{0x1e, 6, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1f, 'A', 'A', 'A', 'A'}
	malformed := []byte{0x1e, 2, 0x08, 3, 0x1f, 0xff, 0xff, 0xff}
	cut := good(t, "cut")
	var s []byte
	for _, part := range [][]byte{
		[]byte("junk!"), good(t, "1"), []byte("xyz\x1e\x00q"), huge,
		signed(t, "ops", "wrong key", "badsig"), signed(t, "nobody", "k", "unknown"), signed(t, "ops", secret, "2"),
		malformed, utf, cut[:len(cut)/2], good(t, "3"),
	} {
		s = append(s, part...)
	}
	if _, err := conn.Write(s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the records", 30*time.Second, func() bool { return r.Stats().Decoded == 3 })
	// Still served: another record on the same connection, then one cut
	// off by the end of the stream.
	conn.Write(good(t, "4"))
	waitFor(t, "record 4", 30*time.Second, func() bool { return r.Stats().Decoded == 4 })
	conn.Write(cut[:len(cut)-3])
	conn.Close()
	waitFor(t, "the connection to end", 30*time.Second, func() bool { return r.Stats().Open == 0 })
	closeRouter(t, r)

	st := r.Stats()
	rej := st.Rejected
	if rej.Oversize != 1 || rej.BadSignature != 1 || rej.UnknownKey != 1 || rej.Malformed != 1 || rej.InvalidUTF8 != 1 ||
		rej.Truncated != 2 || rej.Unsigned != 0 || rej.Garbage < 5+6+13 {
		t.Errorf("rejections %+v", rej)
	}
	if st.Received != st.Decoded+rej.Malformed+rej.InvalidUTF8+rej.BadSignature+rej.UnknownKey+rej.Unsigned || st.Decoded != 4 {
		t.Errorf("received %d, decoded %d, rejections %+v", st.Received, st.Decoded, rej)
	}
	if got := payloads(t, capt); got != "1 2 3 4" {
		t.Errorf("delivered %q", got)
	}
	checkNoSecret(t, r, logs)
}

// checkNoSecret: the key is in no log line and in no stats output.
func checkNoSecret(t testing.TB, r *Router, logs *metlogtest.SyncBuffer) {
	t.Helper()
	js, err := json.Marshal(r.Stats())
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"logs": logs.String(), "stats": string(js)} {
		if strings.Contains(text, secret) {
			t.Errorf("the key appears in the %s: %s", what, text)
		}
	}
}

// TestHostileJSONStream: lines that are not JSON, of the wrong shape, with
// invalid UTF-8, over the size limit, and one that never ends within the
// limit; the good lines around them arrive.
func TestHostileJSONStream(t *testing.T) {
	r, capt, _ := hostileRouter(t, Config{MaxMessageSize: 1024})
	conn := dial(t, r, 0)
	var s strings.Builder
	s.WriteString(`{"type":"good","payload":"1"}` + "\n")
	s.WriteString("{not json\n")
	s.WriteString(`{"type":1}` + "\n")
	s.WriteString(`{"type":"good","payload":"bad` + "\xff" + `"}` + "\n")
	s.WriteString(`{"payload":"` + strings.Repeat("x", 2000) + `"}` + "\n")
	s.WriteString("\n  \n")
	conn.Write([]byte(s.String()))
	// A line without a newline for far longer than the limit: the router
	// holds no more than about the limit of it.
	for range 200 {
		conn.Write(bytes.Repeat([]byte("y"), 1000))
	}
	conn.Write([]byte("\n" + `{"type":"good","payload":"2"}` + "\n"))
	waitFor(t, "the good lines", 30*time.Second, func() bool { return r.Stats().Decoded == 2 })
	conn.Write([]byte(`{"type":"good","payload":"3"}`)) // no newline: ends with the stream
	conn.Close()
	waitFor(t, "the connection to end", 30*time.Second, func() bool { return r.Stats().Open == 0 })
	closeRouter(t, r)
	st := r.Stats()
	if want := (Rejections{Oversize: 2, Malformed: 2, InvalidUTF8: 1}); st.Rejected != want {
		t.Errorf("rejections %+v, want %+v", st.Rejected, want)
	}
	if got := payloads(t, capt); got != "1 2 3" || st.Received != 6 {
		t.Errorf("delivered %q, received %d", got, st.Received)
	}
}

// TestRequireSigned: unsigned records and JSON lines are rejected, signed
// ones pass.
func TestRequireSigned(t *testing.T) {
	r, capt, logs := hostileRouter(t, Config{RequireSigned: true, Inputs: []Input{{Address: "udp://127.0.0.1:0"}}})
	conn := dial(t, r, 0)
	conn.Write(append(append(good(t, "unsigned"), signed(t, "ops", secret, "1")...), signed(t, "ops", "guess", "bad")...))
	j := dial(t, r, 0)
	j.Write([]byte(`{"type":"json"}` + "\n"))
	u, err := net.Dial("udp", addr(r, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Write(good(t, "udp unsigned"))
	u.Write(signed(t, "ops", secret, "2"))
	waitFor(t, "the messages", 30*time.Second, func() bool { return r.Stats().Received == 6 })
	closeRouter(t, r)
	st := r.Stats()
	if st.Rejected != (Rejections{Unsigned: 3, BadSignature: 1}) || st.Decoded != 2 {
		t.Errorf("stats %+v", st)
	}
	if got := payloads(t, capt); got != "1 2" && got != "2 1" {
		t.Errorf("delivered %q", got)
	}
	checkNoSecret(t, r, logs)
}

// TestHostileDatagrams: garbage, truncated and oversize datagrams.
func TestHostileDatagrams(t *testing.T) {
	r, capt, _ := hostileRouter(t, Config{MaxMessageSize: 1024, Inputs: []Input{{Address: "udp://127.0.0.1:0"}}})
	u, err := net.Dial("udp", addr(r, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	g := good(t, "2")
	for _, d := range [][]byte{
		[]byte("garbage"), good(t, "1")[:20], {0x1e, 6, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1f},
		[]byte(`{"payload":"` + strings.Repeat("x", 2000) + `"}`), []byte("{broken"), append(g[:len(g):len(g)], good(t, "3")...),
	} {
		u.Write(d)
	}
	waitFor(t, "the datagrams", 30*time.Second, func() bool { return r.Stats().Datagrams == 6 })
	closeRouter(t, r)
	st := r.Stats()
	if st.Rejected.Truncated != 1 || st.Rejected.Oversize != 2 || st.Rejected.Malformed != 1 || st.Decoded != 2 || st.Rejected.Garbage < 7 {
		t.Errorf("stats %+v", st)
	}
	if got := payloads(t, capt); got != "2 3" {
		t.Errorf("delivered %q", got)
	}
}

// TestIdleConnections: a silent connection and one that trickles bytes of
// a record it never completes are both closed after the idle timeout.
func TestIdleConnections(t *testing.T) {
	r, _, _ := hostileRouter(t, Config{IdleTimeout: Duration(300 * time.Millisecond)})
	silent := dial(t, r, 0)
	trickle := dial(t, r, 0)
	rec := good(t, "slow")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < len(rec)-1; i++ {
			if _, err := trickle.Write(rec[i : i+1]); err != nil {
				return // closed by the router
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	for _, c := range []net.Conn{silent, trickle} {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF && !isReset(err) {
			t.Errorf("read: %v, want the router to close the connection", err)
		}
	}
	trickle.Close()
	<-done
	waitFor(t, "the connections to end", 30*time.Second, func() bool { return r.Stats().Open == 0 })
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }

// TestConnectionStorm: 10,000 connections opened and dropped, each sending
// a header that claims 4 GiB or a record it never finishes, while one good
// connection keeps sending. The good messages all arrive, every hostile
// connection is counted (refused, oversize or truncated), and the heap
// stays bounded.
func TestConnectionStorm(t *testing.T) {
	const conns = 10000
	r, capt, _ := hostileRouter(t, Config{MaxConnections: 64})
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	goodConn := dial(t, r, 0)
	rec := good(t, "g")
	huge := []byte{0x1e, 6, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1f, 'A'}
	var wg sync.WaitGroup
	var dialErrs atomic.Int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < conns; i += 8 {
				c, err := net.Dial("tcp", addr(r, 0))
				if err != nil {
					dialErrs.Add(1)
					continue
				}
				if i%2 == 0 {
					c.Write(huge)
				} else {
					c.Write(rec[:len(rec)-1])
				}
				c.Close()
			}
		}()
	}
	sentGood := 0
	for range 200 {
		if _, err := goodConn.Write(rec); err != nil {
			t.Fatal(err)
		}
		sentGood++
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if n := dialErrs.Load(); n > 0 {
		t.Fatalf("%d dials failed", n)
	}
	waitFor(t, "every connection to be handled", 60*time.Second, func() bool {
		st := r.Stats()
		return st.Open == 1 && st.Connections == conns+1 && st.Decoded == uint64(sentGood)
	})
	close(stop)
	<-sampled
	st := r.Stats()
	if got := st.Refused + st.Rejected.Oversize + st.Rejected.Truncated; got != conns {
		t.Errorf("refused %d + oversize %d + truncated %d = %d, want %d", st.Refused, st.Rejected.Oversize, st.Rejected.Truncated, got, conns)
	}
	if capt.Len() < sentGood-1 { // the capture queue drains while we count
		waitFor(t, "the deliveries", 30*time.Second, func() bool { return capt.Len() == sentGood })
	}
	// 64 connections with a buffer each (16 KiB, at most a largest
	// record), and their decoders: a few MiB. The bound is generous for
	// the garbage collector's slack, and far below what 10,000
	// connections, or one 4 GiB header, would take.
	const bound = 64 << 20
	if grew := int64(peak.Load()) - int64(base.HeapAlloc); grew > bound {
		t.Errorf("heap grew by %d MiB during the storm, bound %d MiB", grew>>20, bound>>20)
	}
	t.Logf("heap peak %d MiB over a base of %d MiB; refused %d, oversize %d, truncated %d",
		(peak.Load()-min(peak.Load(), base.HeapAlloc))>>20, base.HeapAlloc>>20, st.Refused, st.Rejected.Oversize, st.Rejected.Truncated)
}

// TestKeysNotInErrors: configuration errors name keys, never show them.
func TestKeysNotInErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"bad key name": {Inputs: []Input{tcpInput}, Keys: map[string]string{"ops": secret}},
		"bad version":  {Inputs: []Input{tcpInput}, Keys: map[string]string{"ops_x": secret}},
		"forward key":  {Inputs: []Input{tcpInput}, Keys: hostileKeys, Endpoints: []Endpoint{{Name: "f", Type: "forward", Address: "tcp://127.0.0.1:1", Signer: "ops", KeyVersion: 2}}},
		"sentry dsn":   {Inputs: []Input{tcpInput}, Endpoints: []Endpoint{{Name: "s", Type: "sentry", DSN: "http://" + secret + "@[bad"}}},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the key is in the error: %v", name, err)
		}
	}
}

// TestHostileShapes: within the size limit, a JSON value nested 20,000
// deep, a JSON array of 30,000 numbers and a Heka field of 60,000 packed
// bools: the deep one is rejected, the long ones decoded; nothing grows
// beyond what the limit allows.
func TestHostileShapes(t *testing.T) {
	r, capt, _ := hostileRouter(t, Config{})
	deep := `{"type":"deep","fields":{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}}\n"
	long := `{"type":"long","fields":{"a":[` + strings.Repeat("1,", 29999) + "1]}}\n"
	bools := make([]bool, 60000)
	heka := record(t, core.EncoderConfig{}, &core.Message{Type: "bools", Fields: []core.Field{core.Bools("b", bools)}})
	j := dial(t, r, 0)
	j.Write([]byte(deep + long))
	h := dial(t, r, 0)
	h.Write(heka)
	waitFor(t, "the messages", 30*time.Second, func() bool { return r.Stats().Received == 3 })
	closeRouter(t, r)
	st := r.Stats()
	if st.Decoded != 2 || st.Rejected.Malformed != 1 {
		t.Fatalf("stats %+v", st)
	}
	msgs, err := capt.Messages()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if n := m.Fields[0].Len(); n != 30000 && n != 60000 {
			t.Errorf("%s: %d values", m.Type, n)
		}
	}
}
