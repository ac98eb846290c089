package router

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/metlog-go/metlog/core"
)

// Config describes a router: where it listens, which keys verify
// signatures, its limits, its routes and its endpoints. The field tags are
// the TOML keys of metlog-router's configuration file.
type Config struct {
	// Inputs are the addresses to listen on.
	Inputs []Input `toml:"input"`
	// Keys are the HMAC keys, by "<signer>_<key_version>" as Heka names
	// them ("ops_1"). A signed record is verified with its signer's key
	// and rejected when the key is unknown or the signature does not
	// match; with no keys, signatures are not checked. Keys never appear
	// in errors, logs or stats.
	Keys map[string]string `toml:"keys"`
	// RequireSigned rejects every message that is not signed with one of
	// Keys, JSON messages included (the envelope cannot be signed).
	RequireSigned bool `toml:"require_signed"`
	// MaxMessageSize limits one message: a Heka record's Message bytes or
	// a JSON line without its newline (core.DefaultMaxMessageSize when 0).
	// Larger input is skipped and counted; no connection holds more than
	// about this much input at once.
	MaxMessageSize int `toml:"max_message_size"`
	// MaxConnections limits the stream connections open at once
	// (DefaultMaxConnections when 0); a connection over it is closed at once.
	MaxConnections int `toml:"max_connections"`
	// IdleTimeout closes a stream connection that completes no message for
	// this long, so that idle and trickling peers cannot hold memory
	// (DefaultIdleTimeout when 0).
	IdleTimeout Duration `toml:"idle_timeout"`
	// Routes send the messages they match to endpoints.
	Routes []Route `toml:"route"`
	// Endpoints are where messages go.
	Endpoints []Endpoint `toml:"endpoint"`
	// Logger receives the router's own events (listener and endpoint
	// errors); none when nil.
	Logger *slog.Logger `toml:"-"`
}

// Defaults of Config.
const (
	DefaultMaxConnections = 1024
	DefaultIdleTimeout    = 5 * time.Minute
)

// Input is one listening address.
type Input struct {
	// Address is tcp://host:port, tls://host:port, udp://host:port,
	// unix:///path or unixgram:///path. Port 0 picks a free port
	// (Router.Addrs tells which).
	Address string `toml:"address"`
	// CertFile and KeyFile are the certificate and key of a tls:// input,
	// unless TLS is set.
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// TLS configures a tls:// input.
	TLS *tls.Config `toml:"-"`
}

// Route sends the messages its matcher matches to its endpoints. A message
// that several routes send to one endpoint is delivered there once.
type Route struct {
	// Name names the route in stats ("route-<n>" when empty, from 1).
	Name string `toml:"name"`
	// Matcher is an expression of Heka's message matcher language (see
	// Matcher), such as `Type == "timer" && Severity <= 4`.
	Matcher string `toml:"matcher"`
	// Endpoints are the names of the endpoints the route delivers to.
	Endpoints []string `toml:"endpoints"`
}

// Endpoint is where routed messages go. Each endpoint has its own bounded
// queue (a core.Client): a slow or dead endpoint drops and counts its own
// messages and never stalls the inputs or the other endpoints.
type Endpoint struct {
	// Name is what routes call the endpoint.
	Name string `toml:"name"`
	// Type is one of:
	//
	//   - "stdout": one line per message on standard output, in
	//     core.FormatText unless Format says otherwise.
	//   - "file": appended to Path, as JSON lines (Format "json", the
	//     default) or Heka framing ("heka"); rotated when it would exceed
	//     RotateSize bytes, keeping Keep old files (Path.1 the newest);
	//     reopened by Router.Reopen (metlog-router on SIGHUP).
	//   - "statsd": counter, timer and gauge messages as statsd lines to
	//     Address (udp://host:port or tcp://host:port); other messages are
	//     counted in the endpoint's Drops.Invalid.
	//   - "forward": Heka framing to Address (tcp:// or tls://, another
	//     router, Heka or Hindsight), re-signed when Signer is set, with the
	//     client's reconnect and back-off.
	//   - "sentry": each message becomes a Sentry event sent to DSN.
	//
	// An endpoint with a Sender and no Type writes Format to that sender.
	Type string `toml:"type"`
	// Format is "json", "heka", "text" or "statsd", for the types that
	// take one.
	Format string `toml:"format"`
	// Path is the file endpoint's file.
	Path string `toml:"path"`
	// RotateSize and Keep rotate the file endpoint's file (never when 0).
	RotateSize int64 `toml:"rotate_size"`
	Keep       int   `toml:"keep"`
	// Address is the statsd or forward endpoint's address.
	Address string `toml:"address"`
	// Signer, KeyVersion and Hash ("md5" or "sha1", the default) re-sign
	// what a forward endpoint sends, with the key Keys holds for
	// "<Signer>_<KeyVersion>".
	Signer     string `toml:"signer"`
	KeyVersion uint32 `toml:"key_version"`
	Hash       string `toml:"hash"`
	// CAFile holds the certificates a tls:// forward endpoint trusts (the
	// system's when empty), unless TLS is set.
	CAFile string      `toml:"ca_file"`
	TLS    *tls.Config `toml:"-"`
	// DSN is the sentry endpoint's Sentry DSN.
	DSN string `toml:"dsn"`
	// BufferSize is the endpoint queue's size in bytes
	// (core.DefaultBufferSize when 0).
	BufferSize int `toml:"buffer_size"`
	// Sender receives the frames of an endpoint without Type, such as a
	// core.Capture in tests.
	Sender core.Sender `toml:"-"`
	// Options are added to the endpoint client's options (after the
	// router's).
	Options []core.Option `toml:"-"`
}

// Duration is a time.Duration that TOML writes as a string such as "30s".
type Duration time.Duration

// UnmarshalText parses a duration as time.ParseDuration does.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// keyID names a key: a signer and a key version.
type keyID struct {
	signer  string
	version uint32
}

// parseKeys indexes keys by signer and version. Errors name keys, never
// show them.
func parseKeys(keys map[string]string) (map[keyID]string, error) {
	out := make(map[keyID]string, len(keys))
	for name, key := range keys {
		i := strings.LastIndexByte(name, '_')
		if i < 0 {
			return nil, fmt.Errorf("router: key name %q is not <signer>_<key_version>", name)
		}
		v, err := strconv.ParseUint(name[i+1:], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("router: key name %q is not <signer>_<key_version>: the version is not a uint32", name)
		}
		if key == "" {
			return nil, fmt.Errorf("router: key %q is empty", name)
		}
		out[keyID{name[:i], uint32(v)}] = key
	}
	return out, nil
}

// parseFormat reads an endpoint's Format, def when empty.
func parseFormat(s string, def core.Format) (core.Format, error) {
	switch strings.ToLower(s) {
	case "":
		return def, nil
	case "json":
		return core.FormatJSON, nil
	case "heka":
		return core.FormatHeka, nil
	case "text":
		return core.FormatText, nil
	case "statsd":
		return core.FormatStatsd, nil
	}
	return def, fmt.Errorf("format %q is not json, heka, text or statsd", s)
}

// check validates what New cannot find out by building the router.
func (c *Config) check() error {
	if len(c.Inputs) == 0 {
		return errors.New("router: no inputs")
	}
	if c.RequireSigned && len(c.Keys) == 0 {
		return errors.New("router: require_signed without keys")
	}
	if c.MaxMessageSize < 0 || c.MaxConnections < 0 || c.IdleTimeout < 0 {
		return errors.New("router: negative limit")
	}
	return nil
}
