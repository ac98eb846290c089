package zerologmetlog

import (
	"bytes"
	"sync/atomic"

	"github.com/metlog-go/metlog/core"
)

// A zerolog logger's context (logger.With()...Logger()) is JSON zerolog
// encoded once and copies into every event, right after the level:
// {"level":"info",<context>,<event fields>,"time":...,"message":...}.
// The writer cannot see loggers, only bytes, so it learns contexts from
// them: when the leading members of two recent events are the same bytes,
// it converts those members once into a core.Scope (encoded once, in the
// client's format) and from then on parses and encodes only the rest of events
// that start with them. Members are the same bytes, so the fields are the
// same: the output does not change, only its cost.
//
// A learnt prefix stops at zerolog's level key, at keys with escapes and
// at anything the scanner does not expect (white space, which zerolog
// never writes). It holds message and timestamp keys only as fields, that
// is when the event repeats them later; an event that does not is
// converted whole.

const (
	defaultContextSlots = 8
	minContextBytes     = 32       // shorter prefixes are not worth a scope
	maxContextBytes     = 16 << 10 // longer ones are not kept
	recentCandidates    = 4        // per converter, to learn from
	learnEagerly        = 64       // a converter's first events all try to learn
	learnEvery          = 16       // then one in learnEvery
)

// ctxEntry is a learnt context: its member bytes (`"a":1,"b":"x"`, no
// braces) and their fields, converted under keys. Immutable once
// published, but for used.
type ctxEntry struct {
	prefix  []byte
	keys    keyNames
	scope   *core.Scope
	hasMsg  bool // the prefix holds a message member: the event must have a later one
	hasTime bool // likewise for the timestamp
	used    atomic.Bool
}

// ctxCache is a writer's small table of learnt contexts, shared by every
// goroutine writing to it: lock-free reads, entries replaced by the CLOCK
// rule (an entry used since the hand last passed gets a second chance).
type ctxCache struct {
	format core.Format // the client's: scopes are encoded in it
	slots  []atomic.Pointer[ctxEntry]
	next   atomic.Uint32 // the clock hand
	any    atomic.Bool   // some slot holds an entry
}

func (c *ctxCache) insert(e *ctxEntry) {
	n := uint32(len(c.slots))
	for range 2 * n {
		i := c.next.Add(1) % n
		if old := c.slots[i].Load(); old != nil && old.used.Load() {
			old.used.Store(false)
			continue
		}
		c.slots[i].Store(e)
		c.any.Store(true)
		return
	}
}

func newCtxCache(n int, f core.Format) *ctxCache {
	if n <= 0 {
		return nil
	}
	return &ctxCache{format: f, slots: make([]atomic.Pointer[ctxEntry], n)}
}

// splitLevel finds the members after zerolog's leading level member:
// p[start:levelEnd] is the level member (levelEnd < 0 when there is none)
// and p[rest:] the members after it. ok is false when p does not start
// with '{'.
func (cv *converter) splitLevel(p []byte) (start, levelEnd, rest int, ok bool) {
	if len(p) < 2 || p[0] != '{' {
		return 0, -1, 0, false
	}
	start, levelEnd, rest = 1, -1, 1
	if k, end := rawKey(p, 1); k != nil && cv.keys.level != "" && b2s(k) == cv.keys.level {
		if end = skipValue(p, end); end > 0 && end < len(p) && p[end] == ',' {
			levelEnd, rest = end, end+1
		}
	}
	return start, levelEnd, rest, true
}

// lookup returns the longest learnt context that p's members start with,
// and the event without it (in cv.body); nil when none applies. start,
// levelEnd and restAt are splitLevel's.
func (cv *converter) lookup(cache *ctxCache, p []byte, start, levelEnd, restAt int) (*ctxEntry, []byte) {
	if restAt == 0 { // p is no object
		return nil, nil
	}
	rest := p[restAt:]
	var best *ctxEntry
	for i := range cache.slots {
		e := cache.slots[i].Load()
		if e == nil || len(e.prefix) >= len(rest) || (best != nil && len(e.prefix) <= len(best.prefix)) {
			continue
		}
		if c := rest[len(e.prefix)]; (c == ',' || c == '}') && bytes.HasPrefix(rest, e.prefix) && e.keys == cv.keys {
			best = e
		}
	}
	if best == nil {
		return nil, nil
	}
	if !best.used.Load() { // written only when it changes: readers share the line
		best.used.Store(true)
	}
	after := rest[len(best.prefix):] // ",<more members>}" or "}"
	b := append(cv.body[:0], '{')
	if levelEnd >= 0 {
		b = append(b, p[start:levelEnd]...)
	} else if after[0] == ',' {
		after = after[1:]
	}
	b = append(b, after...)
	cv.body = b
	return best, b
}

// learn compares the leading members of p (an event that matched no
// context) with those of recent events, and learns the longest common run
// of members when it is long enough.
func (cv *converter) learn(cache *ctxCache, p []byte, restAt int) {
	rest := p[restAt:]
	// The members' ends, and where the first and last message and
	// timestamp members start. A context may hold those keys only when a
	// later member of the event repeats them: the event's own wins.
	ends := cv.ends[:0]
	firstMsg, lastMsg, firstTs, lastTs := -1, -1, -1, -1
	for i := 0; i < len(rest) && rest[i] != '}'; {
		k, next := cv.skipMember(rest, i)
		if next < 0 || next > maxContextBytes {
			break
		}
		switch k {
		case keyMsg:
			if firstMsg < 0 {
				firstMsg = i
			}
			lastMsg = i
		case keyTime:
			if firstTs < 0 {
				firstTs = i
			}
			lastTs = i
		}
		ends = append(ends, next)
		if i = next; rest[i] == ',' {
			i++
		}
	}
	cv.ends = ends
	// The members that may be a context: those before the last message
	// and timestamp members.
	n := 0
	for n < len(ends) && (lastMsg < 0 || lastMsg >= ends[n]) && (lastTs < 0 || lastTs >= ends[n]) {
		n++
	}
	if n == 0 || ends[n-1] < minContextBytes {
		return // nothing to learn from this event (zerolog's static events)
	}
	ends = ends[:n]
	end := ends[n-1]
	var common [recentCandidates]int
	for i := range cv.recent {
		common[i] = commonPrefix(rest[:end], cv.recent[i])
	}
	best := 0
	for _, m := range ends {
		for i, c := range common {
			if m <= c && (m == len(cv.recent[i]) || cv.recent[i][m] == ',') {
				best = m
			}
		}
	}
	// Keep this event's members as a candidate.
	slot := &cv.recent[cv.recentNext%recentCandidates]
	cv.recentNext++
	*slot = append((*slot)[:0], rest[:end]...)

	if best < minContextBytes {
		return
	}
	prefix := rest[:best]
	for i := range cache.slots {
		if e := cache.slots[i].Load(); e != nil && e.keys == cv.keys && bytes.Equal(e.prefix, prefix) {
			return // another goroutine learnt it
		}
	}
	if e := cv.convertContext(prefix, cache.format); e != nil {
		e.hasMsg = firstMsg >= 0 && firstMsg < best
		e.hasTime = firstTs >= 0 && firstTs < best
		cache.insert(e)
	}
}

// convertContext converts context members into an entry for the cache.
func (cv *converter) convertContext(prefix []byte, f core.Format) *ctxEntry {
	src := make([]byte, 0, len(prefix)+2)
	src = append(append(append(src, '{'), prefix...), '}')
	v, err := cv.p.ParseBytes(src)
	if err != nil {
		return nil
	}
	// Every message and timestamp member here is an event's field.
	cv.levelKey, cv.msg, cv.ts, cv.lastMsg, cv.lastTs, cv.dup = true, nil, nil, sentinel, sentinel, false
	e := core.GetEntry()
	cv.e = e
	v.GetObject().Visit(cv.topFn)
	ent := &ctxEntry{
		prefix: src[1 : len(src)-1 : len(src)-1], // a copy: p is the caller's
		keys:   cv.keys,
		scope:  core.NewScope(f).With(e.Fields()...),
	}
	e.Free()
	cv.e = nil
	return ent
}

type keyKind uint8

const (
	keyOther keyKind = iota
	keyMsg
	keyTime
)

// skipMember returns the kind and end of the member at b[i:]; the end is
// -1 at zerolog's level key, at keys with escapes and at anything
// unexpected.
func (cv *converter) skipMember(b []byte, i int) (keyKind, int) {
	k, end := rawKey(b, i)
	if k == nil {
		return keyOther, -1
	}
	kind := keyOther
	switch key := b2s(k); {
	case key == cv.keys.level:
		return keyOther, -1
	case key == cv.keys.msg:
		kind = keyMsg
	case key == cv.keys.time:
		kind = keyTime
	}
	end = skipValue(b, end)
	if end < 0 || end >= len(b) || (b[end] != ',' && b[end] != '}') {
		return keyOther, -1
	}
	return kind, end
}

// rawKey reads the key of the member at b[i:], `"key":`, returning the key
// and the index of its value; nil for keys with escapes or anything else.
func rawKey(b []byte, i int) ([]byte, int) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0
	}
	n := indexQuote(b[i+1:])
	if n < 0 {
		return nil, 0
	}
	k := b[i+1 : i+1+n]
	end := i + 2 + n
	if bytes.IndexByte(k, '\\') >= 0 || end >= len(b) || b[end] != ':' {
		return nil, 0
	}
	return k, end + 1
}

// skipValue returns the end of the JSON value at b[i:], or -1. It finds
// where a value written without white space ends; it does not validate.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for {
				n := indexQuote(b[i:])
				if n < 0 {
					return -1
				}
				i += n
				bs := 0 // an odd run of backslashes escapes the quote
				for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
					bs++
				}
				i++
				if bs%2 == 0 {
					break
				}
			}
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i
			}
			i++
		case ' ', '\t', '\n', '\r':
			return -1
		default: // numbers, true, false, null
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}') {
			return i
		}
	}
	return -1
}

// indexQuote is bytes.IndexByte(b, '"'), quicker for the short keys and
// values of log events.
func indexQuote(b []byte) int {
	for i := 0; i < len(b) && i < 16; i++ {
		if b[i] == '"' {
			return i
		}
	}
	if len(b) <= 16 {
		return -1
	}
	if n := bytes.IndexByte(b[16:], '"'); n >= 0 {
		return 16 + n
	}
	return -1
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && string(a[i:i+8]) == string(b[i:i+8]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
