package router

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// benchRoutes are ten routes of the kinds a deployment has; every message
// of benchMessages matches the first, some match others, and all deliver
// to the one endpoint "out" (once per message).
var benchRoutes = []string{
	`TRUE`,
	`Severity <= 3`,
	`Type == "db.query" && Severity <= 4`,
	`Logger =~ /^app\./`,
	`Type == "timer" && Fields[name] =~ /^db\./`,
	`Fields[http.status] >= 500`,
	`Hostname == "web-1" && Pid != 0`,
	`Payload =~ /timeout/`,
	`Fields[user] == "alice" || Fields[user] == "bob"`,
	`Type == "counter" && Fields[rate] < 1`,
}

// benchMessages are small messages, as the adapters send them.
var benchMessages = []*core.Message{
	{Type: "oldstyle", Logger: "app.web", Severity: core.Info, Payload: "request served",
		Fields: []core.Field{core.String("user", "alice"), core.Int("http.status", 200)}},
	{Type: "db.query", Logger: "app.db", Severity: core.Warning, Payload: "slow query",
		Fields: []core.Field{core.Int("ms", 1200)}},
	{Type: "timer", Logger: "metrics", Severity: core.Info, Payload: "12",
		Fields: []core.Field{core.String("name", "db.select"), core.Float("rate", 1)}},
	{Type: "oldstyle", Logger: "app.pay", Severity: core.Error, Payload: "upstream timeout",
		Fields: []core.Field{core.String("error", "timeout"), core.Int("http.status", 504)}},
}

func benchConfig(tb testing.TB, out Endpoint) Config {
	var routes []Route
	for i, m := range benchRoutes {
		routes = append(routes, Route{Name: fmt.Sprint("r", i), Matcher: m, Endpoints: []string{"out"}})
	}
	out.Name = "out"
	if out.BufferSize == 0 {
		out.BufferSize = 64 << 20
	}
	return Config{Inputs: []Input{tcpInput}, Routes: routes, Endpoints: []Endpoint{out}}
}

// benchStream returns n records of benchMessages in format f, back to back.
func benchStream(tb testing.TB, f core.Format, n int) []byte {
	enc, err := core.NewEncoder(f, core.EncoderConfig{Hostname: "web-1", Pid: 42})
	if err != nil {
		tb.Fatal(err)
	}
	var out []byte
	for i := range n {
		if out, err = enc.AppendMessage(out, benchMessages[i%len(benchMessages)]); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// BenchmarkDecodeMatch is the path of one Heka record up to the endpoint
// queues: decode, verify UTF-8, match ten routes. It allocates nothing.
func BenchmarkDecodeMatch(b *testing.B) {
	r := startRouter(b, benchConfig(b, Endpoint{Sender: core.NewCapture()}))
	p := newReader(r)
	recs, _ := core.SplitHekaRecords(benchStream(b, core.FormatHeka, len(benchMessages)), 0)
	b.ReportAllocs()
	i := 0
	cpu0 := metlogtest.ProcessCPU()
	for b.Loop() {
		m, _, err := p.dec.DecodeHeka(recs[i%len(recs)], nil)
		if err != nil || !validUTF8(m) || !p.match(m) {
			b.Fatal("not routed", err)
		}
		i++
	}
	reportRate(b, cpu0)
}

// TestDecodeMatchAllocs: a record's whole path through the reader
// (decode, verify, check UTF-8, match, send to the endpoint's queue)
// allocates nothing, for unsigned and signed records. The endpoint's
// sender discards, so that its own memory is not counted.
func TestDecodeMatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race")
	}
	cfg := benchConfig(t, Endpoint{Sender: core.NewWriterSender(io.Discard)})
	cfg.Keys = map[string]string{"ops_1": "key"}
	r := startRouter(t, cfg)
	p := newReader(r)
	stream := benchStream(t, core.FormatHeka, len(benchMessages))
	enc, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{HMAC: &core.HMACConfig{Signer: "ops", KeyVersion: 1, Key: "key"}})
	stream, _ = enc.AppendMessage(stream, benchMessages[0])
	recs, _ := core.SplitHekaRecords(stream, 0)
	for _, rec := range recs {
		rec := rec
		if n := testing.AllocsPerRun(100, func() {
			decoded := p.t.decoded
			if !p.handleHeka(rec) || p.t.decoded != decoded+1 {
				t.Fatalf("not decoded: %+v", p.t)
			}
		}); n != 0 {
			t.Errorf("%v allocations per record, want 0", n)
		}
	}
}

// BenchmarkPipeline is the router's whole path for a stream already read:
// framing, decoding, matching ten routes and delivery to a file endpoint
// (the endpoint's goroutine writes on the other core). Each op is one
// message; the timer stops after the file has everything.
func BenchmarkPipeline(b *testing.B) {
	for _, in := range []core.Format{core.FormatHeka, core.FormatJSON} {
		for _, out := range []string{"heka", "json"} {
			b.Run(fmt.Sprintf("%s-to-%s-file", in, out), func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "out")
				r := startRouter(b, benchConfig(b, Endpoint{Type: "file", Path: path, Format: out}))
				const chunk = 4096
				stream := benchStream(b, in, chunk)
				p := newReader(r)
				b.ReportAllocs()
				cpu0 := metlogtest.ProcessCPU()
				b.ResetTimer()
				inChunks(b, in, stream, chunk, func(data []byte) {
					p.format = 0
					p.process(data, true)
					p.flush()
				})
				if err := r.endpoints[0].client.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				reportRate(b, cpu0)
				if st := r.Stats(); st.Endpoints[0].Delivered != uint64(b.N) {
					b.Fatalf("delivered %d of %d: %+v", st.Endpoints[0].Delivered, b.N, st.Endpoints[0])
				}
			})
		}
	}
}

// inChunks calls fn with b.N messages of stream (chunk messages of format
// f), a whole stream at a time and then what is left.
func inChunks(b *testing.B, f core.Format, stream []byte, chunk int, fn func([]byte)) {
	for done := 0; done < b.N; done += chunk {
		data := stream
		if left := b.N - done; left < chunk {
			data = stream[:recordsEnd(b, f, stream, left)]
		}
		fn(data)
	}
}

// recordsEnd returns the length of the first n records of stream.
func recordsEnd(tb testing.TB, f core.Format, stream []byte, n int) int {
	if f == core.FormatHeka {
		recs, _ := core.SplitHekaRecords(stream, 0)
		end := 0
		for _, r := range recs[:n] {
			end += len(r)
		}
		return end
	}
	end := 0
	for range n {
		for stream[end] != '\n' {
			end++
		}
		end++
	}
	return end
}

// reportRate reports messages per second of wall time and the process's
// CPU time per message (every goroutine: the reader, the endpoint's, the
// garbage collector), which a busy machine disturbs less; cpu0 is
// metlogtest.ProcessCPU at the start.
func reportRate(b *testing.B, cpu0 int64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if cpu0 >= 0 {
		b.ReportMetric(float64(metlogtest.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkTCP sends Heka records over one loopback connection into the
// router, routed by ten routes to a Heka file: the router as a process
// sees it, with the sender's cost on the same two cores.
func BenchmarkTCP(b *testing.B) {
	path := filepath.Join(b.TempDir(), "out")
	r := startRouter(b, benchConfig(b, Endpoint{Type: "file", Path: path, Format: "heka"}))
	const chunk = 4096
	stream := benchStream(b, core.FormatHeka, chunk)
	conn, err := net.Dial("tcp", addr(r, 0))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	b.ReportAllocs()
	cpu0 := metlogtest.ProcessCPU()
	b.ResetTimer()
	inChunks(b, core.FormatHeka, stream, chunk, func(data []byte) {
		if _, err := conn.Write(data); err != nil {
			b.Fatal(err)
		}
	})
	waitFor(b, "delivery", 5*time.Minute, func() bool { return r.Stats().Endpoints[0].Delivered >= uint64(b.N) })
	b.StopTimer()
	reportRate(b, cpu0)
}
