package otelcoltest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/peers"
)

// seqMessage is message seq of a run: the token finds the run's records,
// seq tells them apart.
func seqMessage(token string, seq int) *core.Message {
	return &core.Message{Type: "volume", Payload: "record " + strconv.Itoa(seq),
		Fields: []core.Field{core.String("run", token), core.Int64("seq", int64(seq))}}
}

// checkSeqs checks that the records hold distinct seqs below n, and
// returns how many there are.
func checkSeqs(t *testing.T, got []found, n int) int {
	t.Helper()
	seen := make([]bool, n)
	for _, f := range got {
		var seq int64 = -1
		for _, kv := range f.rec.Attributes {
			if kv.Key == "seq" && kv.Value.IntValue != nil {
				seq, _ = strconv.ParseInt(kv.Value.String()[len("int:"):], 10, 64)
			}
		}
		switch {
		case seq < 0 || seq >= int64(n):
			t.Fatalf("record without a valid seq: %+v", f.rec)
		case seen[seq]:
			t.Fatalf("record %d arrived twice", seq)
		}
		seen[seq] = true
	}
	return len(got)
}

// TestVolumeOTLP: 100,000 records from 8 goroutines arrive exactly once,
// as many as Stats counts sent. The collector answers before it exports,
// so the test waits on its own count of exported records first.
func TestVolumeOTLP(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 records through the collector: not with -short")
	}
	col := sharedCollector(t)
	off := peers.Size(t, col.out)
	before := sentLogRecords(t, col.metrics)
	token := newToken()
	const goroutines, each = 8, 12500
	// A ring that holds them all: no drop can blur the counts.
	c := otlpClient(t, col.otlp, core.WithLogger("it-volume"), core.WithBufferSize(64<<20))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := c.Send(seqMessage(token, g*each+i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	closeDelivered(t, c, goroutines*each)

	deadline := time.Now().Add(2 * time.Minute)
	for sentLogRecords(t, col.metrics) < before+goroutines*each {
		if time.Now().After(deadline) {
			t.Fatalf("the collector exported %v records of %d within 2 minutes", sentLogRecords(t, col.metrics)-before, goroutines*each)
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := waitRecords(t, col.out, off, goroutines*each, withAttr("run", token))
	if n := checkSeqs(t, got, goroutines*each); n != goroutines*each {
		t.Fatalf("%d records in the file, %d sent", n, goroutines*each)
	}
}

// ownCollector is a collector process this test starts from the binary
// scripts/receivers.sh builds, with its own configuration and ports, to
// stop and restart at will.
type ownCollector struct {
	bin, config, log, otlp, out string
	cmd                         *exec.Cmd
	done                        chan error
}

const ownConfig = `receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
processors:
  batch:
    timeout: 200ms
exporters:
  file:
    path: %s
    append: true
    flush_interval: 100ms
service:
  telemetry:
    logs:
      level: warn
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
`

func newOwnCollector(t *testing.T) *ownCollector {
	t.Helper()
	bin := filepath.Join(peers.Dir(), "bin", "otelcol")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no collector binary at %s (%v): build it with scripts/receivers.sh install", bin, err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &ownCollector{bin: bin, config: filepath.Join(dir, "otelcol.yaml"), log: filepath.Join(dir, "otelcol.log"),
		otlp: ln.Addr().String(), out: filepath.Join(dir, "logs.jsonl")}
	ln.Close()
	if err := os.WriteFile(o.config, fmt.Appendf(nil, ownConfig, o.otlp, o.out), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if o.cmd != nil {
			o.cmd.Process.Kill()
			<-o.done
		}
	})
	o.start(t)
	return o
}

// start runs the collector and waits until its OTLP receiver listens.
func (o *ownCollector) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(o.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	o.cmd = exec.Command(o.bin, "--config", o.config)
	o.cmd.Stdout, o.cmd.Stderr = logf, logf
	if err := o.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(o.cmd, o.done)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if conn, err := net.DialTimeout("tcp", o.otlp, time.Second); err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-o.done:
			o.cmd = nil
			out, _ := os.ReadFile(o.log)
			t.Fatalf("the collector exited at start: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the collector did not listen on %s within a minute", o.otlp)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the collector with SIGTERM, as an operator does: it finishes
// the requests it took and exports what it holds.
func (o *ownCollector) stop(t *testing.T) {
	t.Helper()
	if err := o.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-o.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the collector did not stop within a minute of SIGTERM")
	}
	o.cmd = nil
}

// TestCollectorRestart: the collector stops and comes back while messages
// flow; every message is then either in its output once, or counted as
// failed, and none arrives twice.
func TestCollectorRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a collector: not with -short")
	}
	col := newOwnCollector(t)
	token := newToken()
	const n = 30000
	c := otlpClient(t, col.otlp, core.WithLogger("it-restart"), core.WithBufferSize(64<<20),
		core.WithBackoff(20*time.Millisecond, 500*time.Millisecond))
	third := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			if err := c.Send(seqMessage(token, i)); err != nil {
				t.Error(err)
				return
			}
			if i%100 == 99 {
				time.Sleep(10 * time.Millisecond) // a steady flow, through the outage
			}
			if i == n/3 {
				close(third)
			}
		}
	}()
	<-third
	col.stop(t)
	time.Sleep(time.Second)
	col.start(t)
	<-done

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Logf("Close: %v", err)
	}
	st := c.Stats()
	if st.Enqueued != n || st.Pending != 0 || st.Sent+st.Drops.Failed != n {
		t.Fatalf("stats do not add up to %d: %+v", n, st)
	}
	if st.Errors == 0 {
		t.Error("no delivery error: the outage was not seen")
	}
	col.stop(t) // exports what it holds
	got := readRecords(t, col.out, 0, withAttr("run", token))
	if arrived := checkSeqs(t, got, n); uint64(arrived) != st.Sent {
		t.Fatalf("%d records arrived, %d counted sent (%d failed)", arrived, st.Sent, st.Drops.Failed)
	}
	t.Logf("sent %d, failed %d, errors %d, requests %d", st.Sent, st.Drops.Failed, st.Errors, st.Writes)
}
