package router

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Real receivers for the integration tests: Etsy statsd on 127.0.0.1:8125,
// which appends one JSON object per flush to $PEERS_DIR/run/statsd-flush.jsonl,
// and sentry-testkit on 127.0.0.1:8199, which keeps the events it got in
// $PEERS_DIR/run/sentry-received.json (PEERS_DIR defaults to /tmp/peers).
// .ci/run starts them; the tests skip when they are absent.

func peersDir() string {
	if d := os.Getenv("PEERS_DIR"); d != "" {
		return d
	}
	return "/tmp/peers"
}

// peer returns the file a receiver listening on tcpAddr writes, or skips
// the test when the receiver or its file is absent.
func peer(t *testing.T, name, tcpAddr, file string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", tcpAddr, time.Second)
	if err != nil {
		t.Skipf("%s is not listening on %s (the test receivers start with .ci/run): %v", name, tcpAddr, err)
	}
	c.Close()
	path := filepath.Join(peersDir(), "run", file)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s listens on %s but %s is missing (set PEERS_DIR to the receivers' folder): %v", name, tcpAddr, path, err)
	}
	return path
}

// statsdPeer returns statsd's address and flush file. statsd flushes every
// second, with its own counters when nothing else came: a file not written
// for a while belongs to another statsd than the one listening.
func statsdPeer(t *testing.T) (addr, flushFile string) {
	path := peer(t, "statsd", "127.0.0.1:8125", "statsd-flush.jsonl")
	if st, err := os.Stat(path); err != nil || time.Since(st.ModTime()) > 10*time.Second {
		t.Skipf("statsd listens on 127.0.0.1:8125 but does not write %s (set PEERS_DIR to its folder)", path)
	}
	return "127.0.0.1:8125", path
}

// sentryPeer returns sentry-testkit's DSN and received-events file.
func sentryPeer(t *testing.T) (dsn, receivedFile string) {
	return "http://acacaeaccacacacabcaacdacdacadaca@127.0.0.1:8199/1", peer(t, "sentry-testkit", "127.0.0.1:8199", "sentry-received.json")
}
