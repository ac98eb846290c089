package zerologmetlog

import (
	"strings"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/rs/zerolog"
	"github.com/valyala/fastjson"
)

// converter turns one zerolog event into a core.Entry. Converters are
// pooled; everything they hand to the entry (strings, keys) points into
// the parser's copy of the event (fastjson unescapes strings and keys in
// place, without allocating) or into text, and stays valid until the entry
// has been sent.
type converter struct {
	p    fastjson.Parser
	e    *core.Entry
	num  []byte // the current number's JSON text (transient)
	sent bool   // the current event has been handed to the client

	keys     keyNames
	known    bool // the level was given by WriteLevel
	level    zerolog.Level
	levelKey bool            // the level key has been seen
	msg      *fastjson.Value // the message key's value
	ts       *fastjson.Value // the timestamp key's value
	dup      bool            // a message or timestamp key is repeated
	lastMsg  *fastjson.Value // in a second pass, the last message and
	lastTs   *fastjson.Value // timestamp values (the others are fields)

	body       []byte // the event without a learnt context
	ends       []int  // member ends, for learning
	events     uint64 // events converted, for sampling
	recent     [recentCandidates][]byte
	recentNext int

	// the last RFC 3339 timestamp parsed, and its time
	tsText [40]byte
	tsLen  int
	tsTime time.Time

	// a cached method value, so that visiting allocates nothing
	topFn func(key []byte, v *fastjson.Value)
}

// keyNames are zerolog's configurable key names, read once per event.
type keyNames struct{ level, time, msg, err, caller, stack string }

func newConverter() *converter {
	cv := &converter{}
	cv.topFn = cv.top
	return cv
}

// reset drops the event's references before the converter is pooled.
func (cv *converter) reset() {
	cv.e, cv.msg, cv.ts, cv.lastMsg, cv.lastTs = nil, nil, nil, nil, nil
	cv.sent = false
	if cap(cv.body) > 64<<10 {
		cv.body = nil
	}
}

// convert parses p and sends it as an event; false means p is not a JSON
// object.
func (cv *converter) convert(w *Writer, p []byte, l zerolog.Level, known bool) bool {
	cv.keys = keyNames{
		level:  zerolog.LevelFieldName,
		time:   zerolog.TimestampFieldName,
		msg:    zerolog.MessageFieldName,
		err:    zerolog.ErrorFieldName,
		caller: zerolog.CallerFieldName,
		stack:  zerolog.ErrorStackFieldName,
	}
	learn, restAt := false, 0
	if w.ctx != nil {
		// Learning scans the event: after a converter's first events,
		// only one event in learnEvery tries.
		cv.events++
		try := cv.events <= learnEagerly || cv.events%learnEvery == 0
		if any := w.ctx.any.Load(); any || try {
			start, levelEnd, rest, ok := cv.splitLevel(p)
			ctx, body := (*ctxEntry)(nil), []byte(nil)
			if any {
				ctx, body = cv.lookup(w.ctx, p, start, levelEnd, rest)
			}
			if ctx != nil {
				if e := cv.fields(body, l, known, ctx); e != nil {
					cv.send(w, e, ctx.scope)
					return true
				}
				// The learnt context's message or timestamp members
				// would have been the event's own: convert the whole
				// event.
			} else {
				learn, restAt = ok && try, rest
			}
		}
	}
	e := cv.fields(p, l, known, nil)
	if e == nil {
		return false
	}
	cv.send(w, e, nil)
	if learn {
		cv.learn(w.ctx, p, restAt)
	}
	return true
}

// sentinel is a Value no event holds: as lastMsg and lastTs it makes every
// message and timestamp member an ordinary field.
var sentinel = new(fastjson.Value)

// fields parses src and converts its members into a new entry, nil when
// src is not a JSON object or (with ctx) when ctx does not apply.
//
// zerolog does not deduplicate keys. For the message and the timestamp
// the last member wins and earlier ones are fields, in place: the first
// pass notes a repeated key (dup) and the last values, and a second pass
// converts knowing them.
func (cv *converter) fields(src []byte, l zerolog.Level, known bool, ctx *ctxEntry) *core.Entry {
	v, err := cv.p.ParseBytes(src)
	if err != nil {
		return nil
	}
	o := v.GetObject()
	if o == nil {
		return nil
	}
	cv.lastMsg, cv.lastTs = nil, nil
	for {
		cv.known, cv.level = known, l
		// With NoLevel zerolog writes no level key: a "level" key is the user's.
		cv.levelKey = known && l == zerolog.NoLevel || cv.keys.level == ""
		cv.msg, cv.ts, cv.dup = nil, nil, false
		cv.e = core.GetEntry()
		o.Visit(cv.topFn)
		if !cv.dup {
			break
		}
		cv.e.Free()
		cv.lastMsg, cv.lastTs = cv.msg, cv.ts
	}
	if ctx != nil && (ctx.hasMsg && cv.msg == nil || ctx.hasTime && cv.ts == nil) {
		cv.e.Free()
		cv.e = nil
		return nil
	}
	return cv.e
}

// send completes the entry with the envelope and sends it.
func (cv *converter) send(w *Writer, e *core.Entry, scope *core.Scope) {
	sev := w.sev[uint8(cv.level)]
	if w.on[uint8(cv.level)]&typOn == 0 {
		cv.sent = true // filtered: nothing to deliver, raw or not
		e.Free()
		cv.e = nil
		return
	}
	if cv.msg != nil {
		if cv.msg.Type() == fastjson.TypeString {
			e.Payload = str(cv.msg)
		} else {
			cv.value(cv.keys.msg, cv.msg)
		}
	}
	if cv.ts != nil {
		if t, ok := cv.timestamp(cv.ts); ok {
			e.Timestamp = t
		} else {
			cv.value(cv.keys.time, cv.ts)
		}
	}
	e.Type, e.Logger, e.Severity, e.Scope = w.typ, w.logger, sev, scope
	e.Message.Fields = e.Fields()
	_ = w.c.SendEnabled(&e.Message) // the filters were asked in w.on; drops are counted in the client's Stats
	cv.sent = true
	e.Free()
	cv.e = nil
}

// eq compares a key with a name, checking the cheap things first.
func eq(key, name string) bool {
	return len(key) == len(name) && (len(key) == 0 || key[0] == name[0]) && key == name
}

// top handles a member of the event object: zerolog's own keys, or a field.
func (cv *converter) top(k []byte, v *fastjson.Value) {
	key := b2s(k)
	n := &cv.keys
	switch {
	case !cv.levelKey && eq(key, n.level):
		cv.levelKey = true
		if cv.known {
			return
		}
		if v.Type() == fastjson.TypeString {
			if l, ok := parseLevel(str(v)); ok {
				cv.level = l
				return
			}
		}
		cv.value(key, v)
	case eq(key, n.msg):
		switch {
		case cv.lastMsg == nil: // first pass
			cv.dup = cv.dup || cv.msg != nil
			cv.msg = v
		case v == cv.lastMsg:
			cv.msg = v
		default:
			cv.value(key, v)
		}
	case eq(key, n.time):
		switch {
		case cv.lastTs == nil:
			cv.dup = cv.dup || cv.ts != nil
			cv.ts = v
		case v == cv.lastTs:
			cv.ts = v
		default:
			cv.value(key, v)
		}
	case cv.dup:
		// The first pass will be redone: only the message and timestamp
		// keys still matter.
	case eq(key, n.err):
		cv.value("error", v)
	case eq(key, n.caller):
		cv.caller(v)
	case eq(key, n.stack):
		if v.Type() == fastjson.TypeString {
			cv.e.Add(core.String("stacktrace", str(v)))
		} else {
			cv.e.AddJSONText("stacktrace", v)
		}
	default:
		cv.value(key, v)
	}
}

// value adds the field name: v, by core's rules for JSON values.
func (cv *converter) value(name string, v *fastjson.Value) { cv.e.AddJSON(name, v) }

// str returns the string value v, in place.
func str(v *fastjson.Value) string { return b2s(v.GetStringBytes()) }

// numText returns the JSON text of the number v, valid until the next call.
func (cv *converter) numText(v *fastjson.Value) []byte {
	cv.num = v.MarshalTo(cv.num[:0])
	return cv.num
}

// caller adds zerolog's "file:line" as the group source{file, line}.
func (cv *converter) caller(v *fastjson.Value) {
	if v.Type() != fastjson.TypeString {
		cv.value(cv.keys.caller, v)
		return
	}
	s := str(v)
	e := cv.e
	e.OpenGroup("source")
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if n := jsontext.ParseNumber(s2b(s[i+1:])); n.Kind == jsontext.NumInt && n.Int >= 0 && s[i+1] != '-' {
			e.Add(core.String("file", s[:i]))
			e.Add(core.Int64("line", n.Int))
			e.CloseGroup(false)
			return
		}
	}
	e.Add(core.String("file", s))
	e.CloseGroup(false)
}

// parseLevel reads a level as zerolog writes it: one of its level values
// (case-insensitive) or a level number.
func parseLevel(s string) (zerolog.Level, bool) {
	for _, c := range [...]struct {
		name string
		l    zerolog.Level
	}{
		{zerolog.LevelInfoValue, zerolog.InfoLevel},
		{zerolog.LevelDebugValue, zerolog.DebugLevel},
		{zerolog.LevelWarnValue, zerolog.WarnLevel},
		{zerolog.LevelErrorValue, zerolog.ErrorLevel},
		{zerolog.LevelTraceValue, zerolog.TraceLevel},
		{zerolog.LevelFatalValue, zerolog.FatalLevel},
		{zerolog.LevelPanicValue, zerolog.PanicLevel},
	} {
		if s == c.name || strings.EqualFold(s, c.name) {
			return c.l, true
		}
	}
	if n := jsontext.ParseNumber(s2b(s)); n.Kind == jsontext.NumInt && n.Int >= -128 && n.Int <= 127 {
		return zerolog.Level(n.Int), true
	}
	return zerolog.NoLevel, false
}

// b2s views b as a string; b must not change while the string is in use.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// s2b views s as bytes, which must not be modified.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
