package logrusmetlog

import (
	"context"
	"sync"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/sirupsen/logrus"
)

// Hook is a logrus.Hook that sends every entry of its levels to a metlog
// client. Fire encodes the entry and queues it without waiting on I/O
// (except after Fatal and Panic entries, see WithFlushOnFatal); messages
// the client cannot queue are dropped and counted in its Stats, and Fire
// never returns an error. A Hook is safe for concurrent use.
type Hook struct {
	c          *core.Client
	levels     []logrus.Level
	typ        string
	logger     string
	severity   func(logrus.Level) core.Severity
	ctxFields  func(context.Context, *core.Entry)
	fatalFlush time.Duration

	scratch sync.Pool // of *scratch
}

// NewHook returns a hook sending to c, configured by opts.
func NewHook(c *core.Client, opts ...Option) *Hook {
	h := &Hook{
		c:          c,
		levels:     append([]logrus.Level(nil), logrus.AllLevels...),
		typ:        core.TypeOldstyle,
		severity:   DefaultSeverity,
		fatalFlush: DefaultFatalFlush,
	}
	for _, o := range opts {
		o(h)
	}
	h.scratch.New = func() any { return new(scratch) }
	return h
}

// Levels returns the levels the hook fires for.
func (h *Hook) Levels() []logrus.Level { return h.levels }

// Fire sends entry. It always returns nil: a message that cannot be sent
// is counted by the client, and logging goes on.
func (h *Hook) Fire(entry *logrus.Entry) error {
	sev := h.severity(entry.Level) // core.DefaultSeverity is the client's default, in Enabled and Send alike
	if !h.c.Enabled(h.typ, sev) {
		return nil
	}
	if len(entry.Data) == 0 && entry.Caller == nil && (h.ctxFields == nil || entry.Context == nil) {
		// Nothing to convert: a message on the stack, without the pool.
		m := core.Message{Timestamp: entry.Time, Type: h.typ, Logger: h.logger, Severity: sev, Payload: entry.Message}
		_ = h.c.SendEnabled(&m) // drops are counted in the client's Stats
		h.flushFatal(entry.Level)
		return nil
	}
	e := core.GetEntry()
	e.Timestamp = entry.Time
	e.Type = h.typ
	e.Logger = h.logger
	e.Severity = sev
	e.Payload = entry.Message
	var s *scratch
	if len(entry.Data) > 0 {
		s = h.scratch.Get().(*scratch)
		s.e = e
		s.addFields(entry.Data, entry.Caller != nil)
	}
	if h.ctxFields != nil && entry.Context != nil {
		addContext(h.ctxFields, entry.Context, e)
	}
	if c := entry.Caller; c != nil {
		e.OpenGroup(sourceKey)
		e.Add(core.String("file", c.File))
		e.Add(core.Int64("line", int64(c.Line)))
		e.Add(core.String("function", c.Function))
		e.CloseGroup(false)
	}
	e.Message.Fields = e.Fields()
	_ = h.c.SendEnabled(&e.Message) // drops are counted in the client's Stats
	if s != nil {
		s.release()
		h.scratch.Put(s)
	}
	e.Free()
	h.flushFatal(entry.Level)
	return nil
}

// sourceKey names the caller's group. With a caller, a Data field of
// that name is renamed "fields.source", as logrus's formatters rename
// fields that clash with theirs.
const sourceKey = "source"

// flushFatal waits for delivery after Fatal and Panic entries, for at most
// the WithFlushOnFatal bound.
func (h *Hook) flushFatal(l logrus.Level) {
	if h.fatalFlush > 0 && l <= logrus.FatalLevel {
		ctx, cancel := context.WithTimeout(context.Background(), h.fatalFlush)
		_ = h.c.Flush(ctx)
		cancel()
	}
}

// scratch is the state of converting an entry's Data, pooled so that it
// allocates nothing: the core entry under construction and the Data's
// entries being sorted.
type scratch struct {
	e     *core.Entry
	pairs []anyPair
}

// release drops the scratch's references to the entry and its data.
func (s *scratch) release() {
	s.e = nil
	clear(s.pairs)
	s.pairs = s.pairs[:0]
	if cap(s.pairs) > maxPooledPairs {
		s.pairs = nil // one huge entry does not pin memory in the pool
	}
}

const maxPooledPairs = 1024

// addContext runs the user's context function f, recording a panic.
func addContext(f func(context.Context, *core.Entry), ctx context.Context, e *core.Entry) {
	depth := e.Depth()
	defer func() {
		if r := recover(); r != nil {
			for e.Depth() > depth {
				e.CloseGroup(false)
			}
			e.Add(core.String("context", panicText(r, "context fields")))
		}
	}()
	f(ctx, e)
}
