package metrics

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"

	"github.com/metlog-go/metlog/core"
)

// NewStatsd returns a Metrics writing statsd lines to the statsd server at
// addr, "udp://host:port" (or just "host:port") or "tcp://host:port", for
// deployments without a router. Lines are
//
//	name:n|c[|@rate]   name:ms|ms[|@rate]   name:v|g   [|#tag:value,...]
//
// A negative gauge is written as "name:0|g" then "name:-5|g" (in one
// packet), because statsd reads a leading sign as a change. NaN and ±Inf
// gauges are dropped. In names the characters statsd reserves (':', '|',
// '@', newlines) become '_', as do ',' and '#' in tags.
//
// Calls never wait: lines go into a bounded buffer (WithStatsdBuffer) that
// a goroutine writes out, several newline-separated lines per UDP packet
// within WithPacketSize, newline-terminated lines on TCP; lines that find
// the buffer full are dropped and counted. The TCP connection is made
// lazily and re-made after errors with capped back-off; the UDP socket
// needs no server. In Aggregated mode (the default) the flusher writes a
// counter's interval sum, a gauge's last value and a timer's kept samples
// (WithTimerSamples; each at rate kept/count when some were left out, so
// statsd's count stays right up to rounding). Close closes the socket.
func NewStatsd(addr string, opts ...Option) (*Metrics, error) {
	network, hostport, err := parseStatsdAddr(addr)
	if err != nil {
		return nil, err
	}
	m := newMetrics(opts)
	m.statsd = newStatsdOut(network, hostport, &m.cfg, &m.ctr)
	m.enabled = [numKinds]bool{true, true, true}
	m.start()
	return m, nil
}

func parseStatsdAddr(addr string) (network, hostport string, err error) {
	network, hostport = "udp", addr
	if scheme, rest, ok := strings.Cut(addr, "://"); ok {
		network, hostport = scheme, rest
	}
	if network != "udp" && network != "tcp" {
		return "", "", fmt.Errorf("metrics: statsd address %q: scheme must be udp:// or tcp://", addr)
	}
	if _, port, err := net.SplitHostPort(hostport); err != nil || port == "" {
		return "", "", fmt.Errorf("metrics: statsd address %q: want host:port", addr)
	}
	return network, hostport, nil
}

// statsdDirect writes one Direct-mode line. For timers iv is nanoseconds.
func (m *Metrics) statsdDirect(k kind, name string, iv int64, fv, rate float64, opts []CallOption) {
	var lb [256]byte
	line := lb[:0]
	switch k {
	case kCounter:
		line = appendStatsdName(line, name)
		line = strconv.AppendInt(append(line, ':'), iv, 10)
		line = m.appendStatsdSuffix(line, "c", rate, opts, nil)
	case kTimer:
		line = appendStatsdName(line, name)
		line = appendMillis(append(line, ':'), iv)
		line = m.appendStatsdSuffix(line, "ms", rate, opts, nil)
	case kGauge:
		var ok bool
		if line, ok = m.appendStatsdGauge(line, name, fv, opts, nil); !ok {
			m.ctr.dropped.Add(1)
			return
		}
	}
	m.statsd.push(line)
}

// appendStatsdGauge writes a gauge's line(s); false for NaN and ±Inf,
// which statsd cannot read.
func (m *Metrics) appendStatsdGauge(dst []byte, name string, v float64, opts []CallOption, tags []core.Field) ([]byte, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst, false
	}
	if v < 0 {
		dst = appendStatsdName(dst, name)
		dst = m.appendStatsdSuffix(append(dst, ":0"...), "g", 1, opts, tags)
	}
	dst = appendStatsdName(dst, name)
	dst = appendFloat(append(dst, ':'), v)
	return m.appendStatsdSuffix(dst, "g", 1, opts, tags), true
}

// appendStatsdSuffix writes "|typ", the rate when below 1, the tags
// (from opts in Direct mode, from a series in Aggregated mode) and '\n'.
func (m *Metrics) appendStatsdSuffix(dst []byte, typ string, rate float64, opts []CallOption, tags []core.Field) []byte {
	dst = append(append(dst, '|'), typ...)
	if rate < 1 {
		dst = strconv.AppendFloat(append(dst, "|@"...), rate, 'f', -1, 64)
	}
	if m.cfg.statsdTags {
		first := true
		for i := range opts {
			if opts[i].kind == optField {
				dst = appendStatsdTag(dst, &opts[i].field, &first)
			}
		}
		for i := range tags {
			dst = appendStatsdTag(dst, &tags[i], &first)
		}
	}
	return append(dst, '\n')
}

// appendStatsdTag writes a scalar field as "name:value" after "|#" or ",";
// groups and lists are left out.
func appendStatsdTag(dst []byte, f *core.Field, first *bool) []byte {
	if f.Repeated() {
		return dst
	}
	k := f.Kind()
	switch k {
	case core.KindGroup:
		return dst
	}
	if *first {
		dst = append(dst, "|#"...)
		*first = false
	} else {
		dst = append(dst, ',')
	}
	dst = appendStatsdTagText(dst, f.Name)
	dst = append(dst, ':')
	switch k {
	case core.KindString:
		dst = appendStatsdTagText(dst, f.Str())
	case core.KindBytes, core.KindJSON:
		b := f.BytesValue()
		for _, c := range b {
			dst = append(dst, tagByte(c))
		}
	case core.KindInt:
		dst = strconv.AppendInt(dst, f.IntValue(), 10)
	case core.KindFloat:
		dst = appendFloat(dst, f.FloatValue())
	case core.KindBool:
		dst = strconv.AppendBool(dst, f.BoolValue())
	}
	return dst
}

// appendStatsdName writes a metric name with the characters statsd
// reserves replaced by '_' (an empty name is written "_").
func appendStatsdName(dst []byte, name string) []byte {
	if name == "" {
		return append(dst, '_')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch c {
		case ':', '|', '@', '\n', '\r':
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

func appendStatsdTagText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, tagByte(s[i]))
	}
	return dst
}

func tagByte(c byte) byte {
	switch c {
	case ':', '|', '@', ',', '#', '\n', '\r':
		return '_'
	}
	return c
}

// statsdCounter, statsdGauge and statsdTimer write one series' interval
// (the caller holds flushMu).
func (m *Metrics) statsdCounter(s *counterSeries, sum int64) {
	sc := &m.scratch
	line := appendStatsdName(sc.line[:0], s.name)
	line = strconv.AppendInt(append(line, ':'), sum, 10)
	sc.line = m.appendStatsdSuffix(line, "c", 1, nil, s.tags)
	switch m.statsd.tryPush(sc.line) {
	case pushed:
		return
	case pushNever:
		m.ctr.dropped.Add(1)
		return
	}
	if m.closed.Load() { // Close's last flush: nothing comes after
		m.ctr.dropped.Add(1)
		return
	}
	m.ctr.requeued.Add(1)
	m.agg.addCounter(s, sum)
}

func (m *Metrics) statsdGauge(s *gaugeSeries, v float64) {
	sc := &m.scratch
	var ok bool
	if sc.line, ok = m.appendStatsdGauge(sc.line[:0], s.name, v, nil, s.tags); !ok {
		m.ctr.dropped.Add(1)
		return
	}
	m.statsd.push(sc.line)
}

func (m *Metrics) statsdTimer(s *timerSeries, t *timerSnap) {
	sc := &m.scratch
	samples := t.samples
	if len(samples) == 0 { // no reservoir: the mean stands for them all
		sc.timer.samples = append(sc.timer.samples[:0], t.sum/t.count)
		samples = sc.timer.samples
	}
	rate := 1.0
	if int64(len(samples)) < t.count {
		rate = float64(len(samples)) / float64(t.count)
	}
	for _, ns := range samples {
		line := appendStatsdName(sc.line[:0], s.name)
		line = appendMillis(append(line, ':'), ns)
		sc.line = m.appendStatsdSuffix(line, "ms", rate, nil, s.tags)
		m.statsd.push(sc.line)
	}
}
