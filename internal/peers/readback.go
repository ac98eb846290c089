package peers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Size is the current size of the file at path; pass it to [ReadStatsd] as
// the offset to read only what is written after it. It fails t when the
// file cannot be read.
func Size(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// Lines returns the whole lines of the file at path that contain marker, in
// file order. A last line without its newline (still being written) is
// left out. It fails t when the file cannot be read.
func Lines(t testing.TB, path string, marker []byte) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if line := data[:i]; bytes.Contains(line, marker) {
			out = append(out, line)
		}
		data = data[i+1:]
	}
	return out
}

// StatsdTotals is what statsd flushed for a set of keys, added up over
// flushes. statsd scales a counter by its sample rate before the flush
// (`2|c|@0.5` counts 4), and counts a timer value sent at rate r as 1/r
// values in its timer count, though it keeps the value once.
type StatsdTotals struct {
	Counters    map[string]float64   // summed over the flushes
	Timers      map[string][]float64 // the values of every flush, in flush order
	TimerCounts map[string]float64   // statsd's timer_data count, summed
	Gauges      map[string]float64   // the last value flushed
}

// statsdFlush is one line of the flush file, as the receivers' statsd
// backend writes it.
type statsdFlush struct {
	Counters  map[string]float64            `json:"counters"`
	Timers    map[string][]float64          `json:"timers"`
	Gauges    map[string]float64            `json:"gauges"`
	TimerData map[string]map[string]float64 `json:"timer_data"`
}

// ReadStatsd adds up the flushes written to flushFile after offset (see
// [Size]), keeping the keys that start with prefix. A last line without its
// newline is left for the next call. It fails t when the file cannot be
// read or a line does not decode.
func ReadStatsd(t testing.TB, flushFile string, offset int64, prefix string) StatsdTotals {
	t.Helper()
	tot, err := readStatsd(flushFile, offset, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

func readStatsd(flushFile string, offset int64, prefix string) (StatsdTotals, error) {
	tot := StatsdTotals{map[string]float64{}, map[string][]float64{}, map[string]float64{}, map[string]float64{}}
	f, err := os.Open(flushFile)
	if err != nil {
		return tot, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return tot, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil { // io.EOF, with a line still being written or none
			return tot, nil
		}
		if !bytes.Contains(line, []byte(prefix)) {
			continue
		}
		var fl statsdFlush
		if err := json.Unmarshal(line, &fl); err != nil {
			return tot, fmt.Errorf("statsd flush line %q: %w", line, err)
		}
		for k, v := range fl.Counters {
			if strings.HasPrefix(k, prefix) {
				tot.Counters[k] += v
			}
		}
		for k, v := range fl.Timers {
			if strings.HasPrefix(k, prefix) {
				tot.Timers[k] = append(tot.Timers[k], v...)
				tot.TimerCounts[k] += fl.TimerData[k]["count"]
			}
		}
		for k, v := range fl.Gauges {
			if strings.HasPrefix(k, prefix) {
				tot.Gauges[k] = v
			}
		}
	}
}

// SentryReceived is what the Sentry receiver has received since it started,
// as sentry-testkit keeps it.
type SentryReceived struct {
	Reports      []SentryReport    `json:"reports"`      // events, from store and envelope requests
	Transactions []json.RawMessage `json:"transactions"` // transaction items of envelopes
	Logs         []json.RawMessage `json:"logs"`         // log items of envelopes
}

// SentryReport is one event as sentry-testkit summarises it.
type SentryReport struct {
	Message  string          `json:"message"`
	Level    string          `json:"level"` // "error" when the event had none
	Original json.RawMessage `json:"originalReport"`
}

// ReadSentry reads the Sentry receiver's file (see [Sentry]), which the
// receiver replaces whole every 100 ms when it changed. It fails t when the
// file cannot be read or decoded.
func ReadSentry(t testing.TB, receivedFile string) SentryReceived {
	t.Helper()
	var got SentryReceived
	data, err := os.ReadFile(receivedFile)
	if err == nil {
		err = json.Unmarshal(data, &got)
	}
	if err != nil {
		t.Fatalf("sentry received file: %v", err)
	}
	return got
}

// sentLogRecords is the collector's counter of log records that an exporter
// has sent (in collector v0.165, without the _total suffix).
const sentLogRecords = "otelcol_exporter_sent_log_records"

// CollectorSentLogRecords is the number of log records the collector's file
// exporter has written since it started, from its own metric
// otelcol_exporter_sent_log_records{exporter="file"} at metricsAddr (see
// [Collector]); 0 before the first. It fails t when the metrics cannot be
// read.
func CollectorSentLogRecords(t testing.TB, metricsAddr string) float64 {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatalf("collector metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("collector metrics: %s", resp.Status)
	}
	n, err := promSum(resp.Body, sentLogRecords, `exporter="file"`)
	if err != nil {
		t.Fatalf("collector metrics: %v", err)
	}
	return n
}

// promSum adds up the samples of the metric name, in Prometheus's text
// format, whose labels include label (`key="value"`).
func promSum(r io.Reader, name, label string) (float64, error) {
	var sum float64
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue // a comment, another metric, or a longer name
		}
		if rest[0] == '{' {
			end := strings.LastIndexByte(rest, '}')
			if end < 0 {
				return 0, fmt.Errorf("unterminated labels: %q", line)
			}
			if !hasLabel(rest[1:end], label) {
				continue
			}
			rest = rest[end+1:]
		} else if label != "" {
			continue
		}
		fields := strings.Fields(rest) // value, then an optional timestamp
		if len(fields) == 0 {
			return 0, fmt.Errorf("no value: %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0, fmt.Errorf("value of %q: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

// hasLabel reports whether the label list (`a="x",b="y"`) holds label
// exactly. Label values here hold no commas or escaped quotes.
func hasLabel(labels, label string) bool {
	for l := range strings.SplitSeq(labels, ",") {
		if strings.TrimSpace(l) == label {
			return true
		}
	}
	return false
}
