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

// AddAny adds v as a field named name, or as a group of fields: the
// conversion of arbitrary Go values shared by the adapters whose
// frameworks hand them values of any type (logrus's Data, slog's KindAny,
// zap's Any and Reflect). The rules, in order:
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
//   - structs: groups of their fields by encoding/json's rules: exported
//     fields named by their "json" tag (an invalid tag name by the field's
//     name), "-" leaves a field out and "-," names it "-"; omitempty
//     leaves out false, 0 (-0.0 too), nil and empty strings, slices, maps
//     and arrays; omitzero leaves out zero values, or those whose IsZero
//     method says so; ",string" writes a bool or number as a string of its
//     text and a string as a string of its JSON; the fields of embedded
//     structs (by value or pointer, exported or not) are promoted, and of
//     several fields of one name the shallowest wins, then the one named
//     by a tag, and if that leaves two, neither is written;
//   - slices and arrays of scalars or of values written as text: repeated
//     fields; of anything else: groups keyed by index ("users.0.name");
//   - functions, channels, unsafe pointers: their type's name.
//
// For a value encoding/json can marshal, this gives the fields its JSON
// would decode to, except where metlog-go's own representations differ on
// purpose:
//   - times are RFC 3339 in UTC with nanoseconds, trailing zeros
//     trimmed (encoding/json keeps the time's zone);
//   - durations are integers of nanoseconds with representation "ns";
//   - []byte is a bytes field (base64 in JSON, as encoding/json writes it;
//     bytes in Heka);
//   - NaN and ±Inf, which encoding/json refuses, are floats ("NaN", "+Inf"
//     and "-Inf" in JSON); unsigned integers above math.MaxInt64 are
//     decimal strings in Heka;
//   - errors and fmt.Stringers are their text, where encoding/json uses
//     only MarshalJSON and MarshalText;
//   - lists of structs, maps and lists are groups keyed by index, because
//     a field cannot hold a list of objects;
//   - strings are never HTML-escaped, also in ",string" fields;
//   - what encoding/json refuses (functions, channels, complex numbers,
//     map keys of other types, cycles) is written as said above.
//
// A method that panics or fails is written as fmt writes it:
// "%!v(PANIC=String method: boom)", "%!v(ERROR=MarshalJSON method: no
// json)", and "<nil>" when the method panicked on a nil pointer receiver.
// Values nest at most jsontext.MaxDepth (32) levels, counted from the top
// of the message: a field added while groups are open is that many levels
// down already. A group, list or JSON object or array that would hold
// values deeper than that (a cycle of pointers) is the string "<max depth
// exceeded>" instead. AddAny never panics: a panic in the conversion
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
	e.addAny(name, v, depth+1)
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

// addAny adds v as the field k at depth: 1 for a field of the message,
// one more for each group it is in (see jsontext.MaxDepth).
func (e *Entry) addAny(k string, v any, depth int) {
	switch x := v.(type) {
	case nil:
		e.Add(jsonNull(k))
	case string:
		e.Add(String(k, x))
	case bool:
		e.Add(Bool(k, x))
	case int:
		e.Add(Int64(k, int64(x)))
	case int64:
		e.Add(Int64(k, x))
	case int32:
		e.Add(Int64(k, int64(x)))
	case int16:
		e.Add(Int64(k, int64(x)))
	case int8:
		e.Add(Int64(k, int64(x)))
	case uint:
		e.Add(Uint64(k, uint64(x)))
	case uint64:
		e.Add(Uint64(k, x))
	case uint32:
		e.Add(Uint64(k, uint64(x)))
	case uint16:
		e.Add(Uint64(k, uint64(x)))
	case uint8:
		e.Add(Uint64(k, uint64(x)))
	case uintptr:
		e.Add(Uint64(k, uint64(x)))
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
		if e.addsList(k, x == nil) {
			e.Add(Strings(k, x))
		}
	case []int:
		if e.addsList(k, x == nil) {
			m := e.IntsMark()
			for _, n := range x {
				e.PushInt(int64(n))
			}
			e.Add(Ints(k, e.IntsSince(m)))
		}
	case []int64:
		if e.addsList(k, x == nil) {
			e.Add(Ints(k, x))
		}
	case []float64:
		if e.addsList(k, x == nil) {
			e.Add(Floats(k, x))
		}
	case []bool:
		if e.addsList(k, x == nil) {
			e.Add(Bools(k, x))
		}
	case [][]byte:
		if e.addsList(k, x == nil) {
			e.Add(ByteSlices(k, x))
		}
	case []time.Time:
		if e.addsList(k, x == nil) {
			m := e.StringsMark()
			for _, t := range x {
				e.PushString(e.timeText(t))
			}
			e.Add(Strings(k, e.StringsSince(m)))
		}
	case []time.Duration:
		if e.addsList(k, x == nil) {
			m := e.IntsMark()
			for _, d := range x {
				e.PushInt(int64(d))
			}
			e.Add(Ints(k, e.IntsSince(m)).WithRepresentation("ns"))
		}
	case []error:
		if e.addsList(k, x == nil) {
			m := e.StringsMark()
			for _, err := range x {
				e.PushString(callError(err))
			}
			e.Add(Strings(k, e.StringsSince(m)))
		}
	case map[string]any:
		e.addAnyMap(k, x, depth)
	case map[string]string:
		e.addStringMap(k, x, depth)
	case json.RawMessage:
		e.addRawJSON(k, x, depth)
	case json.Marshaler:
		if b, failed := callMarshalJSON(x); failed != "" {
			e.Add(String(k, failed))
		} else if !nests(b) || !e.tooDeep(k, depth) {
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
func (e *Entry) addRawJSON(k string, b []byte, depth int) {
	if b == nil {
		e.Add(jsonNull(k))
		return
	}
	if nests(b) && e.tooDeep(k, depth) {
		return
	}
	e.Add(RawJSON(k, b))
}

// nests reports whether the JSON text b is an object or an array.
func nests(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// tooDeep reports whether a group at depth would be deeper than
// jsontext.MaxDepth; if so it adds the field k as the string
// jsontext.DepthMarker instead. Repeated fields are values, not groups:
// they are written at any depth, as the encoders write them.
func (e *Entry) tooDeep(k string, depth int) bool {
	if depth <= jsontext.MaxDepth {
		return false
	}
	e.Add(String(k, jsontext.DepthMarker))
	return true
}

// addsList reports whether the caller is to add the list field k; if not,
// the list is nil and it has added null.
func (e *Entry) addsList(k string, isNil bool) bool {
	if isNil {
		e.Add(jsonNull(k))
		return false
	}
	return true
}

// addAnyMap adds m as a group sorted by key.
func (e *Entry) addAnyMap(k string, m map[string]any, depth int) {
	addMap(e, k, m, depth, func(key string, v any) { e.addAny(key, v, depth+1) })
}

// addStringMap adds m as a group of strings sorted by key.
func (e *Entry) addStringMap(k string, m map[string]string, depth int) {
	addMap(e, k, m, depth, func(key, v string) { e.Add(String(key, v)) })
}

// addMap adds m as a group sorted by key, each member through add, or null
// for a nil map, or the depth marker (see tooDeep). The keys are sorted in
// the entry's string scratch, so this allocates nothing.
func addMap[V any](e *Entry, k string, m map[string]V, depth int, add func(key string, v V)) {
	if !e.addsList(k, m == nil) || e.tooDeep(k, depth) {
		return
	}
	keys := SortedKeys(e, m)
	e.OpenGroup(k)
	for _, key := range keys {
		add(key, m[key])
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
