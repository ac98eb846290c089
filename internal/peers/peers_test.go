package peers

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// catcher records the first Skipf or Fatal of a locator and ends its
// goroutine there, as testing.T does, so a test can check that a locator
// skips without being skipped itself.
type catcher struct {
	testing.TB
	skipped, failed string
}

func (c *catcher) Helper() {}

func (c *catcher) Skipf(format string, args ...any) {
	c.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (c *catcher) Fatal(args ...any) {
	c.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func (c *catcher) Fatalf(format string, args ...any) {
	c.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// catch runs f with a catcher in its own goroutine and waits for it.
func catch(t *testing.T, f func(tb testing.TB)) *catcher {
	c := &catcher{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(c)
	}()
	<-done
	return c
}

// listener is a TCP listener on a free loopback port, closed when t ends.
func listener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// listen is the address of a new listener.
func listen(t *testing.T) string {
	return listener(t).Addr().String()
}

// closedAddr is a loopback address on which nothing listens any more.
func closedAddr(t *testing.T) string {
	ln := listener(t)
	ln.Close()
	return ln.Addr().String()
}

// addrVars are the environment variables that hold the receivers' addresses.
var addrVars = []string{"METLOG_STATSD_ADDR", "METLOG_RSYSLOG_ADDR", "METLOG_SENTRY_ADDR",
	"METLOG_OTLP_ADDR", "METLOG_TCPLOG_ADDR", "METLOG_OTELCOL_METRICS_ADDR"}

// setAddrs points every receiver address at addr for the rest of t.
func setAddrs(t *testing.T, addr string) {
	for _, v := range addrVars {
		t.Setenv(v, addr)
	}
}

// fakeDir makes METLOG_PEERS_DIR a new folder whose run/ holds the named
// files.
func fakeDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, "run", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("METLOG_PEERS_DIR", dir)
	return filepath.Join(dir, "run")
}

var allFiles = []string{"statsd-flush.jsonl", "rsyslog.sock", "rsyslog-received.jsonl", "sentry-received.json", "otelcol-logs.jsonl"}

func TestLocatorsSkipWhenNotListening(t *testing.T) {
	fakeDir(t, allFiles...)
	addr := closedAddr(t)
	setAddrs(t, addr)
	for _, tc := range []struct {
		name, want string
		call       func(testing.TB)
	}{
		{"statsd", "statsd is not listening on " + addr, func(tb testing.TB) { Statsd(tb) }},
		{"rsyslog", "rsyslog is not listening on " + addr, func(tb testing.TB) { Rsyslog(tb) }},
		{"sentry", "sentry is not listening on " + addr, func(tb testing.TB) { Sentry(tb) }},
		{"collector", "the collector's OTLP receiver is not listening on " + addr, func(tb testing.TB) { Collector(tb) }},
	} {
		c := catch(t, tc.call)
		if !strings.HasPrefix(c.skipped, tc.want+" (") || !strings.HasSuffix(c.skipped, "): run scripts/receivers.sh start (CI does)") {
			t.Errorf("%s: skipped with %q, want %q (...): run scripts/receivers.sh start (CI does)", tc.name, c.skipped, tc.want)
		}
		if c.failed != "" {
			t.Errorf("%s: failed: %s", tc.name, c.failed)
		}
	}
}

func TestLocatorsSkipWhenFileMissing(t *testing.T) {
	setAddrs(t, listen(t))
	for _, tc := range []struct {
		name, missing string
		call          func(testing.TB)
	}{
		{"statsd", "statsd-flush.jsonl", func(tb testing.TB) { Statsd(tb) }},
		{"rsyslog", "rsyslog.sock", func(tb testing.TB) { Rsyslog(tb) }},
		{"rsyslog", "rsyslog-received.jsonl", func(tb testing.TB) { Rsyslog(tb) }},
		{"sentry", "sentry-received.json", func(tb testing.TB) { Sentry(tb) }},
		{"collector", "otelcol-logs.jsonl", func(tb testing.TB) { Collector(tb) }},
	} {
		var files []string
		for _, f := range allFiles {
			if f != tc.missing {
				files = append(files, f)
			}
		}
		fakeDir(t, files...)
		c := catch(t, tc.call)
		if !strings.Contains(c.skipped, tc.missing) || !strings.HasSuffix(c.skipped, "run scripts/receivers.sh start (CI does)") {
			t.Errorf("%s without %s: skipped with %q", tc.name, tc.missing, c.skipped)
		}
	}
}

func TestLocatorsReturnAddresses(t *testing.T) {
	run := fakeDir(t, allFiles...)
	statsd, rsyslog, sentry := listen(t), listen(t), listen(t)
	otlp, tcplog, metrics := listen(t), listen(t), listen(t)
	t.Setenv("METLOG_STATSD_ADDR", statsd)
	t.Setenv("METLOG_RSYSLOG_ADDR", rsyslog)
	t.Setenv("METLOG_SENTRY_ADDR", sentry)
	t.Setenv("METLOG_OTLP_ADDR", otlp)
	t.Setenv("METLOG_TCPLOG_ADDR", tcplog)
	t.Setenv("METLOG_OTELCOL_METRICS_ADDR", metrics)
	c := catch(t, func(tb testing.TB) {
		addr, flush := Statsd(tb)
		if addr != statsd || flush != filepath.Join(run, "statsd-flush.jsonl") {
			t.Errorf("Statsd() = %q, %q", addr, flush)
		}
		addr, sock, out := Rsyslog(tb)
		if addr != rsyslog || sock != filepath.Join(run, "rsyslog.sock") || out != filepath.Join(run, "rsyslog-received.jsonl") {
			t.Errorf("Rsyslog() = %q, %q, %q", addr, sock, out)
		}
		dsn, received := Sentry(tb)
		if dsn != "http://acacaeaccacacacabcaacdacdacadaca@"+sentry+"/1" || received != filepath.Join(run, "sentry-received.json") {
			t.Errorf("Sentry() = %q, %q", dsn, received)
		}
		o, tl, f, m := Collector(tb)
		if o != otlp || tl != tcplog || f != filepath.Join(run, "otelcol-logs.jsonl") || m != metrics {
			t.Errorf("Collector() = %q, %q, %q, %q", o, tl, f, m)
		}
	})
	if c.skipped != "" || c.failed != "" {
		t.Fatalf("skipped %q, failed %q", c.skipped, c.failed)
	}
}

func TestDefaults(t *testing.T) {
	for _, v := range []string{"METLOG_PEERS_DIR", "METLOG_STATSD_ADDR"} {
		t.Setenv(v, "")
	}
	if d := Dir(); d != "/tmp/metlog-peers" {
		t.Errorf("Dir() = %q", d)
	}
	if a := env("METLOG_STATSD_ADDR", "127.0.0.1:8125"); a != "127.0.0.1:8125" {
		t.Errorf("empty METLOG_STATSD_ADDR gave %q", a)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLines(t *testing.T) {
	path := writeFile(t, "a m1\nb\nc m1 m1\n\nd m1")
	got := Lines(t, path, []byte("m1"))
	want := [][]byte{[]byte("a m1"), []byte("c m1 m1")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lines = %q, want %q (the unfinished last line left out)", got, want)
	}
	c := catch(t, func(tb testing.TB) { Lines(tb, filepath.Join(t.TempDir(), "absent"), nil) })
	if c.failed == "" {
		t.Error("Lines of a missing file did not fail")
	}
}

func TestReadStatsd(t *testing.T) {
	before := `{"counters":{"p.c":100},"timers":{},"gauges":{},"timer_data":{}}` + "\n"
	path := writeFile(t, before+
		`{"counters":{"p.c":2,"q.c":5},"timers":{"p.t":[3,1]},"gauges":{"p.g":1},"timer_data":{"p.t":{"count":4}}}`+"\n"+
		`{"counters":{"other":1},"timers":{},"gauges":{},"timer_data":{}}`+"\n"+
		`{"counters":{"p.c":0.5},"timers":{"p.t":[2]},"gauges":{"p.g":-7},"timer_data":{"p.t":{"count":1}}}`+"\n"+
		`{"counters":{"p.c":1000}`) // being written
	got := ReadStatsd(t, path, int64(len(before)), "p.")
	want := StatsdTotals{
		Counters:    map[string]float64{"p.c": 2.5},
		Timers:      map[string][]float64{"p.t": {3, 1, 2}},
		TimerCounts: map[string]float64{"p.t": 5},
		Gauges:      map[string]float64{"p.g": -7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadStatsd = %+v, want %+v", got, want)
	}
	if n := Size(t, path); n <= int64(len(before)) {
		t.Errorf("Size = %d", n)
	}

	bad := writeFile(t, "{\"counters\": p.\n")
	if c := catch(t, func(tb testing.TB) { ReadStatsd(tb, bad, 0, "p.") }); !strings.Contains(c.failed, "statsd flush line") {
		t.Errorf("a broken line gave %q", c.failed)
	}
}

func TestReadSentry(t *testing.T) {
	path := writeFile(t, `{"reports":[{"message":"m","level":"warning","tags":{},"originalReport":{"event_id":"e1","message":"m"}}],"transactions":[{"name":"tx"}],"logs":[]}`)
	got := ReadSentry(t, path)
	if len(got.Reports) != 1 || got.Reports[0].Message != "m" || got.Reports[0].Level != "warning" ||
		string(got.Reports[0].Original) != `{"event_id":"e1","message":"m"}` || len(got.Transactions) != 1 || len(got.Logs) != 0 {
		t.Errorf("ReadSentry = %+v", got)
	}
	bad := writeFile(t, `{"reports":`)
	if c := catch(t, func(tb testing.TB) { ReadSentry(tb, bad) }); c.failed == "" {
		t.Error("a truncated file did not fail")
	}
}

func TestCollectorSentLogRecords(t *testing.T) {
	const page = `# HELP otelcol_exporter_sent_log_records Number of log record successfully sent to destination. [Alpha]
# TYPE otelcol_exporter_sent_log_records counter
otelcol_exporter_sent_log_records{exporter="file"} 41
otelcol_exporter_sent_log_records{exporter="debug"} 1000
otelcol_exporter_sent_log_records{exporter="file",transport="x"} 1 1700000000000
otelcol_exporter_sent_log_records_total{exporter="file"} 500
otelcol_exporter_send_failed_log_records{exporter="file"} 7
`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if n := CollectorSentLogRecords(t, addr); n != 42 {
		t.Errorf("CollectorSentLogRecords = %v, want 42", n)
	}
	if c := catch(t, func(tb testing.TB) { CollectorSentLogRecords(tb, closedAddr(t)) }); c.failed == "" {
		t.Error("no metrics endpoint did not fail")
	}
}

func TestPromSumErrors(t *testing.T) {
	for _, in := range []string{
		"m{exporter=\"file\" 3\n",
		"m{exporter=\"file\"}\n",
		"m{exporter=\"file\"} three\n",
	} {
		if _, err := promSum(strings.NewReader(in), "m", `exporter="file"`); err == nil {
			t.Errorf("promSum(%q) gave no error", in)
		}
	}
	if n, err := promSum(strings.NewReader("m 5\nm{a=\"b\"} 6\n"), "m", ""); err != nil || n != 5 {
		t.Errorf("unlabelled sample: %v, %v; want 5", n, err)
	}
}
