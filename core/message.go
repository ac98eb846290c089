package core

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"time"
)

// EnvVersion is the Metlog envelope version every message carries.
const EnvVersion = "0.8"

// TypeOldstyle is Metlog's message type for logging-style messages, the
// default type of the logging adapters.
const TypeOldstyle = "oldstyle"

// Process facts, read once at start-up. They are defaults, never written.
var (
	processPid      = int32(os.Getpid())
	processHostname = func() string { h, _ := os.Hostname(); return h }()
)

// Message is one Metlog message: what the application says (type,
// severity, logger, payload, fields) and the envelope the encoders add
// (UUID, timestamp, pid, hostname, env_version).
//
// Encoders fill unset envelope values from their configuration: a zero
// Timestamp is now (and one outside the years 1678-2262, which int64
// nanoseconds cannot hold, is clamped to that range), an empty Logger is the client's logger, a zero UUID is
// a fresh random version-4 UUID, a zero Pid and an empty Hostname are the
// process's. Decoders set every value they read.
type Message struct {
	UUID      [16]byte
	Timestamp time.Time
	Type      string
	Logger    string
	Severity  Severity
	Payload   string
	// Fields are the message's own fields, written after Scope's.
	Fields []Field
	// Scope holds fields encoded once and shared by many messages, such
	// as a logger's context (slog WithAttrs, zap With). Optional.
	Scope *Scope
	// TopFields are written last, at the message's top level, outside the
	// groups Scope leaves open: what describes the record rather than its
	// attributes (caller, stack trace, markers).
	TopFields []Field

	EnvVersion string
	Pid        int32
	Hostname   string
}

// NewUUID returns a random (version 4, RFC 4122 variant) UUID.
//
// It draws from the runtime's per-thread ChaCha8 generator, which is
// seeded from the operating system and needs neither a lock nor a syscall.
func NewUUID() (u [16]byte) {
	appendUUID(u[:0])
	return u
}

// appendUUID appends a new random UUID (as NewUUID) to dst.
func appendUUID(dst []byte) []byte {
	a, b := rand.Uint64(), rand.Uint64()
	a = a&^(0xf0<<48) | 0x40<<48 // byte 6: version 4
	b = b&^0xc0 | 0x80           // byte 8: RFC 4122 variant
	dst = binary.LittleEndian.AppendUint64(dst, a)
	return binary.LittleEndian.AppendUint64(dst, b)
}
