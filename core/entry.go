package core

import (
	"sync"
	"unsafe"
)

// Entry is a reusable message under construction, for adapters: a Message
// and append-only scratch memory for its fields, nested groups, repeated
// values and formatted text. Entries come from a pool (GetEntry) and go
// back to it (Free), so that converting a log record allocates nothing in
// steady state.
//
// Slices and strings an Entry hands out (Ints, Text, the children of a
// closed group) stay valid until Free: its scratch memory only grows while
// the entry is in use. An Entry is not safe for concurrent use.
type Entry struct {
	Message

	fields []Field // fields of the open levels, innermost last
	opens  []open  // open groups
	arena  []Field // children of closed groups and of objects (AddJSON)
	ints   []int64
	floats []float64
	strs   []string
	bools  []bool
	text   []byte
}

type open struct {
	name  string
	start int // index in fields of the group's first child
}

var entryPool = sync.Pool{New: func() any { return new(Entry) }}

// maxPooledFields bounds the scratch an Entry keeps when freed, so that
// one huge record does not pin memory in the pool.
const maxPooledFields = 1024

// maxPooledValues bounds the repeated-value scratch an Entry keeps when freed.
const maxPooledValues = 4096

// entryPool is the pool of free entries (a default, like zap's buffer pool).
// GetEntry returns an empty Entry from the pool.
func GetEntry() *Entry { return entryPool.Get().(*Entry) }

// Free resets e and returns it to the pool; e must not be used after.
func (e *Entry) Free() {
	if e.reset() {
		entryPool.Put(e)
	}
}

// reset empties e for reuse; false when its scratch has grown too large to
// keep (a huge record's memory is left to the garbage collector).
func (e *Entry) reset() bool {
	if cap(e.fields) > maxPooledFields || cap(e.arena) > maxPooledFields || cap(e.text) > 64<<10 ||
		cap(e.ints) > maxPooledValues || cap(e.floats) > maxPooledValues || cap(e.strs) > maxPooledValues || cap(e.bools) > maxPooledValues {
		return false
	}
	e.Message = Message{}
	e.fields = clearFields(e.fields)
	e.arena = clearFields(e.arena)
	e.opens = e.opens[:0]
	e.ints = e.ints[:0]
	e.floats = e.floats[:0]
	clear(e.strs)
	e.strs = e.strs[:0]
	e.bools = e.bools[:0]
	e.text = e.text[:0]
	return true
}

// clearFields empties s, dropping its references so pooled memory does
// not keep the previous record's values alive.
func clearFields(s []Field) []Field {
	clear(s)
	return s[:0]
}

// Add appends a field to the innermost open group (or the message).
func (e *Entry) Add(f Field) { e.fields = append(e.fields, f) }

// OpenGroup starts a nested group: fields added until CloseGroup go in it.
func (e *Entry) OpenGroup(name string) {
	e.opens = append(e.opens, open{name: name, start: len(e.fields)})
}

// CloseGroup ends the innermost open group and adds it to its parent. An
// empty group is dropped when dropEmpty is set (slog's rule).
func (e *Entry) CloseGroup(dropEmpty bool) {
	n := len(e.opens)
	if n == 0 {
		return
	}
	g := e.opens[n-1]
	e.opens = e.opens[:n-1]
	children := e.fields[g.start:]
	if len(children) == 0 && dropEmpty {
		return
	}
	a := len(e.arena)
	e.arena = append(e.arena, children...)
	clear(e.fields[g.start:])
	e.fields = append(e.fields[:g.start], Group(g.name, e.arena[a:len(e.arena):len(e.arena)]...))
}

// CloseAll closes every open group.
func (e *Entry) CloseAll(dropEmpty bool) {
	for len(e.opens) > 0 {
		e.CloseGroup(dropEmpty)
	}
}

// Depth returns the number of open groups.
func (e *Entry) Depth() int { return len(e.opens) }

// Fields closes every open group and returns the message's fields.
func (e *Entry) Fields() []Field {
	e.CloseAll(false)
	return e.fields
}

// IntsMark and IntsSince collect repeated integers one at a time:
// m := e.IntsMark(); e.PushInt(1); e.PushInt(2); core.Ints(name, e.IntsSince(m)).
func (e *Entry) IntsMark() int { return len(e.ints) }

// PushInt appends one value to the integer scratch.
func (e *Entry) PushInt(v int64) { e.ints = append(e.ints, v) }

// IntsSince returns the integers pushed since mark.
func (e *Entry) IntsSince(mark int) []int64 { return e.ints[mark:len(e.ints):len(e.ints)] }

// FloatsMark returns the float scratch's mark (see IntsMark).
func (e *Entry) FloatsMark() int { return len(e.floats) }

// PushFloat appends one value to the float scratch.
func (e *Entry) PushFloat(v float64) { e.floats = append(e.floats, v) }

// FloatsSince returns the floats pushed since mark.
func (e *Entry) FloatsSince(mark int) []float64 { return e.floats[mark:len(e.floats):len(e.floats)] }

// StringsMark returns the string scratch's mark (see IntsMark).
func (e *Entry) StringsMark() int { return len(e.strs) }

// PushString appends one value to the string scratch.
func (e *Entry) PushString(v string) { e.strs = append(e.strs, v) }

// StringsSince returns the strings pushed since mark.
func (e *Entry) StringsSince(mark int) []string { return e.strs[mark:len(e.strs):len(e.strs)] }

// BoolsMark returns the bool scratch's mark (see IntsMark).
func (e *Entry) BoolsMark() int { return len(e.bools) }

// PushBool appends one value to the bool scratch.
func (e *Entry) PushBool(v bool) { e.bools = append(e.bools, v) }

// BoolsSince returns the bools pushed since mark.
func (e *Entry) BoolsSince(mark int) []bool { return e.bools[mark:len(e.bools):len(e.bools)] }

// TextMark returns the text scratch's mark: append formatted text with
// e.AppendText, then take it as a string with TextSince.
func (e *Entry) TextMark() int { return len(e.text) }

// AppendText gives f the text scratch to append to, append-style
// (strconv.AppendInt, time.AppendFormat, fmt.Append...).
func (e *Entry) AppendText(f func(dst []byte) []byte) { e.text = f(e.text) }

// TextSince returns the text appended since mark as a string that stays
// valid until Free.
func (e *Entry) TextSince(mark int) string {
	n := len(e.text) - mark
	if n == 0 {
		return ""
	}
	return unsafe.String(&e.text[mark], n)
}

// MaxMessageSize returns the client's limit on one encoded message, in
// bytes (WithMaxMessageSize, lowered to fit a datagram sender's frames);
// DefaultMaxMessageSize for a nil client.
func (c *Client) MaxMessageSize() int {
	if c == nil {
		return DefaultMaxMessageSize
	}
	return c.enc.maxSize
}

// SendEntry sets the entry's fields on its message and sends it with c. The
// entry can be freed as soon as Send returns.
func (c *Client) SendEntry(e *Entry) error {
	if c == nil {
		return ErrClosed
	}
	e.Message.Fields = e.Fields()
	return c.Send(&e.Message)
}
