package core

import "sync"

// filters are the checks metlog-py's client filters made, applied in Send
// before a message is encoded. The zero value lets everything through.
type filters struct {
	maxSeverity Severity            // messages less severe (higher number) are filtered
	allow       map[string]struct{} // when non-nil, only these types pass
	deny        map[string]struct{} // these types never pass
	typeMax     map[string]Severity // per-type severity maximum
	pred        func(*Message) bool // user predicate: false filters the message
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

// pass applies every filter to m, whose severity has been resolved to sev.
func (f *filters) pass(m *Message, sev Severity) bool {
	if !f.enabled(m.Type, sev) {
		return false
	}
	return f.pred == nil || f.callPred(m)
}

// callPred hands the predicate a pooled copy of m: a pointer passed to an
// unknown function escapes, and m itself may be the caller's stack value.
func (f *filters) callPred(m *Message) bool {
	c := predPool.Get().(*Message)
	*c = *m
	keep := f.pred(c)
	*c = Message{}
	predPool.Put(c)
	return keep
}

// predPool holds the messages callPred lends to predicates (a default,
// like entryPool).
var predPool = sync.Pool{New: func() any { return new(Message) }}
