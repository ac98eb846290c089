package metrics_test

import (
	"bufio"
	"context"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/metrics"
)

// udpCollector keeps every packet sent to it.
type udpCollector struct {
	pc      net.PacketConn
	mu      sync.Mutex
	packets []string
	done    chan struct{}
}

func newUDPCollector(t *testing.T) *udpCollector {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &udpCollector{pc: pc, done: make(chan struct{})}
	go func() {
		defer close(u.done)
		buf := make([]byte, 70000)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			u.mu.Lock()
			u.packets = append(u.packets, string(buf[:n]))
			u.mu.Unlock()
		}
	}()
	t.Cleanup(func() { pc.Close(); <-u.done })
	return u
}

func (u *udpCollector) addr() string { return "udp://" + u.pc.LocalAddr().String() }

// waitLines waits until n lines have arrived and returns the packets.
func (u *udpCollector) waitLines(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		u.mu.Lock()
		p := slices.Clone(u.packets)
		u.mu.Unlock()
		if len(linesOf(p)) >= n || time.Now().After(deadline) {
			return p
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func linesOf(packets []string) []string {
	var out []string
	for _, p := range packets {
		out = append(out, strings.Split(p, "\n")...)
	}
	return out
}

func TestStatsdLinesUDP(t *testing.T) {
	u := newUDPCollector(t)
	m, err := metrics.NewStatsd(u.addr(), metrics.WithMode(metrics.Direct))
	if err != nil {
		t.Fatal(err)
	}
	m.Incr("a.b", 3)
	m.Incr("a.b", -2, metrics.Rate(1))
	m.Timing("t", 1500*time.Microsecond, metrics.Rate(0.25))
	m.Timing("t0", 0)
	m.Gauge("g", -5)
	m.Gauge("g2", 2.5)
	m.Gauge("big", 1e21)
	m.Gauge("nan", math.NaN()) // dropped
	m.Gauge("inf", math.Inf(1))
	m.Incr("we:ird|na@me\nx\r", 1)
	m.Incr("", 1)
	m.Incr("tg", 1, metrics.Tag("route", "/a,b|c"), metrics.Field(core.Int("code", 200)),
		metrics.Field(core.Bool("ok", true)), metrics.Field(core.Ints("skipped", []int64{1})),
		metrics.Field(core.Float("f", 0.5)), metrics.Tag("k:x", "v#y"))
	m.Incr("notags", 1, metrics.Field(core.Group("g", core.Int("skipped", 1))))
	m.Incr("zero", 1, metrics.Rate(0))
	if err := m.Flush(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.b:3|c",
		"a.b:-2|c",
		"t:1.5|ms|@0.25",
		"t0:0|ms",
		"g:0|g", "g:-5|g",
		"g2:2.5|g",
		"big:1e+21|g",
		"we_ird_na_me_x_:1|c",
		"_:1|c",
		"tg:1|c|#route:/a_b_c,code:200,ok:true,f:0.5,k_x:v_y",
		"notags:1|c",
	}
	got := linesOf(u.waitLines(t, len(want)))
	if !slices.Equal(got, want) {
		t.Errorf("lines\n got %q\nwant %q", got, want)
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	st := m.Stats()
	if st.Dropped != 2 || st.Lines != 11 || st.Written != 11 || st.Packets == 0 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestStatsdPacketSize(t *testing.T) {
	u := newUDPCollector(t)
	const size = 100
	m, err := metrics.NewStatsd(u.addr(), metrics.WithMode(metrics.Direct), metrics.WithPacketSize(size))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 300)
	n := 0
	for i := range 200 {
		m.Incr("counter.name", int64(i))
		n++
		if i%7 == 0 {
			m.Gauge("neg.gauge", -float64(i)-1)
			n += 2
		}
		if i%50 == 0 {
			m.Incr(long, 1)
			n++
		}
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	packets := u.waitLines(t, n)
	lines := linesOf(packets)
	if len(lines) != n {
		t.Fatalf("got %d lines, want %d", len(lines), n)
	}
	for _, p := range packets {
		if strings.HasSuffix(p, "\n") || p == "" {
			t.Errorf("packet %q ends in a newline or is empty", p)
		}
		if len(p) > size && strings.Contains(p, "\n") {
			t.Errorf("packet of %d bytes holds several lines", len(p))
		}
		ls := strings.Split(p, "\n")
		for i, l := range ls {
			if l == "neg.gauge:0|g" && (i+1 == len(ls) || !strings.HasPrefix(ls[i+1], "neg.gauge:-")) {
				t.Errorf("negative gauge reset not followed by its value in the same packet: %q", p)
			}
		}
	}
	if len(packets) >= n/2 {
		t.Errorf("%d packets for %d lines: lines are not packed", len(packets), n)
	}
}

// tcpCollector accepts connections and keeps their lines.
type tcpCollector struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	lines [][]string      // per connection
	eof   []chan struct{} // per connection, closed when the peer closed it
	wg    sync.WaitGroup
}

func newTCPCollector(t *testing.T) *tcpCollector {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &tcpCollector{ln: ln}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			i := len(c.conns)
			c.conns = append(c.conns, conn)
			c.lines = append(c.lines, nil)
			eof := make(chan struct{})
			c.eof = append(c.eof, eof)
			c.mu.Unlock()
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				defer close(eof)
				sc := bufio.NewScanner(conn)
				for sc.Scan() {
					c.mu.Lock()
					c.lines[i] = append(c.lines[i], sc.Text())
					c.mu.Unlock()
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		c.mu.Lock()
		for _, conn := range c.conns {
			conn.Close()
		}
		c.mu.Unlock()
		c.wg.Wait()
	})
	return c
}

func (c *tcpCollector) addr() string { return "tcp://" + c.ln.Addr().String() }

func (c *tcpCollector) snapshot() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][]string, len(c.lines))
	for i := range c.lines {
		out[i] = slices.Clone(c.lines[i])
	}
	return out
}

// waitEOF waits until at least n connections have been accepted and every
// one has been read to its end (the client closed it), and returns the
// lines.
func (c *tcpCollector) waitEOF(t *testing.T, n int) [][]string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var eofs []chan struct{}
	for {
		c.mu.Lock()
		eofs = slices.Clone(c.eof)
		c.mu.Unlock()
		if len(eofs) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections accepted, want %d", len(eofs), n)
		}
		time.Sleep(time.Millisecond)
	}
	for _, eof := range eofs {
		select {
		case <-eof:
		case <-time.After(time.Until(deadline)):
			t.Fatal("a connection was not closed by the client")
		}
	}
	return c.snapshot()
}

func (c *tcpCollector) waitLines(t *testing.T, conn, n int) [][]string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := c.snapshot()
		if (len(s) > conn && len(s[conn]) >= n) || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStatsdTCP(t *testing.T) {
	srv := newTCPCollector(t)
	m, err := metrics.NewStatsd(srv.addr(), metrics.WithMode(metrics.Direct))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 100 {
		m.Incr("c", int64(i))
		want = append(want, "c:"+strconv.Itoa(i)+"|c")
	}
	m.Gauge("g", -1)
	want = append(want, "g:0|g", "g:-1|g")
	if err := m.Flush(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	got := srv.waitLines(t, 0, len(want))
	if len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("lines on the first connection: %q", got)
	}

	// The server drops the connection: the client notices on a later
	// write, counts an error and connects again.
	srv.mu.Lock()
	srv.conns[0].Close()
	srv.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m.Incr("again", 1)
		if err := m.Flush(ctx5s(t)); err != nil {
			t.Fatal(err)
		}
		if s := srv.snapshot(); len(s) > 1 && len(s[1]) > 0 {
			if s[1][0] != "again:1|c" {
				t.Errorf("second connection got %q", s[1][0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no reconnection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Errors == 0 || st.Written+st.Dropped != st.Lines {
		t.Errorf("stats %+v", st)
	}
}

func TestStatsdAggregated(t *testing.T) {
	u := newUDPCollector(t)
	m, err := metrics.NewStatsd(u.addr(), metrics.WithInterval(time.Hour), metrics.WithTimerSamples(2))
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		m.Incr("c", 1, metrics.Rate(0.1)) // every call counted, sent at rate 1
	}
	m.Incr("tc", 5, metrics.Tag("k", "v"))
	m.Gauge("g", 1)
	m.Gauge("g", -3)
	m.Timing("t", time.Millisecond)
	m.Timing("t", 2*time.Millisecond)
	for i := 1; i <= 4; i++ {
		m.Timing("t4", time.Duration(i)*time.Millisecond)
	}
	m.Gauge("nan", math.NaN())
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	got := linesOf(u.waitLines(t, 8))
	slices.Sort(got)
	var t4 []string
	rest := got[:0:0]
	for _, l := range got {
		if strings.HasPrefix(l, "t4:") {
			t4 = append(t4, l)
		} else {
			rest = append(rest, l)
		}
	}
	want := []string{"c:100|c", "g:-3|g", "g:0|g", "t:1|ms", "t:2|ms", "tc:5|c|#k:v"}
	if !slices.Equal(rest, want) {
		t.Errorf("lines\n got %q\nwant %q", rest, want)
	}
	if len(t4) != 2 || !strings.HasSuffix(t4[0], "|ms|@0.5") || !strings.HasSuffix(t4[1], "|ms|@0.5") || t4[0] == t4[1] {
		t.Errorf("reservoir of 2 out of 4 timings: %q", t4)
	}
	if st := m.Stats(); st.Dropped != 1 {
		t.Errorf("NaN gauge not counted as dropped: %+v", st)
	}
}

func TestStatsdAddress(t *testing.T) {
	for _, bad := range []string{"", "http://127.0.0.1:8125", "udp://", "tcp://nohost", "unix:///tmp/x", "udp://host:", "::1",
		"tcp:/x", "udp://nohost:99999", "tcp://127.0.0.1:8125/path", "udp://127.0.0.1:8125,"} {
		if m, err := metrics.NewStatsd(bad); err == nil {
			m.Close(context.Background())
			t.Errorf("NewStatsd(%q) succeeded", bad)
		}
	}
	u := newUDPCollector(t)
	m, err := metrics.NewStatsd(strings.TrimPrefix(u.addr(), "udp://"), metrics.WithMode(metrics.Direct))
	if err != nil {
		t.Fatal(err)
	}
	m.Incr("bare", 1)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	if got := linesOf(u.waitLines(t, 1)); len(got) != 1 || got[0] != "bare:1|c" {
		t.Errorf("host:port address: %q", got)
	}
}

func TestStatsdUnreachable(t *testing.T) {
	// Nothing listens: TCP dials are refused, UDP writes may report
	// ECONNREFUSED. Calls never block, Close returns promptly.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, scheme := range []string{"tcp://", "udp://"} {
		m, err := metrics.NewStatsd(scheme+addr, metrics.WithMode(metrics.Direct), metrics.WithStatsdFlushInterval(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			m.Incr("lost", 1)
			m.Timing("lost", time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		m.Incr("lost", 1)
		start := time.Now()
		if err := m.Close(ctx5s(t)); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s Close took %v", scheme, d)
		}
		st := m.Stats()
		if st.Lines+st.Dropped < 2001 || st.Written+st.Dropped < 2001 {
			t.Errorf("%s: values unaccounted for: %+v", scheme, st)
		}
		if scheme == "tcp://" && (st.Errors == 0 || st.Written != 0) {
			t.Errorf("tcp: %+v", st)
		}
	}
}

func TestStatsdCloseDeadline(t *testing.T) {
	// A server that accepts but never reads: once the socket buffers are
	// full, writes stall, and Close gives up at its deadline.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		ln.Close()
		<-accepted
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	m, err := metrics.NewStatsd("tcp://"+ln.Addr().String(), metrics.WithMode(metrics.Direct),
		metrics.WithStatsdBuffer(1<<20), metrics.WithStatsdTimeouts(0, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// Fill the ring until it drops and the writer has stalled: nothing
	// written for 100ms while lines keep coming.
	name := strings.Repeat("n", 1000)
	deadline := time.Now().Add(10 * time.Second)
	written, since := m.Stats().Written, time.Now()
	for time.Now().Before(deadline) {
		for range 1000 {
			m.Incr(name, 1)
		}
		time.Sleep(time.Millisecond)
		st := m.Stats()
		if st.Written != written {
			written, since = st.Written, time.Now()
		} else if st.Dropped > 0 && time.Since(since) > 100*time.Millisecond {
			break
		}
	}
	if m.Stats().Dropped == 0 {
		t.Fatal("buffer never filled against a server that does not read")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := m.Close(ctx); err == nil {
		t.Error("Close met its deadline with a stalled server and returned nil")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v past a 100ms deadline", d)
	}
	if st := m.Stats(); st.Written+st.Dropped < st.Lines {
		t.Errorf("stats %+v", st)
	}
}

// TestStatsdErrorHandler: with statsd unreachable over TCP, every line is
// dropped and counted, and WithErrorHandler's function hears why.
func TestStatsdErrorHandler(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens
	var mu sync.Mutex
	var errs []error
	m, err := metrics.NewStatsd("TCP://"+addr, metrics.WithMode(metrics.Direct), metrics.WithErrorHandler(func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	m.Incr("lost", 1)
	if err := m.Close(ctx5s(t)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if st := m.Stats(); len(errs) == 0 || st.Errors == 0 || st.Dropped != 1 || st.Written != 0 {
		t.Errorf("errors heard %v, stats %+v", errs, st)
	}
}
