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
)

// String returns "json" or "heka".
func (f Format) String() string {
	switch f {
	case FormatJSON:
		return "json"
	case FormatHeka:
		return "heka"
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
// Append functions do. Encoders are safe for concurrent use and do not
// allocate in steady state.
type Encoder interface {
	// Format reports the wire format.
	Format() Format
	// AppendMessage appends m as one frame: a JSON object and "\n", or a
	// framed Heka record. On error dst is returned unchanged.
	AppendMessage(dst []byte, m *Message) ([]byte, error)
}

// EncoderConfig holds the values an encoder adds to every message.
type EncoderConfig struct {
	// Logger is used for messages with an empty Logger.
	Logger string
	// Severity is used for messages with DefaultSeverity. Default Info.
	Severity *Severity
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
	// HMAC signs Heka records; ignored by the JSON encoder.
	HMAC *HMACConfig
	// Now returns the timestamp of messages without one; time.Now when nil.
	Now func() time.Time
}

// NewEncoder returns the encoder for format f.
func NewEncoder(f Format, cfg EncoderConfig) (Encoder, error) {
	b, err := newEncBase(cfg)
	if err != nil {
		return nil, err
	}
	switch f {
	case FormatJSON:
		e := &JSONEncoder{encBase: b}
		e.tail = e.appendTail(nil, EnvVersion, b.pid, b.hostname)
		e.logger = AppendString(nil, b.logger)
		return e, nil
	case FormatHeka:
		e := &HekaEncoder{encBase: b}
		if cfg.HMAC != nil {
			s, err := newSigner(*cfg.HMAC)
			if err != nil {
				return nil, err
			}
			e.signer = s
		}
		e.tail = appendHekaTail(nil, EnvVersion, b.pid, b.hostname)
		e.loggerPB = appendPBString(nil, msgLogger, b.logger)
		return e, nil
	}
	return nil, fmt.Errorf("metlog: unknown format %d", f)
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

func newEncBase(cfg EncoderConfig) (encBase, error) {
	b := encBase{
		logger:   cfg.Logger,
		severity: Info,
		hostname: cfg.Hostname,
		pid:      cfg.Pid,
		maxSize:  cfg.MaxSize,
		now:      cfg.Now,
	}
	if cfg.Severity != nil {
		if !cfg.Severity.Valid() {
			return b, fmt.Errorf("metlog: default severity %d is not 0-7", *cfg.Severity)
		}
		b.severity = *cfg.Severity
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
		b.env = NewScope().With(cfg.Env...)
	}
	return b, nil
}

// Limits of a timestamp in int64 nanoseconds since the epoch, the type of
// Heka's timestamp (years 1678 to 2262).
const (
	minUnixSec = math.MinInt64/1_000_000_000 + 1
	maxUnixSec = math.MaxInt64/1_000_000_000 - 1
)

// stamp returns what every envelope carries from m: its time in ns since
// the epoch (the clock's when m has none) and its severity (the encoder's
// default when m's is not 0-7).
func (b *encBase) stamp(m *Message) (ns int64, sev Severity) {
	ns = unixNano(m.Timestamp)
	if m.Timestamp.IsZero() {
		ns = b.now().UnixNano()
	}
	sev = m.Severity
	if !sev.Valid() {
		sev = b.severity
	}
	return ns, sev
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

// fit encodes m with j or h (exactly one is set), and when the encoded
// message is over the limit re-encodes it with the payload cut (at a UTF-8
// boundary) and a TruncatedField marker. The encoders are passed as
// concrete types, not a func value, so that m does not escape.
func fit(dst []byte, m *Message, max int, j *JSONEncoder, h *HekaEncoder) ([]byte, error) {
	start := len(dst)
	out, size := encodeWith(dst, m, m.Payload, -1, j, h)
	if size <= max {
		return out, nil
	}
	payload := m.Payload
	over := size - max
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
		out, size = encodeWith(out[:start], m, payload, len(m.Payload), j, h)
		if size <= max {
			return out, nil
		}
		over = size - max
	}
	return dst[:start], fmt.Errorf("%w: %d bytes encoded, limit %d", ErrOversize, size, max)
}

func encodeWith(dst []byte, m *Message, payload string, origLen int, j *JSONEncoder, h *HekaEncoder) ([]byte, int) {
	if j != nil {
		return j.encode(dst, m, payload, origLen)
	}
	return h.encode(dst, m, payload, origLen)
}
