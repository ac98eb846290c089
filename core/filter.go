package core

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// filters are the checks metlog-py's client filters made, applied in Send
// before a message is encoded. The zero value lets everything through.
type filters struct {
	maxSeverity Severity            // messages less severe (higher number) are filtered
	allow       map[string]struct{} // when non-nil, only these types pass
	deny        map[string]struct{} // these types never pass
	typeMax     map[string]Severity // per-type severity maximum
	pred        func(*Message) bool // user predicate: false filters the message
	panics      *atomic.Uint64      // counts predicate panics (the client's Errors)
}

func newFilters() filters { return filters{maxSeverity: Debug} }

// enabled reports whether a message of this type and severity can pass the
// type and severity filters. The maps are consulted only when configured.
func (f *filters) enabled(typ string, sev Severity) bool {
	if sev > f.maxSeverity {
		return false
	}
	if f.allow != nil {
		if _, ok := f.allow[typ]; !ok {
			return false
		}
	}
	if f.deny != nil {
		if _, ok := f.deny[typ]; ok {
			return false
		}
	}
	if f.typeMax != nil {
		if max, ok := f.typeMax[typ]; ok && sev > max {
			return false
		}
	}
	return true
}

// callPred hands the predicate a pooled copy of m built from m's bytes
// and field values, never from its own pointers. Escape analysis treats
// everything m points to as one location, so storing even one of m's string
// headers in the heap copy would move a caller's stack-built Fields array to
// the heap on every Send, predicate or not.
func (f *filters) callPred(m *Message) (keep bool) {
	c := predPool.Get().(*predCopy)
	defer func() {
		if r := recover(); r != nil {
			// A broken predicate does not lose the message: it is kept,
			// and the panic counted. The copy is not reused.
			if f.panics != nil {
				f.panics.Add(1)
			}
			keep = true
		}
	}()
	c.text = c.text[:0]
	c.msg = Message{
		UUID:       m.UUID,
		Timestamp:  copyTime(m.Timestamp),
		Type:       c.copyString(m.Type),
		Logger:     c.copyString(m.Logger),
		Severity:   m.Severity,
		Payload:    c.copyString(m.Payload),
		Fields:     append(c.fields[:0], m.Fields...),
		TopFields:  append(c.top[:0], m.TopFields...),
		EnvVersion: c.copyString(m.EnvVersion),
		Pid:        m.Pid,
		Hostname:   c.copyString(m.Hostname),
	}
	c.fields, c.top = c.msg.Fields, c.msg.TopFields
	keep = f.pred(&c.msg)
	clear(c.fields)
	clear(c.top)
	c.msg = Message{}
	predPool.Put(c)
	return keep
}

// copyTime rebuilds t from its instant, without t's *Location pointer.
func copyTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(t.Unix(), int64(t.Nanosecond())).UTC()
}

// predCopy is the pooled memory of the message a predicate sees.
type predCopy struct {
	msg    Message
	text   []byte
	fields []Field
	top    []Field
}

// copyString returns a copy of s in c's text memory.
func (c *predCopy) copyString(s string) string {
	if s == "" {
		return ""
	}
	start := len(c.text)
	c.text = append(c.text, s...)
	return unsafe.String(&c.text[start], len(s))
}

// predPool holds the copies callPred lends to predicates (a default, like
// entryPool).
var predPool = sync.Pool{New: func() any { return new(predCopy) }}
