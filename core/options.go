package core

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/metlog-go/metlog/internal/frameq"
)

// Option configures a Client.
type Option func(*config) error

// DropPolicy says what a full ring buffer discards.
type DropPolicy uint8

// Drop policies.
const (
	// DropNewest rejects the message being sent (the default): what is
	// already queued goes out first.
	DropNewest DropPolicy = iota
	// DropOldest discards the oldest queued messages to make room.
	DropOldest
)

// Defaults of the transport options.
const (
	DefaultBufferSize    = 4 << 20 // bytes of ring buffer
	DefaultBatchSize     = frameq.DefaultBatchSize
	DefaultDatagramSize  = 65507 // the largest UDP payload over IPv4
	DefaultDialTimeout   = 2 * time.Second
	DefaultWriteTimeout  = 5 * time.Second
	DefaultBackoffMin    = frameq.DefaultBackoffMin
	DefaultBackoffMax    = frameq.DefaultBackoffMax
	DefaultFlushInterval = time.Millisecond
	DefaultCloseTimeout  = frameq.DefaultCloseTimeout
)

type config struct {
	format       Format
	enc          EncoderConfig
	severity     Severity
	bufferSize   int
	batchSize    int
	flushEvery   time.Duration
	drop         DropPolicy
	tls          *tls.Config
	sender       Sender
	fallback     Sender
	datagramSize int
	dialTimeout  time.Duration
	writeTimeout time.Duration
	backoffMin   time.Duration
	backoffMax   time.Duration
	closeTimeout time.Duration
	noRetry      bool
	filters      filters
	onError      func(error)
	otlp         otlpConfig
}

func defaultConfig() config {
	return config{
		enc:          EncoderConfig{StatsdTags: true},
		format:       FormatJSON,
		severity:     Info,
		bufferSize:   DefaultBufferSize,
		batchSize:    DefaultBatchSize,
		flushEvery:   DefaultFlushInterval,
		datagramSize: DefaultDatagramSize,
		dialTimeout:  DefaultDialTimeout,
		writeTimeout: DefaultWriteTimeout,
		backoffMin:   DefaultBackoffMin,
		backoffMax:   DefaultBackoffMax,
		closeTimeout: DefaultCloseTimeout,
		filters:      newFilters(),
	}
}

// WithFormat selects the wire format (FormatJSON by default).
func WithFormat(f Format) Option {
	return func(c *config) error {
		if f >= numFormats {
			return fmt.Errorf("metlog: unknown format %d", f)
		}
		c.format = f
		return nil
	}
}

// WithLogger sets the logger name of messages that carry none.
func WithLogger(name string) Option {
	return func(c *config) error { c.enc.Logger = name; return nil }
}

// WithSeverity sets the severity of messages sent with DefaultSeverity
// (Info by default).
func WithSeverity(s Severity) Option {
	return func(c *config) error {
		if !s.Valid() {
			return fmt.Errorf("metlog: WithSeverity(%v): not one of the eight syslog severities", s)
		}
		c.severity = s
		return nil
	}
}

// WithFields adds fields to every message (Metlog's env fields), written
// before the message's own.
func WithFields(fields ...Field) Option {
	return func(c *config) error { c.enc.Env = append(c.enc.Env, fields...); return nil }
}

// WithHMAC signs every Heka record with HMAC-MD5 or HMAC-SHA1 (hash "md5"
// or "sha1"); receivers look the key up by "<signer>_<keyVersion>".
func WithHMAC(signer string, keyVersion uint32, hash string, key string) Option {
	return func(c *config) error {
		h, err := ParseHashFunction(hash)
		if err != nil {
			return err
		}
		c.enc.HMAC = &HMACConfig{Signer: signer, KeyVersion: keyVersion, Hash: h, Key: key}
		return nil
	}
}

// WithMaxMessageSize limits one encoded message (DefaultMaxMessageSize).
func WithMaxMessageSize(n int) Option {
	return func(c *config) error {
		if n < minMessageSize {
			return fmt.Errorf("metlog: max message size %d is below %d bytes", n, minMessageSize)
		}
		c.enc.MaxSize = n
		return nil
	}
}

// WithHostname overrides the host name every message carries.
func WithHostname(h string) Option {
	return func(c *config) error { c.enc.Hostname = h; return nil }
}

// WithBufferSize sets the ring buffer's size in bytes (DefaultBufferSize).
// It must hold at least two messages of the maximum size.
func WithBufferSize(n int) Option {
	return func(c *config) error { c.bufferSize = n; return nil }
}

// WithBatchSize sets how many bytes the sender gets per write at most
// (DefaultBatchSize).
func WithBatchSize(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("metlog: batch size %d", n)
		}
		c.batchSize = n
		return nil
	}
}

// WithFlushInterval sets how long the sender goroutine, woken by a message
// after being idle, lets more messages queue before it writes
// (DefaultFlushInterval). It bounds the added latency and the wake-ups a
// busy client pays for: about one per interval, more only when producers
// find the ring over half full and cut the wait short. 0 writes as soon
// as a message arrives.
func WithFlushInterval(d time.Duration) Option {
	return func(c *config) error { c.flushEvery = d; return nil }
}

// WithDropPolicy chooses what a full ring buffer discards (DropNewest).
func WithDropPolicy(p DropPolicy) Option {
	return func(c *config) error { c.drop = p; return nil }
}

// WithTLSConfig sets the TLS configuration of tls:// addresses. By
// default the system roots verify the server name of the address.
func WithTLSConfig(t *tls.Config) Option {
	return func(c *config) error { c.tls = t; return nil }
}

// WithSender delivers through s instead of an address's sender (New's
// address may then be empty).
func WithSender(s Sender) Option {
	return func(c *config) error { c.sender = s; return nil }
}

// WithFallback copies messages to s (a writer on stderr or a file, say)
// while the router is unavailable, instead of holding them until it
// returns or the ring fills.
func WithFallback(s Sender) Option {
	return func(c *config) error { c.fallback = s; return nil }
}

// WithDatagramSize limits UDP and unixgram datagrams (DefaultDatagramSize);
// 1432 or less avoids IP fragmentation on most networks, and Hindsight's
// UDP input reads 8192-byte datagrams. JSON and Heka messages are kept
// within it (the size limit is lowered to fit), so it must leave room for
// a message of 256 bytes; for FormatStatsd it is the size lines are packed
// to (a longer line goes alone), from 64 bytes.
func WithDatagramSize(n int) Option {
	return func(c *config) error {
		if n < minDatagramSize || n > DefaultDatagramSize {
			return fmt.Errorf("metlog: datagram size %d is outside %d-%d", n, minDatagramSize, DefaultDatagramSize)
		}
		c.datagramSize = n
		return nil
	}
}

const (
	minDatagramSize = 64
	minMessageSize  = 256
)

// WithTimeouts sets how long a connection attempt and one write to a
// stream may take (DefaultDialTimeout, DefaultWriteTimeout). A write that
// times out counts as a broken connection.
func WithTimeouts(dial, write time.Duration) Option {
	return func(c *config) error { c.dialTimeout, c.writeTimeout = dial, write; return nil }
}

// WithBackoff sets the capped exponential back-off between delivery
// attempts while the router is unavailable (DefaultBackoffMin to
// DefaultBackoffMax, with jitter).
func WithBackoff(min, max time.Duration) Option {
	return func(c *config) error {
		if min <= 0 || max < min {
			return fmt.Errorf("metlog: back-off %v..%v", min, max)
		}
		c.backoffMin, c.backoffMax = min, max
		return nil
	}
}

// WithCloseTimeout bounds Flush and Close when their context has no
// deadline (DefaultCloseTimeout): what is still queued then is counted in
// Drops.Failed, as with an explicit deadline.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("metlog: close timeout %v", d)
		}
		c.closeTimeout = d
		return nil
	}
}

// WithoutRetry makes the client drop what it cannot deliver while the
// router is unavailable (counted in Drops.Failed) instead of holding it
// for a retry: for values that lose their worth when late, such as metrics
// to statsd. Connection attempts still back off.
func WithoutRetry() Option {
	return func(c *config) error { c.noRetry = true; return nil }
}

// WithStatsdTags chooses whether FormatStatsd writes a metric's fields
// other than its name and rate as DogStatsD tags, "|#name:value,..." (on
// by default; Etsy statsd 0.9 and later read them).
func WithStatsdTags(on bool) Option {
	return func(c *config) error { c.enc.StatsdTags = on; return nil }
}

// WithMaxSeverity filters out messages less severe than s (a higher number).
func WithMaxSeverity(s Severity) Option {
	return func(c *config) error { c.filters.maxSeverity = s; return nil }
}

// WithTypes passes only messages of these types.
func WithTypes(types ...string) Option {
	return func(c *config) error {
		if c.filters.allow == nil {
			c.filters.allow = map[string]struct{}{}
		}
		for _, t := range types {
			c.filters.allow[t] = struct{}{}
		}
		return nil
	}
}

// WithoutTypes filters out messages of these types.
func WithoutTypes(types ...string) Option {
	return func(c *config) error {
		if c.filters.deny == nil {
			c.filters.deny = map[string]struct{}{}
		}
		for _, t := range types {
			c.filters.deny[t] = struct{}{}
		}
		return nil
	}
}

// WithTypeMaxSeverity filters out messages of type typ less severe than s.
func WithTypeMaxSeverity(typ string, s Severity) Option {
	return func(c *config) error {
		if c.filters.typeMax == nil {
			c.filters.typeMax = map[string]Severity{}
		}
		c.filters.typeMax[typ] = s
		return nil
	}
}

// WithFilter filters out messages for which keep returns false. It runs
// on the caller's goroutine for every message that passed the other
// filters, so it must be fast and safe for concurrent use. It gets a copy
// of the message that is valid only during the call. If keep panics, the
// message is kept and the panic counted in Stats.Errors.
func WithFilter(keep func(*Message) bool) Option {
	return func(c *config) error { c.filters.pred = keep; return nil }
}

// WithErrorHandler calls h with every sender error, from the sender's
// goroutine. Errors are counted in Stats either way.
func WithErrorHandler(h func(error)) Option {
	return func(c *config) error { c.onError = h; return nil }
}
