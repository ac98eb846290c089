package sink

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) {
	if os.Getenv(EnvVar) != "" {
		Main()
	}
	os.Exit(m.Run())
}

// startServer runs this test binary as the receiver process.
func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStreams(t *testing.T) {
	s := startServer(t)
	for _, c := range []struct {
		kind   Kind
		scheme string
		f      core.Format
	}{
		{UnixJSON, "unix://", core.FormatJSON},
		{UnixHeka, "unix://", core.FormatHeka},
		{TCPJSON, "tcp://", core.FormatJSON},
		{TCPHeka, "tcp://", core.FormatHeka},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			r, err := s.Open(c.kind)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			cl, err := core.New(c.scheme+r.Addr, core.WithFormat(c.f))
			if err != nil {
				t.Fatal(err)
			}
			const n = 1000
			for i := range n {
				// Payloads with newlines and framing bytes: only real
				// frames may count.
				m := core.Message{Type: "t", Payload: "line\nwith \x1e\x1f bytes", Fields: []core.Field{core.Int64("i", int64(i))}}
				for cl.Send(&m) == core.ErrFull {
					time.Sleep(time.Millisecond)
				}
			}
			if err := cl.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, err := r.Wait(n, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			st := cl.Stats()
			if got.Frames != n || got.Bad != 0 || got.Bytes != int64(st.BytesSent) {
				t.Fatalf("counted %+v; client sent %d messages, %d bytes", got, st.Sent, st.BytesSent)
			}
		})
	}
}

func TestHekaGarbageNotCounted(t *testing.T) {
	s := startServer(t)
	r, err := s.Open(TCPHeka)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := core.NewEncoder(core.FormatHeka, core.EncoderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := enc.AppendMessage(nil, &core.Message{Type: "t", Payload: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var stream []byte
	stream = append(stream, rec...)
	stream = append(stream, "garbage\x1e\x05xx"...)
	stream = append(stream, rec...)
	conn, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(stream); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	got, err := r.Settle(20*time.Millisecond, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Frames != 2 || got.Bad != int64(len("garbage\x1e\x05xx")) {
		t.Fatalf("counts %+v, want 2 frames and %d bad bytes", got, len("garbage\x1e\x05xx"))
	}
}

func TestOTLP(t *testing.T) {
	s := startServer(t)
	r, err := s.Open(OTLPHTTP)
	if err != nil {
		t.Fatal(err)
	}
	req := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{
		{ScopeLogs: []*logspb.ScopeLogs{
			{LogRecords: []*logspb.LogRecord{{}, {}}},
			{LogRecords: []*logspb.LogRecord{{}}},
		}},
		{ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{{}, {}}}}},
	}}
	body, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+r.Addr+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	resp, err = http.Post("http://"+r.Addr+"/v1/logs", "application/x-protobuf", bytes.NewReader([]byte{0xff, 0xff}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("garbage: status %s", resp.Status)
	}
	got, err := r.Count()
	if err != nil {
		t.Fatal(err)
	}
	if got.Frames != 5 || got.Reads != 2 || got.Bad != 1 {
		t.Fatalf("counts %+v, want 5 records in 2 requests, 1 bad", got)
	}
}

func TestStatsdUnits(t *testing.T) {
	for _, c := range []struct {
		line  string
		units float64
		ok    bool
	}{
		{"a:1|c", 1, true},
		{"a:2|c|@0.5", 4, true},
		{"a:1|c|@0.5|#k:v", 2, true},
		{"a:1.5|ms", 1, true},
		{"a:1.5:2:3|ms|@0.5", 6, true},
		{"a:1:2|d", 2, true},
		{"a:-5|g", 1, true},
		{"a:x|c", 0, false},
		{"a|c", 0, false},
		{"a:1", 0, false},
		{"a:1|zz", 0, false},
	} {
		u, ok := statsdUnits([]byte(c.line))
		if u != c.units || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.line, u, ok, c.units, c.ok)
		}
	}
	var cnt Counts
	countStatsd([]byte("a:1|c\ndatadog.dogstatsd.client.metrics:3|c\n\nb:2|c|@0.5\nbad\n"), &cnt)
	if cnt.Frames != 2 || cnt.Units != 5 || cnt.Bad != 1 {
		t.Fatalf("counts %+v", cnt)
	}
}

// TestMetricDatagrams sends metrics as statsd lines and as Metlog messages
// in both formats, in both modes, and checks every increment is counted.
func TestMetricDatagrams(t *testing.T) {
	s := startServer(t)
	const calls = 50 // few datagrams: all fit the socket buffer even if the receiver lags
	run := func(t *testing.T, r *Receiver, m *metrics.Metrics, flush func()) {
		for range calls {
			m.Incr("c", 1)
			m.Timing("t", time.Millisecond)
		}
		if err := m.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		flush()
		got, err := r.Settle(20*time.Millisecond, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got.Units != 2*calls || got.Bad != 0 {
			t.Fatalf("counts %+v, want %d units", got, 2*calls)
		}
	}
	for _, mode := range []metrics.Mode{metrics.Direct, metrics.Aggregated} {
		t.Run("statsd", func(t *testing.T) {
			r, err := s.Open(UDPStatsd)
			if err != nil {
				t.Fatal(err)
			}
			m, err := metrics.NewStatsd("udp://"+r.Addr, metrics.WithMode(mode))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(context.Background())
			run(t, r, m, func() {})
		})
		for _, c := range []struct {
			kind Kind
			f    core.Format
		}{{UDPJSON, core.FormatJSON}, {UDPHeka, core.FormatHeka}} {
			t.Run(string(c.kind), func(t *testing.T) {
				r, err := s.Open(c.kind)
				if err != nil {
					t.Fatal(err)
				}
				cl, err := core.New("udp://"+r.Addr, core.WithFormat(c.f))
				if err != nil {
					t.Fatal(err)
				}
				defer cl.Close(context.Background())
				m := metrics.New(cl, metrics.WithMode(mode))
				defer m.Close(context.Background())
				run(t, r, m, func() {})
			})
		}
	}
}

func TestCommandErrors(t *testing.T) {
	s := startServer(t)
	if _, err := s.Open("nope"); err == nil {
		t.Error("opened an unknown kind")
	}
	r := &Receiver{s: s, id: 99}
	if _, err := r.Count(); err == nil {
		t.Error("counted a receiver that does not exist")
	}
	if c, err := s.CPU(); err != nil || c <= 0 {
		t.Errorf("CPU = %v, %v", c, err)
	}
}
