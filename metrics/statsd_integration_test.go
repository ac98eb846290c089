package metrics_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/metrics"
)

// The integration test talks to Etsy's statsd 0.9.0 as
// shared/peers/peers-setup.sh runs it (PEERS_COMPONENTS=statsd): UDP and
// TCP on METLOG_STATSD_ADDR (default 127.0.0.1:8125), flushing every
// second into $PEERS_DIR/run/statsd-flush.jsonl (PEERS_DIR defaults to
// /tmp/peers), one JSON object per flush, counters already scaled by their
// sample rate, idle stats deleted.

func statsdPeer(t *testing.T) (addr, flushFile string) {
	addr = os.Getenv("METLOG_STATSD_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8125"
	}
	dir := os.Getenv("PEERS_DIR")
	if dir == "" {
		dir = "/tmp/peers"
	}
	flushFile = filepath.Join(dir, "run", "statsd-flush.jsonl")
	hint := "run shared/peers/peers-setup.sh (PEERS_COMPONENTS=statsd) to install and start it"
	// statsd listens for TCP on its UDP port: a connection proves it is up.
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("statsd not running on %s (%v): %s", addr, err, hint)
	}
	conn.Close()
	if _, err := os.Stat(flushFile); err != nil {
		t.Skipf("statsd flush file absent (%v): %s", err, hint)
	}
	return addr, flushFile
}

// statsdFlush is what the peers' backend writes per flush.
type statsdFlush struct {
	Counters  map[string]float64            `json:"counters"`
	Timers    map[string][]float64          `json:"timers"`
	Gauges    map[string]float64            `json:"gauges"`
	TimerData map[string]map[string]float64 `json:"timer_data"`
}

// statsdTotals are the values of the keys under one prefix over flushes.
type statsdTotals struct {
	counters    map[string]float64
	timers      map[string][]float64
	timerCounts map[string]float64
	gauges      map[string]float64
}

// readFlushes adds up the flushes written after offset, keeping the keys
// that start with prefix.
func readFlushes(t *testing.T, file string, offset int64, prefix string) statsdTotals {
	t.Helper()
	tot := statsdTotals{map[string]float64{}, map[string][]float64{}, map[string]float64{}, map[string]float64{}}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil { // EOF, or a line still being written
			return tot
		}
		if !bytes.Contains(line, []byte(prefix)) {
			continue
		}
		var fl statsdFlush
		if err := json.Unmarshal(line, &fl); err != nil {
			t.Fatalf("flush line %q: %v", line, err)
		}
		for k, v := range fl.Counters {
			if strings.HasPrefix(k, prefix) {
				tot.counters[k] += v
			}
		}
		for k, v := range fl.Timers {
			if strings.HasPrefix(k, prefix) {
				tot.timers[k] = append(tot.timers[k], v...)
				tot.timerCounts[k] += fl.TimerData[k]["count"]
			}
		}
		for k, v := range fl.Gauges {
			if strings.HasPrefix(k, prefix) {
				tot.gauges[k] = v
			}
		}
	}
}

func TestStatsdIntegration(t *testing.T) {
	addr, file := statsdPeer(t)
	var rb [6]byte
	for i := range rb {
		rb[i] = byte(rand.Uint32())
	}
	run := "metlogtest_" + hex.EncodeToString(rb[:])
	for _, scheme := range []string{"udp", "tcp"} {
		for _, mode := range []struct {
			name string
			mode metrics.Mode
		}{{"direct", metrics.Direct}, {"aggregated", metrics.Aggregated}} {
			t.Run(scheme+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				testStatsdPeer(t, scheme+"://"+addr, file, run+"."+scheme+"_"+mode.name+".", mode.mode)
			})
		}
	}
}

func testStatsdPeer(t *testing.T, addr, file, p string, mode metrics.Mode) {
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	offset := st.Size()
	m, err := metrics.NewStatsd(addr, metrics.WithMode(mode), metrics.WithInterval(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	wantC := map[string]float64{}
	wantT := map[string][]float64{}
	wantTC := map[string]float64{}
	wantG := map[string]float64{}

	for range 200 {
		m.Incr(p+"c", 1)
	}
	wantC[p+"c"] = 200
	for range 50 {
		m.Incr(p+"c3", 3)
		m.Incr(p+"cneg", -2)
	}
	wantC[p+"c3"], wantC[p+"cneg"] = 150, -100
	for range 5 {
		m.Incr(p+"tagged", 2, metrics.Tag("route", "api"))
	}
	wantC[p+"tagged;route=api"] = 10 // statsd's key for a DogStatsD tag

	// Sampled counter: Direct mode sends about half the calls at @0.5 and
	// statsd doubles each; Aggregated mode counts every call.
	before := m.Stats().Lines
	for range 400 {
		m.Incr(p+"sampled", 1, metrics.Rate(0.5))
	}
	if mode == metrics.Direct {
		sent := m.Stats().Lines - before
		if sent == 0 || sent == 400 {
			t.Fatalf("rate 0.5 sent %d of 400", sent)
		}
		wantC[p+"sampled"] = float64(sent) / 0.5
	} else {
		wantC[p+"sampled"] = 400
	}

	for i := 1; i <= 50; i++ {
		d := time.Duration(i) * 250 * time.Microsecond
		m.Timing(p+"t", d)
		wantT[p+"t"] = append(wantT[p+"t"], float64(d)/1e6)
	}
	wantTC[p+"t"] = 50
	for range 10 {
		m.Timing(p+"trated", time.Millisecond, metrics.Rate(0.5)) // the caller sampled
		wantT[p+"trated"] = append(wantT[p+"trated"], 1)
	}
	wantTC[p+"trated"] = 20
	if mode == metrics.Aggregated {
		wantTC[p+"trated"] = 10 // rates do not apply in Aggregated mode
	}
	for range 5 {
		tm := m.StartTimer(p + "started")
		time.Sleep(time.Millisecond)
		d := tm.Stop()
		wantT[p+"started"] = append(wantT[p+"started"], float64(d)/1e6)
	}
	wantTC[p+"started"] = 5

	for i := 1; i <= 30; i++ {
		m.Gauge(p+"g", float64(i)*1.5)
	}
	wantG[p+"g"] = 45
	m.Gauge(p+"gneg", 7)
	m.Gauge(p+"gneg", -5) // must not be read as "7 - 5"
	wantG[p+"gneg"] = -5
	m.Gauge(p+"gfrac", -0.125)
	wantG[p+"gfrac"] = -0.125

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Dropped != 0 || st.Written != st.Lines || st.Errors != 0 {
		t.Fatalf("client stats %+v", st)
	}

	// Wait (up to 10s) until statsd has flushed everything, then one more
	// flush so that extra values would show.
	done := func(tot statsdTotals) bool {
		for k, v := range wantC {
			if tot.counters[k] != v {
				return false
			}
		}
		for k, v := range wantT {
			if len(tot.timers[k]) < len(v) {
				return false
			}
		}
		for k := range wantG {
			if _, ok := tot.gauges[k]; !ok {
				return false
			}
		}
		return true
	}
	var tot statsdTotals
	deadline := time.Now().Add(10 * time.Second)
	for tot = readFlushes(t, file, offset, p); !done(tot) && time.Now().Before(deadline); tot = readFlushes(t, file, offset, p) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1200 * time.Millisecond)
	tot = readFlushes(t, file, offset, p)

	for k, v := range wantC {
		if tot.counters[k] != v {
			t.Errorf("counter %s = %v, want %v", k, tot.counters[k], v)
		}
	}
	for k := range tot.counters {
		if _, ok := wantC[k]; !ok {
			t.Errorf("unexpected counter %s = %v", k, tot.counters[k])
		}
	}
	for k, v := range wantT {
		got, want := sortedCopy(tot.timers[k]), sortedCopy(v)
		if !slices.Equal(got, want) {
			t.Errorf("timer %s = %v, want %v", k, got, want)
		}
		if tot.timerCounts[k] != wantTC[k] {
			t.Errorf("timer %s count %v, want %v", k, tot.timerCounts[k], wantTC[k])
		}
	}
	for k, v := range wantG {
		if g, ok := tot.gauges[k]; !ok || g != v {
			t.Errorf("gauge %s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if t.Failed() {
		t.Logf("statsd totals: %s", fmt.Sprint(tot))
	}
}
