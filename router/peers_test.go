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

// statsdPeer returns statsd's address and flush file.
func statsdPeer(t *testing.T) (addr, flushFile string) {
	return "127.0.0.1:8125", peer(t, "statsd", "127.0.0.1:8125", "statsd-flush.jsonl")
}

// sentryPeer returns sentry-testkit's DSN and received-events file.
func sentryPeer(t *testing.T) (dsn, receivedFile string) {
	return "http://acacaeaccacacacabcaacdacdacadaca@127.0.0.1:8199/1", peer(t, "sentry-testkit", "127.0.0.1:8199", "sentry-received.json")
}
