package metlogtest

import (
	"encoding/json"
	"time"
)

// Fixture types for conversion tests: values whose encoding/json output
// is the oracle for what a conversion must produce.

// User is a small struct with JSON tags, as zap's benchmarks log.
type User struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// Base is embedded in Audit without a tag: its fields are promoted.
type Base struct {
	ID   int `json:"id"`
	Kind string
}

// Audit exercises struct tags: omitempty, "-", an unexported field, raw
// JSON, a nil pointer and an embedded struct.
type Audit struct {
	By     *User           `json:"by"`
	At     time.Time       `json:"at"`
	Note   string          `json:"note,omitempty"`
	Empty  string          `json:"empty,omitempty"`
	Skip   string          `json:"-"`
	hidden string          // must not appear
	Took   time.Duration   `json:"took"`
	Tags   []string        `json:"tags"`
	Nil    *User           `json:"nil_user"`
	Raw    json.RawMessage `json:"raw"`
	Base
}

// WithHidden returns a with its unexported field set, which no
// conversion may write.
func (a Audit) WithHidden(s string) Audit {
	a.hidden = s
	return a
}

// Level is an integer type without methods.
type Level int

// Scalars has a field of every scalar kind.
type Scalars struct {
	I   int
	I8  int8
	I16 int16
	I32 int32
	I64 int64
	U   uint
	U8  uint8
	U16 uint16
	U32 uint32
	U64 uint64
	UP  uintptr
	F32 float32
	F64 float64
	B   bool
	D   time.Duration
	T   time.Time
	S   string
	N   Level   `json:"n,omitempty"`
	E   string  `json:"e,omitempty"`
	Z   float64 `json:"z,omitzero"`
}

// Omit exercises omitzero and omitempty.
type Omit struct {
	A int       `json:",omitzero"`
	T time.Time `json:"t,omitzero"`
	S []int     `json:"s,omitempty"`
	P *int      `json:"p,omitempty"`
	M string    `json:"m,omitempty"`
}
