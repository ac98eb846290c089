package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/metlog-go/metlog/internal/peers"
)

// TestRsyslogReceivesJSON sends Metlog JSON to a real rsyslog over UDP, TCP
// and its unix datagram socket, and reads back what rsyslog wrote: every
// message arrives as one line that decodes to what was sent. It skips when
// rsyslog is not running (scripts/receivers.sh starts it; CI does).
func TestRsyslogReceivesJSON(t *testing.T) {
	addr, sock, out := peers.Rsyslog(t)
	run := fmt.Sprintf("run-%x", rand.Uint64())
	const n = 50
	for _, tc := range []struct{ name, url string }{
		{"udp", "udp://" + addr},
		{"tcp", "tcp://" + addr},
		{"unixgram", "unixgram://" + sock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.url, WithLogger("rsyslog-test"))
			if err != nil {
				t.Fatal(err)
			}
			marker := run + "-" + tc.name
			for i := 0; i < n; i++ {
				c.Send(&Message{Type: "oldstyle", Severity: Warning, Payload: fmt.Sprintf("%s %d \"quoted\"", marker, i),
					Fields: []Field{Int64("seq", int64(i)), String("marker", marker), Group("http", Int("status", 503))}})
				if tc.name == "udp" && i%10 == 9 {
					flush(t, c) // keep loopback UDP bursts small
				}
			}
			closeClient(t, c)

			var lines [][]byte
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				lines = peers.Lines(t, out, []byte(marker))
				if len(lines) >= n {
					break
				}
			}
			if len(lines) != n {
				t.Fatalf("rsyslog wrote %d lines for %s, want %d", len(lines), marker, n)
			}
			seen := make([]bool, n)
			for _, line := range lines {
				m, err := DecodeJSON(line)
				if err != nil {
					t.Fatalf("rsyslog's line does not decode: %v: %q", err, line)
				}
				if m.Logger != "rsyslog-test" || m.Severity != Warning || len(m.Fields) != 3 {
					t.Fatalf("decoded %+v", m)
				}
				seq := m.Fields[0].IntValue()
				if want := fmt.Sprintf("%s %d \"quoted\"", marker, seq); m.Payload != want {
					t.Fatalf("payload %q, want %q", m.Payload, want)
				}
				if g := m.Fields[2].GroupValue(); len(g) != 1 || g[0].IntValue() != 503 {
					t.Fatalf("nested group: %s", dumpFields(m.Fields))
				}
				seen[seq] = true
			}
			for i, ok := range seen {
				if !ok {
					t.Fatalf("message %d missing", i)
				}
			}
		})
	}
}
