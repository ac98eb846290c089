package core_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// Tests of AddAny's struct rules against encoding/json itself: each value
// is marshaled by encoding/json, the JSON decoded into fields by
// core.DecodeJSON, and compared with what AddAny makes of the same value
// after a round trip through a client, in both wire formats. Every
// struct is tried by value (the reflective path), by pointer and in
// slices (the paths that read fields from memory).

// jsonRuleFields returns the fields encoding/json's text of v decodes to,
// as the field "v" of a Metlog JSON envelope, flattened. HTML characters
// are not escaped, as metlog-go never escapes them.
func jsonRuleFields(t *testing.T, v any) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	env := append(append([]byte(`{"fields":{"v":`), bytes.TrimSpace(buf.Bytes())...), "}}"...)
	m, err := core.DecodeJSON(env)
	if err != nil {
		t.Fatalf("DecodeJSON(%s): %v", env, err)
	}
	return metlogtest.DecodedFields(m)
}

// checkJSONRules compares AddAny("v", v) with encoding/json's v in both
// formats.
func checkJSONRules(t *testing.T, v any) {
	t.Helper()
	want := jsonRuleFields(t, v)
	for _, f := range metlogtest.Formats {
		m := addAll(t, f, map[string]any{"v": v})
		checkUniqueNames(t, f.String(), "", m.Fields)
		metlogtest.CompareFlat(t, f.String(), metlogtest.DecodedFields(m), want, f == core.FormatHeka)
	}
}

// checkUniqueNames fails the test for a name written twice in one group,
// which flattened fields (a map) would hide.
func checkUniqueNames(t *testing.T, what, prefix string, fields []core.Field) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.Name] {
			t.Errorf("%s: %s%s written twice", what, prefix, f.Name)
		}
		seen[f.Name] = true
		checkUniqueNames(t, what, prefix+f.Name+".", f.GroupValue())
	}
}

// shapes returns v (a struct value) as it reaches AddAny in the ways that
// take different paths: by value, by pointer, in slices and arrays of
// values and of pointers, in a map, through an interface field.
func shapes(v any) map[string]any {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	p := reflect.New(t)
	p.Elem().Set(rv)
	pp := reflect.New(p.Type())
	pp.Elem().Set(p)
	slice := reflect.MakeSlice(reflect.SliceOf(t), 2, 2)
	slice.Index(0).Set(rv)
	slice.Index(1).Set(rv)
	ptrs := reflect.MakeSlice(reflect.SliceOf(p.Type()), 2, 2) // the second nil
	ptrs.Index(0).Set(p)
	array := reflect.New(reflect.ArrayOf(1, t)).Elem()
	array.Index(0).Set(rv)
	m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), t))
	m.SetMapIndex(reflect.ValueOf("k"), rv)
	return map[string]any{
		"value": v, "pointer": p.Interface(), "ptr_ptr": pp.Interface(), "slice": slice.Interface(),
		"ptr_slice": ptrs.Interface(), "array": array.Interface(), "in_map": m.Interface(),
		"in_any": struct{ X any }{v},
	}
}

func runShapes(t *testing.T, name string, v any) {
	t.Run(name, func(t *testing.T) {
		for shape, x := range shapes(v) {
			t.Run(shape, func(t *testing.T) { checkJSONRules(t, x) })
		}
	})
}

var negZero = math.Copysign(0, -1)

type omitFloats struct {
	E   float64 `json:"e,omitempty"`
	Z   float64 `json:"z,omitzero"`
	E32 float32 `json:"e32,omitempty"`
	Z32 float32 `json:"z32,omitzero"`
	K   float64 `json:"k"`
}

type zeroByValue struct{ N int }

func (z zeroByValue) IsZero() bool { return z.N < 0 }

type zeroByPtr struct{ N int }

func (z *zeroByPtr) IsZero() bool { return z.N == 7 }

// zeroInt is a scalar with an IsZero method: omitzero must call it.
type zeroInt int

func (z zeroInt) IsZero() bool { return z == 5 }

type omitAll struct {
	S    string            `json:"s,omitempty"`
	B    bool              `json:"b,omitempty"`
	I    int               `json:"i,omitempty"`
	U    uint8             `json:"u,omitempty"`
	D    time.Duration     `json:"d,omitempty"`
	T    time.Time         `json:"t,omitempty"` // a struct: never empty
	Sl   []int             `json:"sl,omitempty"`
	M    map[string]int    `json:"m,omitempty"`
	P    *int              `json:"p,omitempty"`
	A    any               `json:"a,omitempty"`
	Arr0 [0]int            `json:"arr0,omitempty"`
	Arr  [2]int            `json:"arr,omitempty"`
	St   struct{ X int }   `json:"st,omitempty"` // never empty
	ZS   string            `json:"zs,omitzero"`
	ZT   time.Time         `json:"zt,omitzero"`
	ZSl  []int             `json:"zsl,omitzero"` // only nil is zero
	ZM   map[string]string `json:"zm,omitzero"`
	ZSt  struct{ X int }   `json:"zst,omitzero"`
	ZArr [2]int            `json:"zarr,omitzero"`
	ZP   *int              `json:"zp,omitzero"`
	ZV   zeroByValue       `json:"zv,omitzero"`
	ZVP  *zeroByValue      `json:"zvp,omitzero"`
	ZPR  zeroByPtr         `json:"zpr,omitzero"`
	ZI   zeroInt           `json:"zi,omitzero"`
	ZIf  isZeroer          `json:"zif,omitzero"`
	Both int               `json:"both,omitempty,omitzero"`
}

type isZeroer interface{ IsZero() bool }

// Embedded shapes for encoding/json's dominance rules.

type EmbA struct {
	Name string
	Only string
}

type EmbB struct {
	Name string
	Also int
}

type EmbTagged struct {
	Name string `json:"Name"`
}

type EmbTagged2 struct {
	Other string `json:"Name"`
}

type embPrivate struct {
	Exported string
	hidden   string
	Name     string `json:"private_name"`
}

// Level is an exported non-struct type, embedded as a field of its own.
type Level int

type level int // unexported and not a struct: left out when embedded

type (
	untaggedConflict struct { // Name: two untagged at depth 1, neither written
		EmbA
		EmbB
	}
	taggedWins struct { // Name: the tagged one wins at equal depth
		EmbA
		EmbTagged
	}
	shallowWins struct { // Name: the outer field wins over embedded ones
		EmbA
		EmbB
		Name string
	}
	deepHidden struct { // the conflict at depth 2 loses to the field at depth 1
		untaggedConflict
		EmbTagged2
	}
	sameTwice struct { // EmbA twice at depth 2: all its fields conflict
		W1 struct{ EmbA }
		X1
		X2
	}
	X1 struct{ EmbA }
	X2 struct{ EmbA }

	embeddedPtrs struct {
		*EmbA
		*EmbB `json:"b"`
		*embPrivate
		Level
		*level
		Extra int
	}
	embeddedValues struct {
		embPrivate
		Level `json:"lvl"`
		level
		EmbB `json:"b,omitempty"`
	}
	recursive struct {
		*recursive
		X int
	}
)

// taggedConflict returns struct{ EmbTagged; EmbTagged2 } holding a and b:
// two tagged Name fields at depth 1, neither written. (Built at run time:
// go vet rejects the type written out, for the very conflict it holds.)
func taggedConflict(a EmbTagged, b EmbTagged2) any {
	t := reflect.StructOf([]reflect.StructField{
		{Name: "EmbTagged", Type: reflect.TypeFor[EmbTagged](), Anonymous: true},
		{Name: "EmbTagged2", Type: reflect.TypeFor[EmbTagged2](), Anonymous: true},
	})
	v := reflect.New(t).Elem()
	v.Field(0).Set(reflect.ValueOf(a))
	v.Field(1).Set(reflect.ValueOf(b))
	return v.Interface()
}

type quoted struct {
	I    int             `json:"i,string"`
	I8   int8            `json:"i8,string"`
	U    uint64          `json:"u,string"`
	F    float64         `json:"f,string"`
	F1   float64         `json:"f1,string"`
	Big  float64         `json:"big,string"`
	Tiny float64         `json:"tiny,string"`
	F32  float32         `json:"f32,string"`
	B    bool            `json:"b,string"`
	S    string          `json:"s,string"`
	P    *int            `json:"p,string"`
	NP   *int            `json:"np,string"`
	D    time.Duration   `json:"d,string"`
	Sl   []int           `json:"sl,string"` // not a scalar: the option does nothing
	St   struct{ X int } `json:"st,string"`
	E    string          `json:"e,string,omitempty"`
}

type tagNames struct {
	Skip    string `json:"-"`
	Dash    string `json:"-,"`
	Apos    string `json:"it's"`    // invalid: the field's name
	Slash   string `json:"a\\b"`    // invalid: the field's name
	Punct   string `json:"a-b.c d"` // valid
	Unicode string `json:"café"`
	Empty   string `json:",omitempty"`
	NoTag   string
	unexp   string
}

type leafNode struct {
	N    int       `json:"n"`
	S    string    `json:"s,omitempty"`
	T    time.Time `json:"t"`
	Next *leafNode `json:"next,omitempty"`
}

type nested struct {
	P     *leafNode            `json:"p"`
	PP    **leafNode           `json:"pp"`
	Nil   *leafNode            `json:"nil"`
	L     []leafNode           `json:"l"`
	LP    []*leafNode          `json:"lp"`
	Arr   [2]leafNode          `json:"arr"`
	M     map[string]*leafNode `json:"m"`
	Empty []leafNode           `json:"empty"`
	NilL  []leafNode           `json:"nil_l"`
	Deep  []map[string][]leafNode
}

func TestAddAnyJSONRules(t *testing.T) {
	for _, x := range []float64{negZero, 0, 1.5} {
		runShapes(t, "floats "+formatFloat(x), omitFloats{E: x, Z: x, E32: float32(x), Z32: float32(x), K: x})
	}
	n := 3
	runShapes(t, "omit empty", omitAll{ZSl: []int{}, ZM: map[string]string{}, ZV: zeroByValue{-1},
		ZVP: &zeroByValue{-1}, ZPR: zeroByPtr{7}, ZI: 5, ZIf: zeroByValue{-2}})
	runShapes(t, "omit zero values", omitAll{})
	runShapes(t, "omit set", omitAll{S: "s", B: true, I: -1, U: 2, D: time.Second, T: t0, Sl: []int{1}, M: map[string]int{"a": 1},
		P: &n, A: 0, Arr: [2]int{0, 1}, ZS: "z", ZT: t0, ZSl: []int{1}, ZM: map[string]string{"a": "b"}, ZSt: struct{ X int }{1},
		ZArr: [2]int{1}, ZP: &n, ZV: zeroByValue{1}, ZVP: &zeroByValue{1}, ZPR: zeroByPtr{1}, ZI: 4, ZIf: (*zeroByPtr)(nil), Both: 1})

	a, b := EmbA{Name: "a", Only: "o"}, EmbB{Name: "b", Also: 2}
	runShapes(t, "untagged conflict", untaggedConflict{a, b})
	runShapes(t, "tagged wins", taggedWins{a, EmbTagged{"t"}})
	runShapes(t, "tagged conflict", taggedConflict(EmbTagged{"t"}, EmbTagged2{"u"}))
	runShapes(t, "shallow wins", shallowWins{a, b, "outer"})
	runShapes(t, "deep hidden", deepHidden{untaggedConflict{a, b}, EmbTagged2{"u"}})
	runShapes(t, "same type twice", sameTwice{W1: struct{ EmbA }{a}, X1: X1{a}, X2: X2{a}})
	lv := level(9)
	runShapes(t, "embedded pointers", embeddedPtrs{EmbA: &a, EmbB: &b, embPrivate: &embPrivate{"e", "h", "n"}, Level: 4, level: &lv, Extra: 1})
	runShapes(t, "nil embedded pointers", embeddedPtrs{Extra: 1})
	runShapes(t, "embedded values", embeddedValues{embPrivate{"e", "h", "n"}, 4, 5, b})
	runShapes(t, "recursive", recursive{&recursive{X: 2}, 1})

	one := 1
	runShapes(t, "string option", quoted{I: -12, I8: 8, U: math.MaxUint64, F: 1.5, F1: 100, Big: 1e21, Tiny: 1e-7, F32: 0.1, B: true,
		S: `say "hi" \ <&> é`, P: &one, D: time.Millisecond, Sl: []int{1}, St: struct{ X int }{2}})
	runShapes(t, "string option zero", quoted{})

	runShapes(t, "tag names", tagNames{"skip", "dash", "apos", "slash", "punct", "unicode", "", "notag", "unexp"})

	leaf := &leafNode{N: 2, T: t0}
	runShapes(t, "nested", nested{P: &leafNode{N: 1, S: "s", T: t0, Next: leaf}, PP: &leaf, L: []leafNode{{N: 3}, {N: 4, Next: leaf}},
		LP: []*leafNode{leaf, nil}, Arr: [2]leafNode{{N: 5}}, M: map[string]*leafNode{"a": leaf, "b": nil}, Empty: []leafNode{},
		Deep: []map[string][]leafNode{{"x": {{N: 6}}}}})
}

func formatFloat(f float64) string {
	b, _ := json.Marshal(f)
	if math.Signbit(f) && f == 0 {
		return "-0"
	}
	return string(b)
}

// TestAddAnyNegativeZeroBothPaths pins the case the two paths once
// disagreed on: an omitempty float of -0.0 is empty (encoding/json tests
// v.Float() == 0) whether the struct is read through reflection or from
// memory.
func TestAddAnyNegativeZeroBothPaths(t *testing.T) {
	v := omitFloats{E: negZero, Z: negZero, E32: float32(negZero), Z32: float32(negZero), K: negZero}
	for _, f := range metlogtest.Formats {
		byValue := metlogtest.DecodedFields(addAll(t, f, map[string]any{"v": v}))
		byPtr := metlogtest.DecodedFields(addAll(t, f, map[string]any{"v": &v}))
		want := map[string]any{"v.k": metlogtest.Num("0")}
		metlogtest.CompareFlat(t, f.String()+" by value", byValue, want, false)
		metlogtest.CompareFlat(t, f.String()+" by pointer", byPtr, want, false)
	}
}
