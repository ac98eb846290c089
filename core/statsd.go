package core

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// Metric message types: Metlog's counter and timer, and metlog-go's gauge.
const (
	TypeCounter = "counter"
	TypeTimer   = "timer"
	TypeGauge   = "gauge"
)

// ErrNotEncodable is returned (wrapped) for a message its client's format
// cannot carry: a FormatStatsd client given a message that is not a
// counter, timer or gauge with a numeric payload, or a non-finite gauge.
var ErrNotEncodable = errors.New("metlog: message cannot be encoded in this format")

// Fields of metric messages that are not tags in statsd lines.
const (
	fieldMetricName = "name"
	fieldMetricRate = "rate"
)

// isTimerSummaryField reports whether name is one of the fields an
// aggregated timer message adds (count, sum, min, max, samples).
func isTimerSummaryField(name string) bool {
	switch name {
	case "count", "sum", "min", "max", "samples":
		return true
	}
	return false
}

// encodeStatsd writes a metric message as statsd lines, each ending in
// "\n" (a datagram sender packs whole frames and drops the last newline):
//
//	counter: name:<payload>|c[|@rate]
//	timer:   name:<payload>|ms[|@rate]
//	gauge:   name:<payload>|g   (a negative value after "name:0|g",
//	         because statsd reads a leading sign as a change)
//
// then, with tags on, the message's other scalar fields as DogStatsD tags
// "|#k:v,...". An aggregated timer (one with a "count" field) becomes one
// line per value of its "samples" field at rate samples/count, or its
// payload (the mean) at rate 1/count when it carries no samples, so that
// statsd's count and distribution stay right. In names and tags the
// characters statsd reserves become '_'.
func (e *Encoder) encodeStatsd(dst []byte, m *Message) ([]byte, error) {
	start := len(dst)
	var typ string
	switch m.Type {
	case TypeCounter:
		typ = "c"
	case TypeTimer:
		typ = "ms"
	case TypeGauge:
		typ = "g"
	default:
		return dst, fmt.Errorf("%w: statsd: type %q is not counter, timer or gauge", ErrNotEncodable, strings.Clone(m.Type))
	}
	name, rate, count := "", 1.0, int64(0)
	var one [1]float64
	var samples []float64
	for i := range m.Fields {
		f := &m.Fields[i]
		switch {
		case f.multi:
			if m.Type == TypeTimer && f.Name == "samples" && f.kind == KindFloat {
				samples = f.FloatsValue()
			}
		case f.Name == fieldMetricName && f.kind == KindString:
			name = f.Str()
		case f.Name == fieldMetricRate && f.kind == KindFloat:
			rate = f.FloatValue()
		case f.Name == fieldMetricRate && f.kind == KindInt:
			rate = float64(f.IntValue())
		case m.Type == TypeTimer && f.Name == "count" && f.kind == KindInt:
			count = f.IntValue()
		case m.Type == TypeTimer && f.Name == "samples" && f.kind == KindFloat:
			one[0] = f.FloatValue()
			samples = one[:]
		}
	}
	v, err := strconv.ParseFloat(m.Payload, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || !(rate > 0) {
		// Copies: m's strings must not escape through the error.
		return dst, fmt.Errorf("%w: statsd: %s %q has payload %q and rate %v", ErrNotEncodable,
			strings.Clone(m.Type), strings.Clone(name), strings.Clone(m.Payload), rate)
	}
	switch {
	case count > 0 && len(samples) > 0:
		r := min(1, float64(len(samples))/float64(count))
		for _, s := range samples {
			dst = strconv.AppendFloat(appendStatsdName(dst, name), s, 'f', -1, 64)
			dst = e.appendStatsdTail(dst, m, typ, r)
		}
	case count > 0:
		dst = append(appendStatsdName(dst, name), m.Payload...)
		dst = e.appendStatsdTail(dst, m, typ, 1/float64(count))
	case typ == "g" && v < 0:
		dst = append(appendStatsdName(dst, name), '0')
		dst = e.appendStatsdTail(dst, m, typ, 1)
		fallthrough
	default:
		dst = append(appendStatsdName(dst, name), m.Payload...)
		dst = e.appendStatsdTail(dst, m, typ, rate)
	}
	if len(dst)-start > e.maxSize {
		return dst[:start], fmt.Errorf("%w: %d bytes encoded, limit %d", ErrOversize, len(dst)-start, e.maxSize)
	}
	return dst, nil
}

// appendStatsdName writes a metric name and ':' with the characters statsd
// reserves replaced by '_' (an empty name is written "_").
func appendStatsdName(dst []byte, name string) []byte {
	if name == "" {
		return append(dst, '_', ':')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch c {
		case ':', '|', '@', '\n', '\r':
			c = '_'
		}
		dst = append(dst, c)
	}
	return append(dst, ':')
}

// appendStatsdTail writes "|typ", the rate when below 1, the tags and
// "\n".
func (e *Encoder) appendStatsdTail(dst []byte, m *Message, typ string, rate float64) []byte {
	dst = append(append(dst, '|'), typ...)
	if rate < 1 {
		dst = strconv.AppendFloat(append(dst, "|@"...), rate, 'f', -1, 64)
	}
	if e.statsdTags {
		first := true
		for i := range m.Fields {
			f := &m.Fields[i]
			if f.Name == fieldMetricName || f.Name == fieldMetricRate || m.Type == TypeTimer && isTimerSummaryField(f.Name) {
				continue
			}
			dst = appendStatsdTag(dst, f, &first)
		}
	}
	return append(dst, '\n')
}

// appendStatsdTag writes a scalar field as "name:value" after "|#" or ",";
// groups and lists are left out.
func appendStatsdTag(dst []byte, f *Field, first *bool) []byte {
	k := f.Kind()
	if f.multi || k == KindGroup {
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
	switch f.kind {
	case KindString:
		dst = appendStatsdTagText(dst, f.str())
	case KindBytes, KindJSON:
		dst = appendStatsdTagText(dst, f.str())
	case KindInt:
		dst = strconv.AppendInt(dst, int64(f.num), 10)
	case kindUint:
		dst = strconv.AppendUint(dst, f.num, 10)
	case KindFloat:
		dst = strconv.AppendFloat(dst, f.FloatValue(), 'g', -1, 64)
	case KindBool:
		dst = strconv.AppendBool(dst, f.num != 0)
	case kindTime:
		var tb [40]byte
		t := jsontext.AppendRFC3339(tb[:0], int64(f.num), f.n)
		for _, c := range t {
			dst = append(dst, statsdTagByte(c))
		}
	}
	return dst
}

func appendStatsdTagText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, statsdTagByte(s[i]))
	}
	return dst
}

// statsdTagByte returns c, or '_' for the characters statsd reserves in tags.
func statsdTagByte(c byte) byte {
	switch c {
	case ':', '|', '@', ',', '#', '\n', '\r':
		return '_'
	}
	return c
}
