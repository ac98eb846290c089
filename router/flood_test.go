package router

import (
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// TestFlood: 1,000,000 messages (50,000 under -race, which is ten times
// slower) over TCP from 8 goroutines, each on its own connection, into a
// router that writes them to a Heka file. Nothing is lost: the router
// receives, decodes and delivers exactly what was sent, and the file holds
// each sender's messages exactly once, in order. The endpoint's queue is
// sized to hold the whole flood, so that the outcome does not depend on
// how fast the file is written; the wait for delivery is generous, and
// nothing here measures speed (BenchmarkTCP does).
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := 1_000_000
	if raceEnabled {
		n = 50_000
	}
	const senders = 8
	per := n / senders
	path := filepath.Join(t.TempDir(), "flood.heka")
	r := startRouter(t, Config{
		Inputs:    []Input{tcpInput},
		Routes:    []Route{{Matcher: `Type == "flood"`, Endpoints: []string{"file"}}},
		Endpoints: []Endpoint{{Name: "file", Type: "file", Path: path, Format: "heka", BufferSize: n * 128}},
	})
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", addr(r, 0))
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			enc, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{Hostname: "flood", Pid: 1})
			var buf []byte
			fields := []core.Field{core.Int64("sender", int64(s)), core.Int("seq", 0)}
			m := &core.Message{Type: "flood", Payload: "x", Fields: fields}
			for i := range per {
				fields[1] = core.Int64("seq", int64(i))
				buf, _ = enc.AppendMessage(buf, m)
				if len(buf) > 32<<10 || i == per-1 {
					if _, err := conn.Write(buf); err != nil {
						errs <- err
						return
					}
					buf = buf[:0]
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := uint64(per * senders)
	waitFor(t, "delivery of the flood", 5*time.Minute, func() bool {
		st := r.Stats()
		return st.Endpoints[0].Delivered+st.Endpoints[0].Dropped >= total
	})
	closeRouter(t, r)
	st := r.Stats()
	if st.Received != total || st.Decoded != total || st.Matched != total || st.Rejected != (Rejections{}) ||
		st.Endpoints[0].Delivered != total || st.Endpoints[0].Dropped != 0 {
		t.Fatalf("sent %d; router %+v", total, st)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, skipped := core.SplitHekaRecords(data, 0)
	if skipped != 0 || uint64(len(recs)) != total {
		t.Fatalf("file holds %d records and %d other bytes, want %d records", len(recs), skipped, total)
	}
	next := make([]int64, senders)
	var d core.Decoder
	for _, rec := range recs {
		m, _, err := d.DecodeHeka(rec, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, seq := m.Fields[0].IntValue(), m.Fields[1].IntValue()
		if seq != next[s] {
			t.Fatalf("sender %d: message %d after %d", s, seq, next[s]-1)
		}
		next[s]++
	}
}
