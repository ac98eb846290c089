package logrusmetlog

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/core"
	"github.com/sirupsen/logrus"
)

// maxDepth bounds the nesting of maps, structs, slices and pointers, so
// that a cycle of pointers ends.
const maxDepth = 16

const maxDepthText = "<max depth exceeded>"

// anyPair is one entry of a map[string]any being converted.
type anyPair struct {
	key string
	val any
}

// addFields adds an entry's Data, sorted by key; with a caller, a field
// named like the caller's group is renamed.
func (s *scratch) addFields(data logrus.Fields, caller bool) {
	start := len(s.pairs)
	for k, v := range data {
		if caller && k == sourceKey {
			k = "fields." + sourceKey
		}
		s.pairs = append(s.pairs, anyPair{k, v})
	}
	n := len(s.pairs)
	sortPairs(s.pairs[start:n])
	for i := start; i < n; {
		i = s.addPairs(i, n)
	}
	clear(s.pairs[start:])
	s.pairs = s.pairs[:start]
}

// addPairs adds s.pairs[i:n] and returns n. The methods a value's
// conversion calls recover their own panics; this recover is a safety net
// for the rest, so that no panic escapes Fire: the value that panicked
// becomes the panic's text, and addPairs returns the index of the next.
func (s *scratch) addPairs(i, n int) (next int) {
	depth := s.e.Depth()
	defer func() {
		if r := recover(); r != nil {
			for s.e.Depth() > depth {
				s.e.CloseGroup(false)
			}
			s.e.Add(core.String(s.pairs[next].key, panicText(r, "conversion", nil)))
			next++
		}
	}()
	for next = i; next < n; next++ {
		p := &s.pairs[next]
		s.addValue(p.key, p.val, 0)
	}
	return next
}

// sortPairs sorts ps by key: by insertion for the few keys of a log
// entry (no calls through a comparison function), else with slices.
func sortPairs(ps []anyPair) {
	if len(ps) > 16 {
		slices.SortFunc(ps, func(a, b anyPair) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(ps); i++ {
		p := ps[i]
		j := i
		for ; j > 0 && less(p.key, ps[j-1].key); j-- {
			ps[j] = ps[j-1]
		}
		ps[j] = p
	}
}

// less is a < b, deciding on the first byte without a call when it can.
func less(a, b string) bool {
	if len(a) > 0 && len(b) > 0 && a[0] != b[0] {
		return a[0] < b[0]
	}
	return a < b
}

// addValue adds v as the field k. Common types are converted without
// reflection; the rest go to addReflect.
func (s *scratch) addValue(k string, v any, depth int) {
	e := s.e
	switch x := v.(type) {
	case nil:
		e.Add(rawNull(k))
	case string:
		e.Add(core.String(k, x))
	case bool:
		e.Add(core.Bool(k, x))
	case int:
		e.Add(core.Int(k, int64(x)))
	case int64:
		e.Add(core.Int(k, x))
	case int32:
		e.Add(core.Int(k, int64(x)))
	case int16:
		e.Add(core.Int(k, int64(x)))
	case int8:
		e.Add(core.Int(k, int64(x)))
	case uint:
		e.Add(core.Uint(k, uint64(x)))
	case uint64:
		e.Add(core.Uint(k, x))
	case uint32:
		e.Add(core.Uint(k, uint64(x)))
	case uint16:
		e.Add(core.Uint(k, uint64(x)))
	case uint8:
		e.Add(core.Uint(k, uint64(x)))
	case uintptr:
		e.Add(core.Uint(k, uint64(x)))
	case float64:
		e.Add(core.Float(k, x))
	case float32:
		e.Add(core.Float(k, float32to64(x)))
	case time.Time:
		e.Add(s.timeField(k, x))
	case time.Duration:
		e.Add(core.Duration(k, x))
	case []byte:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.Bytes(k, x))
	case []string:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.Strings(k, x))
	case []int:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		m := e.IntsMark()
		for _, n := range x {
			e.PushInt(int64(n))
		}
		e.Add(core.Ints(k, e.IntsSince(m)))
	case []int64:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.Ints(k, x))
	case []float64:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.Floats(k, x))
	case []bool:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.Bools(k, x))
	case [][]byte:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		e.Add(core.ByteSlices(k, x))
	case []time.Time:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		m := e.StringsMark()
		for _, t := range x {
			e.PushString(s.timeText(t))
		}
		e.Add(core.Strings(k, e.StringsSince(m)))
	case []error:
		if x == nil {
			e.Add(rawNull(k))
			return
		}
		m := e.StringsMark()
		for _, err := range x {
			e.PushString(callError(err))
		}
		e.Add(core.Strings(k, e.StringsSince(m)))
	case logrus.Fields:
		s.addAnyMap(k, x, depth)
	case map[string]any:
		s.addAnyMap(k, x, depth)
	case map[string]string:
		s.addStringMap(k, x, depth)
	case error:
		e.Add(core.String(k, callError(x)))
	case json.RawMessage:
		s.addRawJSON(k, x)
	case json.Marshaler:
		if b, failed := callMarshalJSON(x); failed != "" {
			e.Add(core.String(k, failed))
		} else {
			e.Add(core.RawJSON(k, b))
		}
	case fmt.Stringer:
		e.Add(core.String(k, callString(x)))
	case encoding.TextMarshaler:
		e.Add(core.String(k, callMarshalText(x)))
	default:
		s.addReflect(k, reflect.ValueOf(v), depth)
	}
}

// addRawJSON adds already-encoded JSON (nil is null, as encoding/json has it).
func (s *scratch) addRawJSON(k string, b []byte) {
	if b == nil {
		s.e.Add(rawNull(k))
		return
	}
	s.e.Add(core.RawJSON(k, b))
}

// addAnyMap adds m as a group, sorted by key.
func (s *scratch) addAnyMap(k string, m map[string]any, depth int) {
	if m == nil {
		s.e.Add(rawNull(k))
		return
	}
	if depth >= maxDepth {
		s.e.Add(core.String(k, maxDepthText))
		return
	}
	s.e.OpenGroup(k)
	start := len(s.pairs)
	for key, v := range m {
		s.pairs = append(s.pairs, anyPair{key, v})
	}
	n := len(s.pairs)
	sortPairs(s.pairs[start:n])
	for i := start; i < n; i++ {
		p := s.pairs[i]
		s.addValue(p.key, p.val, depth+1)
	}
	clear(s.pairs[start:])
	s.pairs = s.pairs[:start]
	s.e.CloseGroup(false)
}

// addStringMap adds m as a group of strings, sorted by key.
func (s *scratch) addStringMap(k string, m map[string]string, depth int) {
	if m == nil {
		s.e.Add(rawNull(k))
		return
	}
	if depth >= maxDepth {
		s.e.Add(core.String(k, maxDepthText))
		return
	}
	s.e.OpenGroup(k)
	start := len(s.keys)
	for key := range m {
		s.keys = append(s.keys, key)
	}
	n := len(s.keys)
	slices.Sort(s.keys[start:n])
	for i := start; i < n; i++ {
		s.e.Add(core.String(s.keys[i], m[s.keys[i]]))
	}
	clear(s.keys[start:])
	s.keys = s.keys[:start]
	s.e.CloseGroup(false)
}

// timeText formats t as core.Time does (RFC 3339, nanoseconds, UTC) in
// the entry's scratch.
func (s *scratch) timeText(t time.Time) string {
	m := s.e.TextMark()
	s.e.AppendText(func(dst []byte) []byte { return appendRFC3339Nano(dst, t) })
	return s.e.TextSince(m)
}

// timeField returns t as core.Time does. core.Time holds Unix
// nanoseconds, so a time outside their range (years before 1678 or after
// 2262, such as the zero time.Time) is formatted here instead of wrapping.
func (s *scratch) timeField(k string, t time.Time) core.Field {
	if sec := t.Unix(); sec < minNanoSec || sec > maxNanoSec {
		return core.String(k, s.timeText(t))
	}
	return core.Time(k, t)
}

// The Unix seconds of the times that core.Time represents exactly.
const (
	minNanoSec = math.MinInt64/int64(time.Second) + 1
	maxNanoSec = math.MaxInt64/int64(time.Second) - 1
)

// indexName returns the decimal name of a list index.
func (s *scratch) indexName(i int) string {
	if i < 100 {
		return strconv.Itoa(i) // a constant string: no allocation
	}
	m := s.e.TextMark()
	s.e.AppendText(func(dst []byte) []byte { return strconv.AppendInt(dst, int64(i), 10) })
	return s.e.TextSince(m)
}

// rawNull returns a JSON null field (null in the JSON envelope, the string
// "null" with representation "json" in Heka).
func rawNull(k string) core.Field {
	const null = "null"
	return core.RawJSON(k, unsafe.Slice(unsafe.StringData(null), len(null)))
}

// float32to64 returns the float64 closest to the shortest decimal form of
// f, so that float32(0.1) is written 0.1 as encoding/json does, not
// 0.10000000149011612.
func float32to64(f float32) float64 {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)
	x, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil {
		return float64(f)
	}
	return x
}

// The call* functions call a value's own formatting method and turn a
// panic into its text, as fmt does.

func callError(x error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = panicText(r, "Error method", x)
		}
	}()
	return x.Error()
}

func callString(x fmt.Stringer) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = panicText(r, "String method", x)
		}
	}()
	return x.String()
}

// callMarshalJSON returns x's JSON, or failed: the text of its error or panic.
func callMarshalJSON(x json.Marshaler) (b []byte, failed string) {
	defer func() {
		if r := recover(); r != nil {
			b, failed = nil, panicText(r, "MarshalJSON method", x)
		}
	}()
	b, err := x.MarshalJSON()
	if err != nil {
		return nil, "%!v(ERROR=MarshalJSON method: " + err.Error() + ")"
	}
	return b, ""
}

func callMarshalText(x encoding.TextMarshaler) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = panicText(r, "MarshalText method", x)
		}
	}()
	b, err := x.MarshalText()
	if err != nil {
		return "%!v(ERROR=MarshalText method: " + err.Error() + ")"
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is ours; Send copies it
}

// panicText describes a panic in a method of recv the way fmt does:
// "<nil>" when recv is a nil pointer, else "%!v(PANIC=String method: boom)".
func panicText(r any, what string, recv any) string {
	if v := reflect.ValueOf(recv); v.Kind() == reflect.Pointer && v.IsNil() {
		return "<nil>"
	}
	return "%!v(PANIC=" + what + ": " + fmt.Sprint(r) + ")"
}
