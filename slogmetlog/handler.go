package slogmetlog

import (
	"context"
	"log/slog"
	"runtime"

	"github.com/metlog-go/metlog/core"
)

// TimeUnsetField names the boolean field (always true) that Handle adds at
// the top level of a message whose slog.Record has a zero Time. The Metlog
// envelope always carries a timestamp, so such a message is stamped with
// the time it was sent; the field says that this timestamp is not the
// record's. Readers that rebuild slog records omit slog.TimeKey for it.
const TimeUnsetField = "time_unset"

// Options configure a Handler. The zero value (or nil) is usable.
type Options struct {
	// Level is the minimum level handled; nil means slog.LevelInfo.
	Level slog.Leveler

	// AddSource adds a group "source" with the caller's function, file
	// and line (fields source.function, source.file, source.line).
	AddSource bool

	// Logger is the messages' logger name; empty means the client's.
	Logger string

	// Type is the messages' type; empty means core.TypeOldstyle.
	Type string

	// ReplaceAttr rewrites or drops attributes, with slog's semantics: it
	// is called for every non-group attribute (after LogValuers are
	// resolved) with the names of the groups that enclose it, and an attr
	// it returns with an empty key and a nil value is dropped. It is called
	// for the source attribute (key slog.SourceKey, a *slog.Source value)
	// but not for time, level and message, which are the envelope's
	// timestamp, severity and payload rather than fields. It is not called
	// for the fields added by FromContext.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr

	// Severity maps slog levels to syslog severities; nil means
	// DefaultSeverity. core.DefaultSeverity (the zero Severity) means the
	// client's default.
	Severity func(slog.Level) core.Severity

	// FromContext adds fields taken from the context passed to Handle,
	// such as trace and request ids, with e.Add (e.OpenGroup, e.AppendText
	// and the other scratch methods work too). e is not the message's own
	// entry but a pooled one that collects the message's top-level fields
	// (core.Message.TopFields): what FromContext adds is written after the
	// record's attributes, outside the handler's groups, and costs no
	// allocation. It must not keep e or call anything but its methods that
	// add fields and format text.
	FromContext func(ctx context.Context, e *core.Entry)
}

// Handler is a slog.Handler that sends each record to a core.Client as a
// Metlog message: the record's time, level and message become the
// envelope's timestamp, severity and payload, and its attributes become
// fields. See the package documentation for the mapping.
type Handler struct {
	c         *core.Client
	level     slog.Leveler
	severity  func(slog.Level) core.Severity
	typ       string
	logger    string
	addSource bool
	sources   *sourceCache // when addSource
	replace   func([]string, slog.Attr) slog.Attr
	fromCtx   func(context.Context, *core.Entry)

	// scope holds the WithAttrs attributes encoded once and the WithGroup
	// groups; every message refers to it.
	scope *core.Scope
	// groups are the WithGroup names, for ReplaceAttr.
	groups []string
}

// NewHandler returns a handler sending to c. opts may be nil.
func NewHandler(c *core.Client, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	h := &Handler{
		c:         c,
		level:     opts.Level,
		severity:  opts.Severity,
		typ:       opts.Type,
		logger:    opts.Logger,
		addSource: opts.AddSource,
		replace:   opts.ReplaceAttr,
		fromCtx:   opts.FromContext,
	}
	if h.addSource {
		h.sources = new(sourceCache)
	}
	if h.level == nil {
		h.level = slog.LevelInfo
	}
	if h.severity == nil {
		h.severity = DefaultSeverity
	}
	if h.typ == "" {
		h.typ = core.TypeOldstyle
	}
	h.scope = core.NewScope(c.Format()) // attributes are encoded in the client's format
	return h
}

// Enabled reports whether a record of this level passes the handler's
// minimum level and the client's type and severity filters.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.c.Enabled(h.typ, h.severity(l))
}

// Handle sends r. It returns the client's error for a message that could
// not be queued (core.ErrFull, core.ErrClosed, an oversize error); such
// messages are also counted in the client's Stats.
//
// The record's attributes go inside the handler's groups, after the
// pre-encoded scope; the fields that describe the record (TimeUnsetField,
// source, those of FromContext) go in Message.TopFields, at the top level.
// Each list is built in an entry of its own from core's pool, and a list
// with nothing to hold takes none.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var top *core.Entry
	if r.Time.IsZero() || h.fromCtx != nil || (h.addSource && r.PC != 0) {
		top = core.GetEntry()
		if r.Time.IsZero() {
			top.Add(core.Bool(TimeUnsetField, true))
		}
		if h.addSource && r.PC != 0 {
			h.addSourceField(top, r.PC)
		}
		if h.fromCtx != nil {
			h.fromCtx(ctx, top)
		}
	}
	var err error
	if r.NumAttrs() == 0 {
		// No attribute to convert: no entry for them.
		m := core.Message{
			Timestamp: r.Time,
			Type:      h.typ,
			Logger:    h.logger,
			Severity:  h.severity(r.Level),
			Payload:   r.Message,
			Scope:     h.scope,
		}
		if top != nil {
			m.TopFields = top.Fields()
		}
		err = h.c.SendEnabled(&m) // slog asked Enabled first
	} else {
		e := core.GetEntry()
		e.Timestamp = r.Time
		e.Type = h.typ
		e.Logger = h.logger
		e.Severity = h.severity(r.Level)
		e.Payload = r.Message
		e.Scope = h.scope // the attributes go inside its groups
		if top != nil {
			e.TopFields = top.Fields()
		}
		groups := h.groups
		r.Attrs(func(a slog.Attr) bool {
			h.addAttr(e, a, groups, 0)
			return true
		})
		e.CloseAll(true)
		e.Message.Fields = e.Fields()
		err = h.c.SendEnabled(&e.Message)
		e.Free()
	}
	if top != nil {
		top.Free()
	}
	return err
}

// addSourceField adds the "source" group of the record's caller.
func (h *Handler) addSourceField(e *core.Entry, pc uintptr) {
	f := *h.sources.frame(pc)
	if h.replace != nil {
		// ReplaceAttr sees the source as slog's handlers show it.
		a := slog.Any(slog.SourceKey, &slog.Source{Function: f.Function, File: f.File, Line: f.Line})
		a = h.replace(nil, a)
		a.Value = a.Value.Resolve()
		if src, ok := a.Value.Any().(*slog.Source); ok && a.Value.Kind() == slog.KindAny && src != nil {
			f.Function, f.File, f.Line = src.Function, src.File, src.Line
			if a.Key != slog.SourceKey {
				h.addSourceGroup(e, a.Key, f)
				return
			}
		} else {
			// Replaced by something else: handle it as any attribute.
			h.addResolved(e, a, a.Value.Kind(), nil, 0)
			return
		}
	}
	h.addSourceGroup(e, slog.SourceKey, f)
}

func (h *Handler) addSourceGroup(e *core.Entry, key string, f runtime.Frame) {
	e.OpenGroup(key)
	e.Add(core.String("function", f.Function))
	e.Add(core.String("file", f.File))
	e.Add(core.Int64("line", int64(f.Line)))
	e.CloseGroup(true)
}

// WithAttrs returns a handler whose messages carry attrs, converted and
// encoded once here rather than for every message.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	// The scope encodes the fields and keeps none of the entry's memory.
	e := core.GetEntry()
	defer e.Free()
	for _, a := range attrs {
		h.addAttr(e, a, h.groups, 0)
	}
	e.CloseAll(true)
	fields := e.Fields()
	if len(fields) == 0 {
		return h
	}
	h2 := *h
	h2.scope = h.scope.With(fields...)
	return &h2
}

// WithGroup returns a handler whose later attributes (from WithAttrs and
// from records) go in a group named name: a nested object in the JSON
// envelope, names prefixed "name." in Heka. A group that receives no
// attributes is not written; an empty name returns h.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.scope = h.scope.WithGroup(name)
	g := append(h.groups[:len(h.groups):len(h.groups)], name)
	h2.groups = g[:len(g):len(g)] // ReplaceAttr may append to it
	return &h2
}
