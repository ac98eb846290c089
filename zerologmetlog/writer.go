package zerologmetlog

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/rs/zerolog"
	"github.com/valyala/fastjson"
)

// Writer is a zerolog.LevelWriter that sends every event to a core.Client.
// Use it alone (zerolog.New(w)) or beside other writers in
// zerolog.MultiLevelWriter. It is safe for concurrent use and keeps
// nothing of the bytes it is given once Write returns.
type Writer struct {
	c         *core.Client
	logger    string
	typ       string
	rawType   string
	sev       [256]core.Severity // by uint8(level)
	on        [256]uint8         // by uint8(level): typOn and rawOn, the client's type and severity filters (fixed once the client is made)
	ctx       *ctxCache          // learnt logger contexts; nil when disabled
	malformed atomic.Uint64

	closeTimeout time.Duration
}

var (
	_ zerolog.LevelWriter = (*Writer)(nil)
	_ io.Closer           = (*Writer)(nil)
)

// NewWriter returns a Writer sending to c. See the package documentation
// for the mapping of zerolog's keys.
func NewWriter(c *core.Client, opts ...Option) *Writer {
	cfg := config{typ: core.TypeOldstyle, rawType: RawType, severity: DefaultSeverity, contexts: defaultContextSlots, closeTimeout: DefaultCloseTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	w := &Writer{c: c, logger: cfg.logger, typ: cfg.typ, rawType: cfg.rawType, ctx: newCtxCache(cfg.contexts, c.Format()),
		closeTimeout: cfg.closeTimeout}
	for i := range w.sev {
		w.sev[i] = cfg.severity(zerolog.Level(int8(uint8(i))))
		if c.Enabled(w.typ, w.sev[i]) {
			w.on[i] |= typOn
		}
		if c.Enabled(w.rawType, w.sev[i]) {
			w.on[i] |= rawOn
		}
	}
	return w
}

// Close waits until the client has delivered every message queued so far,
// or until the close timeout (WithCloseTimeout) passes, and returns the
// client's Flush error. zerolog calls it after a Fatal event, before the
// process exits, so that the Fatal line and everything before it arrive
// (zerolog.MultiLevelWriter passes the call on to the writers it holds). It
// does not close the client, which other loggers may share: the writer keeps
// working after Close.
func (w *Writer) Close() error {
	if w.closeTimeout <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.closeTimeout)
	defer cancel()
	return w.c.Flush(ctx)
}

// Write sends the event p, reading its level from zerolog's level key. It
// always returns len(p), nil.
func (w *Writer) Write(p []byte) (int, error) {
	w.write(p, zerolog.NoLevel, false)
	return len(p), nil
}

// WriteLevel sends the event p at level l (zerolog calls it with the
// event's level). It always returns len(p), nil.
func (w *Writer) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	if w.on[uint8(l)] == 0 {
		return len(p), nil
	}
	w.write(p, l, true)
	return len(p), nil
}

// Malformed returns the number of writes handed on as RawType messages:
// those that were not a zerolog event (not a JSON object), those longer
// than the client's size limit, and those whose conversion panicked. They are counted before the client's filters,
// which may still drop them (counted in the client's Stats).
func (w *Writer) Malformed() uint64 { return w.malformed.Load() }

var converters = sync.Pool{New: func() any { return newConverter() }}

// maxPooledEvent bounds the events whose parse a pooled converter keeps:
// fastjson keeps the tree of the largest event its parser read (some 80
// bytes per JSON value), so a converter that read a larger one drops it.
const maxPooledEvent = 64 << 10

func (w *Writer) write(p []byte, l zerolog.Level, known bool) {
	if len(p) > w.c.MaxMessageSize() {
		// Too large to be encoded as it is: not parsed (which would cost
		// memory in proportion to it), but sent raw, which the encoder
		// truncates.
		if !known {
			l = leadingLevel(p)
		}
		w.sendRaw(p, l, "")
		return
	}
	cv := converters.Get().(*converter)
	done := false
	defer func() {
		if !done {
			// A panic while converting (a bug of ours: core already
			// recovers a panicking client filter): the converter's
			// state is unknown, so it is dropped, and the event is
			// still delivered, raw, unless it was sent before the panic
			// (while learning a context).
			r := recover()
			if !cv.sent {
				w.sendRaw(p, l, fmt.Sprint(r))
			}
		}
	}()
	ok := cv.convert(w, p, l, known)
	done = true
	cv.reset()
	if len(p) > maxPooledEvent {
		cv.p = fastjson.Parser{}
	}
	converters.Put(cv)
	if !ok {
		w.sendRaw(p, l, "")
	}
}

// sendRaw sends p as a RawType message; a non-empty panicked becomes the
// message's "panic" field.
func (w *Writer) sendRaw(p []byte, l zerolog.Level, panicked string) {
	w.malformed.Add(1)
	sev := w.sev[uint8(l)]
	if w.on[uint8(l)]&rawOn == 0 {
		return
	}
	defer func() { _ = recover() }() // last resort: the write must not panic
	if n := len(p); n > 0 && p[n-1] == '\n' {
		p = p[:n-1]
		if n > 1 && p[n-2] == '\r' {
			p = p[:n-2]
		}
	}
	m := core.Message{Type: w.rawType, Logger: w.logger, Severity: sev, Payload: b2s(p)}
	if panicked != "" {
		m.Fields = []core.Field{core.String("panic", panicked)}
	}
	_ = w.c.SendEnabled(&m) // the filters were asked in w.on
}

// Bits of Writer.on: the client passes the writer's message type, or its
// raw type, at a level's severity.
const (
	typOn uint8 = 1 << iota
	rawOn
)

// leadingLevel reads the level of an event from its first member, where
// zerolog writes it, without parsing the rest; NoLevel when it is not
// there.
func leadingLevel(p []byte) zerolog.Level {
	k, i := rawKey(p, 1)
	if len(p) == 0 || p[0] != '{' || k == nil || b2s(k) != zerolog.LevelFieldName || i >= len(p) || p[i] != '"' {
		return zerolog.NoLevel
	}
	n := indexQuote(p[i+1:])
	if n < 0 {
		return zerolog.NoLevel
	}
	if l, ok := parseLevel(b2s(p[i+1 : i+1+n])); ok {
		return l
	}
	return zerolog.NoLevel
}
