package core

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Format selects a wire encoding.
type Format uint8

// Wire formats.
const (
	// FormatJSON is the Metlog JSON envelope (metlog-py 0.10.0): one
	// compact object per message, ending in "\n".
	FormatJSON Format = iota
	// FormatHeka is Heka's protobuf stream framing: 0x1E, header length,
	// Header, 0x1F, Message.
	FormatHeka
	// FormatStatsd is statsd's line protocol, for metric messages
	// (counter, timer, gauge) only: "name:value|c|@rate|#tag:v" lines,
	// packed several to a datagram.
	FormatStatsd
	// FormatText is one human-readable line per message, for terminals and
	// logs read by people: the time, the severity's name, the logger, the
	// type, the payload and the fields as logfmt-like key=value pairs, groups
	// dotted (see encodeText in text.go). It is not meant to be parsed back.
	FormatText
	// FormatOTLP is OpenTelemetry's OTLP: each message is one LogRecord
	// (see encodeOTLP for the mapping and the severity table), framed as
	// one ScopeLogs.log_records entry; the OTLP/HTTP sender posts a batch
	// as one ExportLogsServiceRequest.
	FormatOTLP

	numFormats = iota
)

// String returns "json", "heka", "statsd", "text" or "otlp".
func (f Format) String() string {
	switch f {
	case FormatJSON:
		return "json"
	case FormatHeka:
		return "heka"
	case FormatStatsd:
		return "statsd"
	case FormatText:
		return "text"
	case FormatOTLP:
		return "otlp"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// DefaultMaxMessageSize is the default limit on one encoded message: Heka's
// MAX_MESSAGE_SIZE (64 KiB) for the Message protobuf, and the same for a
// JSON object.
const DefaultMaxMessageSize = 64 * 1024

// TruncatedField names the marker field added to a message whose payload
// was cut to fit the size limit. Its value is the payload's original length
// in bytes.
const TruncatedField = "payload_truncated"

// ErrOversize is returned (wrapped) for a message that does not fit the
// size limit even with its payload truncated.
var ErrOversize = errors.New("metlog: message exceeds the size limit")

// An Encoder writes messages in one wire format, append-style: it appends
// one complete frame to dst and returns the extended slice, as strconv's
// Append functions do. An Encoder is safe for concurrent use and does not
// allocate in steady state. A Client holds one, in its format.
type Encoder struct {
	format Format
	encBase
	json       jsonState // FormatJSON's pre-encoded parts
	heka       hekaState // FormatHeka's pre-encoded parts and signer
	statsdTags bool      // FormatStatsd writes tags
	otlp       otlpState // FormatOTLP's pre-encoded parts
}

// EncoderConfig holds the values an encoder adds to every message.
type EncoderConfig struct {
	// Logger is used for messages with an empty Logger.
	Logger string
	// Severity is used for messages with DefaultSeverity; Info when zero.
	Severity Severity
	// Hostname and Pid override the process's.
	Hostname string
	Pid      int32
	// Env holds fields written first in every message.
	Env []Field
	// MaxSize limits one encoded message in bytes (the Message protobuf
	// for Heka, the object for JSON); DefaultMaxMessageSize when zero.
	// An oversize message has its payload truncated, with a
	// TruncatedField marker, or is rejected with ErrOversize.
	MaxSize int
	// HMAC signs Heka records; ignored by the other formats.
	HMAC *HMACConfig
	// StatsdTags makes FormatStatsd write a metric's fields other than
	// its name and rate as DogStatsD tags ("|#k:v,..."); core.New turns it
	// on unless WithStatsdTags(false).
	StatsdTags bool
	// Now returns the timestamp of messages without one; time.Now when nil.
	Now func() time.Time
}

// NewEncoder returns an encoder writing format f.
func NewEncoder(f Format, cfg EncoderConfig) (*Encoder, error) {
	b, err := newEncBase(f, cfg)
	if err != nil {
		return nil, err
	}
	e := &Encoder{format: f, encBase: b}
	switch f {
	case FormatJSON:
		e.json.init(&e.encBase)
	case FormatHeka:
		if err := e.heka.init(&e.encBase, cfg.HMAC); err != nil {
			return nil, err
		}
	case FormatStatsd:
		e.statsdTags = cfg.StatsdTags
	case FormatText:
	case FormatOTLP:
		e.otlp.init(&e.encBase)
	default:
		return nil, fmt.Errorf("metlog: unknown format %d", f)
	}
	return e, nil
}

// Format returns the encoder's wire format.
func (e *Encoder) Format() Format { return e.format }

// AppendMessage appends m as one frame: a JSON object and "\n", a framed
// Heka record, statsd lines or a text line. A JSON, Heka or text message over the size limit
// has its payload truncated (with a TruncatedField marker); if it still
// does not fit, the error wraps ErrOversize. A message the format cannot
// carry gives an error wrapping ErrNotEncodable. On error dst is returned
// unchanged.
func (e *Encoder) AppendMessage(dst []byte, m *Message) ([]byte, error) {
	return e.appendMessage(dst, m, e.severityOf(m))
}

// severityOf returns m's severity, or the encoder's default when m's is
// not one of the eight.
func (e *Encoder) severityOf(m *Message) Severity {
	if !m.Severity.Valid() {
		return e.severity
	}
	return m.Severity
}

// encBase is the configuration both encoders share, resolved once.
type encBase struct {
	logger   string
	severity Severity
	hostname string
	pid      int32
	maxSize  int
	env      *Scope
	now      func() time.Time
}

// isDefaultTail reports whether m's env_version, pid and hostname are the
// encoder's own, so that their pre-encoded form can be copied.
func (b *encBase) isDefaultTail(m *Message) bool {
	return (m.EnvVersion == "" || m.EnvVersion == EnvVersion) &&
		(m.Pid == 0 || m.Pid == b.pid) &&
		(m.Hostname == "" || m.Hostname == b.hostname)
}

func newEncBase(f Format, cfg EncoderConfig) (encBase, error) {
	b := encBase{
		logger:   cfg.Logger,
		severity: Info,
		hostname: cfg.Hostname,
		pid:      cfg.Pid,
		maxSize:  cfg.MaxSize,
		now:      cfg.Now,
	}
	if cfg.Severity != DefaultSeverity {
		if !cfg.Severity.Valid() {
			return b, fmt.Errorf("metlog: default severity %d is not one of the eight syslog severities", cfg.Severity)
		}
		b.severity = cfg.Severity
	}
	if b.hostname == "" {
		b.hostname = processHostname
	}
	if b.pid == 0 {
		b.pid = processPid
	}
	if b.maxSize <= 0 {
		b.maxSize = DefaultMaxMessageSize
	}
	if b.now == nil {
		b.now = time.Now
	}
	if len(cfg.Env) > 0 {
		b.env = NewScope(f).With(cfg.Env...)
	}
	return b, nil
}

// Limits of a timestamp in int64 nanoseconds since the epoch, the type of
// Heka's timestamp (years 1678 to 2262).
const (
	minUnixSec = math.MinInt64/1_000_000_000 + 1
	maxUnixSec = math.MaxInt64/1_000_000_000 - 1
)

// stamp returns m's time in ns since the epoch, the clock's when m has none.
func (b *encBase) stamp(m *Message) int64 {
	if m.Timestamp.IsZero() {
		return b.now().UnixNano()
	}
	return unixNano(m.Timestamp)
}

// unixNano returns t in nanoseconds since the epoch, clamped to the range
// int64 nanoseconds can hold (time.Time.UnixNano is undefined outside it).
func unixNano(t time.Time) int64 {
	if s := t.Unix(); s < minUnixSec || s > maxUnixSec {
		if s < 0 {
			return minUnixSec * 1e9
		}
		return maxUnixSec * 1e9
	}
	return t.UnixNano()
}

// tailValues returns the env_version, pid and hostname a message carries:
// its own, or the encoder's. It returns copies of the strings' headers
// only, so that m's contents do not escape through it.
func (b *encBase) tailValues(m *Message) (ver string, pid int32, host string) {
	ver, pid, host = EnvVersion, b.pid, b.hostname
	if m.EnvVersion != "" {
		ver = m.EnvVersion
	}
	if m.Pid != 0 {
		pid = m.Pid
	}
	if m.Hostname != "" {
		host = m.Hostname
	}
	return ver, pid, host
}

// appendMessage encodes m at severity sev (resolved by the caller), and
// when the encoded message is over the limit re-encodes it with the
// payload cut (at a UTF-8 boundary) and a TruncatedField marker.
func (e *Encoder) appendMessage(dst []byte, m *Message, sev Severity) ([]byte, error) {
	if e.format == FormatStatsd {
		return e.encodeStatsd(dst, m) // a payload that is a number cannot be cut
	}
	start := len(dst)
	out, size := dst, len(m.Payload) // a payload over the limit cannot fit: cut it before encoding it
	if size <= e.maxSize {
		if out, size = e.encode(dst, m, sev, m.Payload, -1); size <= e.maxSize {
			return out, nil
		}
	}
	payload := m.Payload
	over := size - e.maxSize
	for try := 0; try < 4 && len(payload) > 0; try++ {
		// The marker costs at most ~40 bytes in either format; cutting
		// the raw payload by n shrinks its encoding by at least n.
		cut := len(payload) - over - 48
		if cut < 0 {
			cut = 0
		}
		for cut > 0 && !utf8.RuneStart(payload[cut]) {
			cut--
		}
		payload = payload[:cut]
		out, size = e.encode(out[:start], m, sev, payload, len(m.Payload))
		if size <= e.maxSize {
			return out, nil
		}
		over = size - e.maxSize
	}
	return dst[:start], fmt.Errorf("%w: %d bytes encoded, limit %d", ErrOversize, size, e.maxSize)
}

// encode writes m with the given payload; origLen >= 0 adds the truncation
// marker. It returns the output and the encoded size the limit applies to.
func (e *Encoder) encode(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	switch e.format {
	case FormatHeka:
		return e.encodeHeka(dst, m, sev, payload, origLen)
	case FormatText:
		return e.encodeText(dst, m, sev, payload, origLen)
	case FormatOTLP:
		return e.encodeOTLP(dst, m, sev, payload, origLen)
	}
	return e.encodeJSON(dst, m, sev, payload, origLen)
}
