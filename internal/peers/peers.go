package peers

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// startHint ends every skip message: how to get the receivers.
const startHint = "run scripts/receivers.sh start (CI does)"

// SentryKey is the public key of the DSN that the Sentry receiver accepts
// (it does not check it, but a client needs one).
const SentryKey = "acacaeaccacacacabcaacdacdacadaca"

// Dir is the receivers' working folder: METLOG_PEERS_DIR, or
// /tmp/metlog-peers. What they received is in its run/ folder.
func Dir() string {
	return env("METLOG_PEERS_DIR", "/tmp/metlog-peers")
}

// env is the environment variable name, or def when it is unset or empty.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// runFile is the path of a receiver's file under Dir()/run.
func runFile(name string) string {
	return filepath.Join(Dir(), "run", name)
}

// listening skips t unless a TCP connection to addr succeeds.
func listening(t testing.TB, name, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("%s is not listening on %s (%v): %s", name, addr, err, startHint)
	}
	conn.Close()
}

// present skips t unless path exists.
func present(t testing.TB, name, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s's %s is missing (%v): %s", name, what, err, startHint)
	}
}

// Statsd returns the address of Etsy's statsd 0.9.0 (UDP and TCP on the
// same port, METLOG_STATSD_ADDR) and the file its flushes go to: one JSON
// object per flush, every second, read by [ReadStatsd]. It skips t when
// statsd is not running.
func Statsd(t testing.TB) (addr, flushFile string) {
	t.Helper()
	addr = env("METLOG_STATSD_ADDR", "127.0.0.1:8125")
	flushFile = runFile("statsd-flush.jsonl")
	listening(t, "statsd", addr) // statsd takes TCP on its UDP port too
	present(t, "statsd", "flush file", flushFile)
	// statsd flushes every second, its own counters at least: a file
	// written longer ago belongs to another statsd than the one listening
	// (one started with another METLOG_PEERS_DIR).
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if st, err := os.Stat(flushFile); err == nil && time.Since(st.ModTime()) < 3*time.Second {
			break
		}
		if time.Now().After(deadline) {
			t.Skipf("statsd listens on %s but does not write %s: is METLOG_PEERS_DIR the folder of the statsd running? %s", addr, flushFile, startHint)
		}
	}
	return addr, flushFile
}

// Rsyslog returns the address of rsyslog's UDP and TCP inputs
// (METLOG_RSYSLOG_ADDR), the path of its unix datagram socket, and the file
// it writes every message to, unchanged, one per line (see [Lines]). Over
// TCP it splits messages at newlines, and takes a message that starts with
// a digit as octet-counted. It skips t when rsyslog is not running.
func Rsyslog(t testing.TB) (addr, sock, out string) {
	t.Helper()
	addr = env("METLOG_RSYSLOG_ADDR", "127.0.0.1:5514")
	sock = runFile("rsyslog.sock")
	out = runFile("rsyslog-received.jsonl")
	listening(t, "rsyslog", addr)
	present(t, "rsyslog", "unix socket", sock)
	present(t, "rsyslog", "output file", out)
	return addr, sock, out
}

// Sentry returns the DSN of sentry-testkit's server (project 1 on
// METLOG_SENTRY_ADDR), which takes /api/1/store/ and /api/1/envelope/, and
// the file holding what it received, read by [ReadSentry]. It skips t when
// the server is not running.
func Sentry(t testing.TB) (dsn, receivedFile string) {
	t.Helper()
	addr := env("METLOG_SENTRY_ADDR", "127.0.0.1:8199")
	receivedFile = runFile("sentry-received.json")
	listening(t, "sentry", addr)
	present(t, "sentry", "received file", receivedFile)
	return fmt.Sprintf("http://%s@%s/1", SentryKey, addr), receivedFile
}

// Collector returns the addresses of the OpenTelemetry Collector's OTLP/HTTP
// receiver (METLOG_OTLP_ADDR; logs go to /v1/logs) and tcp_log receiver
// (METLOG_TCPLOG_ADDR; one JSON object per line), the file its file exporter
// writes (one ExportLogsServiceRequest in JSON per line), and the address of
// its own metrics (METLOG_OTELCOL_METRICS_ADDR, read by
// [CollectorSentLogRecords]). A tcp_log record's body is the line as sent,
// and its attributes are the keys of the line's JSON object. It skips t when
// the collector is not running.
func Collector(t testing.TB) (otlpAddr, tcplogAddr, outFile, metricsAddr string) {
	t.Helper()
	otlpAddr = env("METLOG_OTLP_ADDR", "127.0.0.1:4318")
	tcplogAddr = env("METLOG_TCPLOG_ADDR", "127.0.0.1:54525")
	metricsAddr = env("METLOG_OTELCOL_METRICS_ADDR", "127.0.0.1:8888")
	outFile = runFile("otelcol-logs.jsonl")
	listening(t, "the collector's OTLP receiver", otlpAddr)
	listening(t, "the collector's tcp_log receiver", tcplogAddr)
	listening(t, "the collector's metrics endpoint", metricsAddr)
	present(t, "the collector", "output file", outFile)
	return otlpAddr, tcplogAddr, outFile, metricsAddr
}
