// Package zapmetlog is a zapcore.Core that sends zap's log entries through a
// metlog client, to run beside (zapcore.NewTee) or instead of zap's own
// output:
//
//	zap.New(zapcore.NewTee(existingCore, zapmetlog.NewCore(c, zapcore.InfoLevel)))
//
// Each entry becomes one message of type "oldstyle" (WithType): the payload
// is the entry's message, the logger WithLogger's name if set, else zap's
// logger name (Named), else the client's; the severity the syslog value of the level
// (DefaultSeverity: Debug 7, Info 6, Warn 4, Error 3, DPanic 2, Panic 1, Fatal 0;
// WithSeverity), and the timestamp the entry's time.
//
// Fields become message fields, encoded without allocating:
//
//   - strings, integers, floats, bools: the matching field kinds; uint64
//     values above math.MaxInt64 as core.Uint does; float32 values as the
//     float64 nearest their shortest decimal form (0.1, not 0.100000001);
//   - durations: integers of nanoseconds with representation "ns";
//   - times: RFC 3339 strings in UTC with nanoseconds (core.Time);
//   - binary: bytes (base64 in JSON); byte strings: strings;
//   - complex numbers: strings such as "1+2i", as zap's JSON encoder writes;
//   - objects (Object, Dict, ...) and namespaces: groups, nested objects in
//     JSON and dotted names in Heka. A namespace holds every later field of
//     its object, or of the entry; one opened by With holds later context
//     and every message's fields (core.Scope.WithGroup), and is left out
//     while it holds nothing (Scope's rule; Heka cannot carry an empty
//     group at all). Groups with an empty name are written "_" (zap keeps
//     the empty key). A nil ObjectMarshaler or ArrayMarshaler is null, as
//     zap.Object(key, nil) is;
//   - arrays whose elements are all integers (or durations), all floats, all
//     bools or all strings (or byte strings, times, complex numbers):
//     repeated fields. Empty arrays: an empty repeated string field. Any
//     other array (mixed element types, nested arrays, objects, reflected
//     values, integers beyond int64): its JSON text as a core.RawJSON field,
//     which the JSON envelope inlines and Heka carries as a string with
//     representation "json";
//   - reflected values (Any of an unknown type, Reflect): as the other
//     adapters convert values of any type (core.Entry.AddAny): structs
//     and maps are groups (by encoding/json's field rules), lists of
//     scalars repeated fields, nil null; inside an array that is JSON text,
//     encoding/json's output without HTML escaping;
//   - Stringers and errors: as zap does, through zapcore.Field.AddTo: the
//     string, "<nil>" for a nil pointer, "<key>Verbose" for errors that
//     format differently with %+v, "<key>Causes" (an array of {"error": ...}
//     objects) for error groups, and a "<key>Error" field holding
//     "PANIC=<value>" when String or Error panics.
//
// A panic in MarshalLogObject, MarshalLogArray or MarshalJSON is recovered
// too (zap would let it through) and recorded the same way, as a
// "<key>Error" field holding "PANIC=<value>"; the fields the marshaler
// added before it panicked stay, an array's elements do not.
//
// The caller, when zap has it (AddCaller), is the group source with file,
// line and function; the stack trace (AddStacktrace) is the string field
// stacktrace. Both describe the entry rather than its fields, so they are
// the message's core.Message.TopFields: written after the entry's fields,
// at the top level, outside any namespace opened by With.
package zapmetlog

import (
	"context"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/zap/zapcore"
)

// Core is a zapcore.Core writing to a metlog client. Make one with NewCore;
// it is safe for concurrent use.
type Core struct {
	enab   zapcore.LevelEnabler
	client *core.Client
	cfg    *settings
	scope  *core.Scope // context of With, encoded once
}

// settings are fixed when the core is made and shared by its With children.
type settings struct {
	config
	sev [256]core.Severity // by uint8(zapcore.Level)
}

var _ zapcore.Core = (*Core)(nil)

// NewCore returns a core that sends the entries enab enables to c.
func NewCore(c *core.Client, enab zapcore.LevelEnabler, opts ...Option) zapcore.Core {
	s := &settings{config: config{typ: core.TypeOldstyle, syncTimeout: DefaultSyncTimeout, severity: DefaultSeverity}}
	for _, o := range opts {
		o(&s.config)
	}
	for i := range s.sev {
		s.sev[i] = s.severity(zapcore.Level(int8(uint8(i))))
	}
	return &Core{enab: enab, client: c, cfg: s, scope: core.NewScope(c.Format())}
}

// Level returns the minimum level enabled, for zapcore.LevelOf.
func (c *Core) Level() zapcore.Level { return zapcore.LevelOf(c.enab) }

// Enabled reports whether entries of level l are logged: enabled by the
// core's LevelEnabler and passing the client's type and severity filters.
func (c *Core) Enabled(l zapcore.Level) bool {
	return c.enab.Enabled(l) && c.client.Enabled(c.cfg.typ, c.cfg.sev[uint8(l)])
}

// With returns a core whose messages carry fields before their own. The
// fields are encoded once, here.
func (c *Core) With(fields []zapcore.Field) zapcore.Core {
	if len(fields) == 0 {
		return c
	}
	x := getEncoder()
	x.with = true
	x.scope = c.scope
	for i := range fields {
		x.addField(&fields[i])
	}
	scope := x.flushScope()
	putEncoder(x)
	return &Core{enab: c.enab, client: c.client, cfg: c.cfg, scope: scope}
}

// Check adds the core to ce when the entry's level is enabled.
func (c *Core) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

// Write sends the entry and its fields. It never waits on delivery: a
// message the client drops (ring full, client closed, too large) is counted
// in the client's Stats rather than returned, so that an unreachable router
// does not turn into one write to zap's ErrorOutput per entry. Entries above
// ErrorLevel (DPanic, Panic, Fatal) are followed by Sync, as zap's own
// cores do, because the process may be about to end.
func (c *Core) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	if len(fields) == 0 && !ent.Caller.Defined && ent.Stack == "" {
		// Nothing to convert: no entry, no encoder.
		var m core.Message
		c.envelope(&m, &ent)
		_ = c.client.SendEnabled(&m) // Check asked Enabled; drops are counted in Stats
	} else {
		x := getEncoder()
		e := x.e
		c.envelope(&e.Message, &ent)
		e.TopFields = x.topFields(&ent)
		for i := range fields {
			x.addField(&fields[i])
		}
		e.Message.Fields = e.Fields()
		_ = c.client.SendEnabled(&e.Message)
		putEncoder(x)
	}
	if ent.Level > zapcore.ErrorLevel {
		_ = c.Sync()
	}
	return nil
}

// topFields returns the entry's caller and stack trace fields, built in
// x's own arrays: outside the groups of With's namespaces, and with no
// allocation.
func (x *encoder) topFields(ent *zapcore.Entry) []core.Field {
	n := 0
	if ent.Caller.Defined {
		x.src[0] = core.String("file", ent.Caller.File)
		x.src[1] = core.Int64("line", int64(ent.Caller.Line))
		ns := 2
		if ent.Caller.Function != "" {
			x.src[2] = core.String("function", ent.Caller.Function)
			ns = 3
		}
		x.top[n] = core.Group("source", x.src[:ns]...)
		n++
	}
	if ent.Stack != "" {
		x.top[n] = core.String("stacktrace", ent.Stack)
		n++
	}
	if n == 0 {
		return nil
	}
	return x.top[:n]
}

// envelope sets what m takes from the entry and the core.
func (c *Core) envelope(m *core.Message, ent *zapcore.Entry) {
	m.Timestamp = ent.Time
	m.Type = c.cfg.typ
	m.Severity = c.cfg.sev[uint8(ent.Level)]
	m.Payload = ent.Message
	m.Scope = c.scope
	m.Logger = c.cfg.logger
	if m.Logger == "" {
		m.Logger = ent.LoggerName // "" means the client's
	}
}

// Sync waits until the client has delivered every message queued so far, or
// until the sync timeout (WithSyncTimeout) passes; then it returns the
// client's error saying how many messages were still pending. It never
// waits longer, even on a dead router.
func (c *Core) Sync() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.syncTimeout)
	defer cancel()
	return c.client.Flush(ctx)
}
