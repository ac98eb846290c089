package sink

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/metlog-go/metlog/core"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is one open receiver: its address and its counts.
type receiver struct {
	kind Kind
	addr string

	mu     sync.Mutex
	counts Counts

	closers []io.Closer
	wg      sync.WaitGroup
}

func (r *receiver) add(c Counts) {
	r.mu.Lock()
	r.counts.Frames += c.Frames
	r.counts.Units += c.Units
	r.counts.Reads += c.Reads
	r.counts.Bytes += c.Bytes
	r.counts.Bad += c.Bad
	r.mu.Unlock()
}

func (r *receiver) snapshot() Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts
}

func (r *receiver) close() {
	for _, c := range r.closers {
		_ = c.Close()
	}
	r.wg.Wait()
}

// open starts a receiver of kind k; unix sockets go into dir.
func open(k Kind, dir string, seq int) (*receiver, error) {
	r := &receiver{kind: k}
	switch k {
	case UnixJSON, UnixHeka, TCPJSON, TCPHeka:
		network, addr := "tcp", "127.0.0.1:0"
		if k == UnixJSON || k == UnixHeka {
			network, addr = "unix", filepath.Join(dir, strconv.Itoa(seq)+".sock")
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			return nil, err
		}
		r.addr = ln.Addr().String()
		r.closers = append(r.closers, ln)
		heka := k == UnixHeka || k == TCPHeka
		r.wg.Add(1)
		go r.accept(ln, heka)
	case OTLPHTTP:
		srv := httptest.NewServer(http.HandlerFunc(r.serveOTLP))
		r.addr = srv.Listener.Addr().String()
		r.closers = append(r.closers, closerFunc(func() error { srv.Close(); return nil }))
	case UDPStatsd, UDPJSON, UDPHeka:
		pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, err
		}
		// As large as the kernel allows (it caps the request): a burst of
		// datagrams should wait here rather than be lost.
		_ = pc.SetReadBuffer(16 << 20)
		r.addr = pc.LocalAddr().String()
		r.closers = append(r.closers, pc)
		r.wg.Add(1)
		go r.readDatagrams(pc)
	default:
		return nil, fmt.Errorf("sink: unknown kind %q", k)
	}
	return r, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// accept serves every connection of a stream listener until it closes.
func (r *receiver) accept(ln net.Listener, heka bool) {
	defer r.wg.Done()
	var conns sync.WaitGroup
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	defer func() {
		mu.Lock()
		for c := range open {
			_ = c.Close()
		}
		mu.Unlock()
		conns.Wait()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		open[c] = true
		mu.Unlock()
		r.add(Counts{Reads: 1})
		conns.Add(1)
		go func() {
			defer conns.Done()
			if heka {
				r.countHeka(c)
			} else {
				r.countLines(c)
			}
			mu.Lock()
			delete(open, c)
			mu.Unlock()
			_ = c.Close()
		}()
	}
}

// countLines counts newline-terminated frames.
func (r *receiver) countLines(c io.Reader) {
	buf := make([]byte, 256<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			r.add(Counts{Frames: int64(bytes.Count(buf[:n], []byte{'\n'})), Bytes: int64(n)})
		}
		if err != nil {
			return
		}
	}
}

// countHeka counts Heka records by their framing (0x1E, the header length,
// the header whose message_length says how many message bytes follow
// 0x1F), with core's stream splitter.
func (r *receiver) countHeka(c io.Reader) {
	var split core.HekaSplitter
	var pending Counts
	// The scanner reads only once it has handed out every whole record it
	// holds: publishing the counts before each read publishes them all,
	// without a lock per record.
	sc := bufio.NewScanner(readHook{c, func() {
		pending.Bad = int64(split.Skipped)
		r.add(pending)
		pending = Counts{}
		split.Skipped = 0
	}})
	sc.Buffer(make([]byte, 256<<10), split.MaxRecordSize())
	sc.Split(split.Split)
	for sc.Scan() {
		pending.Frames++
		pending.Bytes += int64(len(sc.Bytes()))
	}
	pending.Bad = int64(split.Skipped)
	r.add(pending)
}

// readHook calls before ahead of every Read.
type readHook struct {
	r      io.Reader
	before func()
}

func (h readHook) Read(p []byte) (int, error) {
	h.before()
	return h.r.Read(p)
}

// serveOTLP decodes an export request and counts its log records. It
// answers as an OTLP/HTTP receiver does: an empty ExportLogsServiceResponse
// in protobuf.
func (r *receiver) serveOTLP(w http.ResponseWriter, req *http.Request) {
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			r.add(Counts{Reads: 1, Bad: 1})
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		r.add(Counts{Reads: 1, Bad: 1})
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var msg collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(b, &msg); err != nil {
		r.add(Counts{Reads: 1, Bytes: int64(len(b)), Bad: 1})
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var n int64
	for _, rl := range msg.GetResourceLogs() {
		for _, sl := range rl.GetScopeLogs() {
			n += int64(len(sl.GetLogRecords()))
		}
	}
	r.add(Counts{Frames: n, Reads: 1, Bytes: int64(len(b))})
	out, _ := proto.Marshal(&collogspb.ExportLogsServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// readDatagrams counts the datagrams of a UDP receiver until it closes.
func (r *receiver) readDatagrams(pc net.PacketConn) {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		c := Counts{Reads: 1, Bytes: int64(n)}
		switch r.kind {
		case UDPStatsd:
			countStatsd(buf[:n], &c)
		case UDPJSON:
			m, err := core.DecodeJSON(buf[:n])
			if err != nil {
				c.Bad++
				break
			}
			c.Frames++
			c.Units += metricUnits(m)
		case UDPHeka:
			recs, skipped := core.SplitHekaRecords(buf[:n], 0)
			c.Bad += int64(skipped)
			for _, rec := range recs {
				m, _, err := core.DecodeHekaRecord(rec, nil)
				if err != nil {
					c.Bad++
					continue
				}
				c.Frames++
				c.Units += metricUnits(m)
			}
		}
		r.add(c)
	}
}

// countStatsd counts the lines of a statsd datagram and their values:
// name:value[:value...]|type[|@rate][|#tags].
func countStatsd(p []byte, c *Counts) {
	for len(p) > 0 {
		var line []byte
		line, p, _ = bytes.Cut(p, []byte{'\n'})
		if len(line) == 0 || bytes.HasPrefix(line, []byte("datadog.")) {
			continue
		}
		units, ok := statsdUnits(line)
		if !ok {
			c.Bad++
			continue
		}
		c.Frames++
		c.Units += units
	}
}

func statsdUnits(line []byte) (float64, bool) {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return 0, false
	}
	parts := bytes.Split(line[colon+1:], []byte{'|'})
	if len(parts) < 2 {
		return 0, false
	}
	rate := 1.0
	for _, p := range parts[2:] {
		if len(p) > 1 && p[0] == '@' {
			r, err := strconv.ParseFloat(string(p[1:]), 64)
			if err != nil || r <= 0 {
				return 0, false
			}
			rate = r
		}
	}
	values := bytes.Split(parts[0], []byte{':'})
	switch string(parts[1]) {
	case "c":
		sum := 0.0
		for _, v := range values {
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return 0, false
			}
			sum += f
		}
		return sum / rate, true
	case "ms", "h", "d":
		return float64(len(values)) / rate, true
	case "g":
		return float64(len(values)), true
	}
	return 0, false
}

// metricUnits is what one Metlog metric message counts for: a counter its
// payload over its rate, an aggregated timer its count, a direct timer one
// over its rate, a gauge one.
func metricUnits(m *core.Message) float64 {
	rate, count := 1.0, -1.0
	for _, f := range m.Fields {
		switch f.Name {
		case "rate":
			if v := f.FloatValue(); v > 0 {
				rate = v
			}
		case "count":
			count = float64(f.IntValue())
		}
	}
	switch m.Type {
	case "counter":
		v, err := strconv.ParseFloat(m.Payload, 64)
		if err != nil {
			return 0
		}
		return v / rate
	case "timer":
		if count >= 0 {
			return count
		}
		return 1 / rate
	case "gauge":
		return 1
	}
	return 0
}
