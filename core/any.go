package core

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// maxAnyDepth bounds the nesting of maps, structs, slices and pointers.
const maxAnyDepth = 16

const maxDepthText = "<max depth exceeded>"

// AddAny adds v as a field named name, or as a group of fields: the
// conversion of arbitrary Go values shared by the adapters whose
// frameworks hand them values of any type (logrus's Data, slog's KindAny).
// The rules, in order:
//   - nil, and nil pointers, maps and slices: JSON null (a RawJSON field);
//   - scalars, strings, time.Time (a Time field), time.Duration, []byte
//     and slices of scalars, times, durations and errors: the matching
//     field constructor, without reflection;
//   - json.RawMessage: its JSON; a json.Marshaler: its JSON, as
//     encoding/json and slog's JSON handler write it;
//   - an error, fmt.Stringer or encoding.TextMarshaler, in that order:
//     its text; methods with a pointer receiver run when the value is
//     addressable (reached through a pointer or a slice), as encoding/json
//     does;
//   - pointers and interfaces: the value they point to;
//   - maps: groups sorted by key (keys that are not strings or integers
//     are formatted by fmt);
//   - structs: groups by encoding/json's field rules (exported fields,
//     "json" tag names, "-", omitempty, omitzero, embedded structs
//     promoted);
//   - slices and arrays of scalars or of values written as text: repeated
//     fields; of anything else: groups keyed by index ("users.0.name");
//   - functions, channels, unsafe pointers: their type's name.
//
// A method that panics or fails is written as fmt writes it:
// "%!v(PANIC=String method: boom)", "%!v(ERROR=MarshalJSON method: no
// json)", and "<nil>" when the method panicked on a nil pointer receiver.
// Nesting deeper than 16 levels (a cycle of pointers) ends in the string
// "<max depth exceeded>". AddAny never panics: a panic in the conversion
// itself replaces what v had added with one field holding its text.
//
// The common types cost no allocation; maps of types other than
// map[string]any and map[string]string (and named types of those, such as
// logrus.Fields), complex numbers, map keys formatted by fmt, and panic
// texts allocate. Types seen through reflection are analysed once and
// cached; the scalar fields of structs are then read without reflection.
func (e *Entry) AddAny(name string, v any) {
	depth, n := len(e.opens), len(e.fields)
	defer func() {
		if r := recover(); r != nil {
			for len(e.opens) > depth {
				e.CloseGroup(false)
			}
			clear(e.fields[n:])
			e.fields = e.fields[:n]
			e.Add(String(name, panicText(r, "conversion", nil)))
		}
	}()
	e.addAny(name, v, 0)
}

// AddError adds err's text (its Error method's result) as a string field,
// as logrus's formatters write errors whatever other methods they have. A
// panic is written as AddAny writes it; a nil err is JSON null.
func (e *Entry) AddError(name string, err error) {
	if err == nil {
		e.Add(jsonNull(name))
		return
	}
	e.Add(String(name, callError(err)))
}

// addAny adds v as the field k; depth is its nesting.
func (e *Entry) addAny(k string, v any, depth int) {
	switch x := v.(type) {
	case nil:
		e.Add(jsonNull(k))
	case string:
		e.Add(String(k, x))
	case bool:
		e.Add(Bool(k, x))
	case int:
		e.Add(Int(k, int64(x)))
	case int64:
		e.Add(Int(k, x))
	case int32:
		e.Add(Int(k, int64(x)))
	case int16:
		e.Add(Int(k, int64(x)))
	case int8:
		e.Add(Int(k, int64(x)))
	case uint:
		e.Add(Uint(k, uint64(x)))
	case uint64:
		e.Add(Uint(k, x))
	case uint32:
		e.Add(Uint(k, uint64(x)))
	case uint16:
		e.Add(Uint(k, uint64(x)))
	case uint8:
		e.Add(Uint(k, uint64(x)))
	case uintptr:
		e.Add(Uint(k, uint64(x)))
	case float64:
		e.Add(Float(k, x))
	case float32:
		e.Add(Float(k, float32to64(x)))
	case time.Time:
		e.Add(Time(k, x))
	case time.Duration:
		e.Add(Duration(k, x))
	case *time.Time: // not its MarshalJSON, which keeps the time's zone
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Time(k, *x))
	case []byte:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Bytes(k, x))
	case []string:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Strings(k, x))
	case []int:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		m := e.IntsMark()
		for _, n := range x {
			e.PushInt(int64(n))
		}
		e.Add(Ints(k, e.IntsSince(m)))
	case []int64:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Ints(k, x))
	case []float64:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Floats(k, x))
	case []bool:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(Bools(k, x))
	case [][]byte:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		e.Add(ByteSlices(k, x))
	case []time.Time:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		m := e.StringsMark()
		for _, t := range x {
			e.PushString(e.timeText(t))
		}
		e.Add(Strings(k, e.StringsSince(m)))
	case []time.Duration:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		m := e.IntsMark()
		for _, d := range x {
			e.PushInt(int64(d))
		}
		e.Add(Ints(k, e.IntsSince(m)).WithRepresentation("ns"))
	case []error:
		if x == nil {
			e.Add(jsonNull(k))
			return
		}
		m := e.StringsMark()
		for _, err := range x {
			e.PushString(callError(err))
		}
		e.Add(Strings(k, e.StringsSince(m)))
	case map[string]any:
		e.addAnyMap(k, x, depth)
	case map[string]string:
		e.addStringMap(k, x, depth)
	case json.RawMessage:
		e.addRawJSON(k, x)
	case json.Marshaler:
		if b, failed := callMarshalJSON(x); failed != "" {
			e.Add(String(k, failed))
		} else {
			e.Add(RawJSON(k, b))
		}
	case error:
		e.Add(String(k, callError(x)))
	case fmt.Stringer:
		e.Add(String(k, callString(x)))
	case encoding.TextMarshaler:
		e.Add(String(k, callMarshalText(x)))
	default:
		e.addReflect(k, reflect.ValueOf(v), depth)
	}
}

// addRawJSON adds already-encoded JSON (nil is null, as encoding/json has it).
func (e *Entry) addRawJSON(k string, b []byte) {
	if b == nil {
		e.Add(jsonNull(k))
		return
	}
	e.Add(RawJSON(k, b))
}

// addAnyMap adds m as a group sorted by key; the keys are sorted in the
// entry's string scratch, so this allocates nothing.
func (e *Entry) addAnyMap(k string, m map[string]any, depth int) {
	if m == nil {
		e.Add(jsonNull(k))
		return
	}
	if depth >= maxAnyDepth {
		e.Add(String(k, maxDepthText))
		return
	}
	keys := SortedKeys(e, m)
	e.OpenGroup(k)
	for _, key := range keys {
		e.addAny(key, m[key], depth+1)
	}
	e.CloseGroup(false)
}

// addStringMap adds m as a group of strings sorted by key.
func (e *Entry) addStringMap(k string, m map[string]string, depth int) {
	if m == nil {
		e.Add(jsonNull(k))
		return
	}
	if depth >= maxAnyDepth {
		e.Add(String(k, maxDepthText))
		return
	}
	keys := SortedKeys(e, m)
	e.OpenGroup(k)
	for _, key := range keys {
		e.Add(String(key, m[key]))
	}
	e.CloseGroup(false)
}

// SortedKeys returns m's keys, sorted, held in e's string scratch (valid
// until e is freed), so that an adapter converting a map itself writes its
// members in a stable order without allocating, as AddAny does.
func SortedKeys[V any](e *Entry, m map[string]V) []string {
	mark := e.StringsMark()
	for k := range m {
		e.PushString(k)
	}
	keys := e.StringsSince(mark)
	slices.Sort(keys)
	return keys
}

// timeText formats t as a Time field is written (RFC 3339 in UTC,
// nanoseconds without trailing zeros) in the entry's text scratch.
func (e *Entry) timeText(t time.Time) string {
	m := e.TextMark()
	e.text = jsontext.AppendRFC3339(e.text, t.Unix(), t.Nanosecond())
	return e.TextSince(m)
}

// indexName returns the decimal name of a list index.
func (e *Entry) indexName(i int) string {
	if i < 100 {
		return strconv.Itoa(i) // a constant string: no allocation
	}
	m := e.TextMark()
	e.text = strconv.AppendInt(e.text, int64(i), 10)
	return e.TextSince(m)
}

// jsonNull returns a JSON null field (null in the JSON envelope, the
// string "null" with representation "json" in Heka).
func jsonNull(k string) Field {
	const null = "null"
	return RawJSON(k, unsafe.Slice(unsafe.StringData(null), len(null)))
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
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is x's result, not kept by x
}

// panicText describes a panic in a method of recv the way fmt does:
// "<nil>" when recv is a nil pointer, else "%!v(PANIC=String method: boom)".
func panicText(r any, what string, recv any) string {
	if v := reflect.ValueOf(recv); v.Kind() == reflect.Pointer && v.IsNil() {
		return "<nil>"
	}
	return "%!v(PANIC=" + what + ": " + fmt.Sprint(r) + ")"
}
