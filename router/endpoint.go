package router

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/metlog-go/metlog/core"
)

// endpoint is a configured endpoint: its client (queue and encoder) and,
// for files, what reopens them.
type endpoint struct {
	name   string
	kind   string
	client *core.Client
	file   *fileSender // file endpoints
}

// newEndpoint builds the client of one endpoint. maxSize is the size limit
// of what it encodes.
func newEndpoint(e *Endpoint, keys map[keyID]string, maxSize int, onError func(error)) (_ *endpoint, err error) {
	ep := &endpoint{name: e.Name, kind: strings.ToLower(e.Type)}
	// A sender made here (a file, sentry) is the endpoint's to close: on any
	// error below, before a client owns it, it is closed here.
	var made core.Sender
	defer func() {
		if err != nil && made != nil {
			made.Close()
		}
	}()
	opts := []core.Option{core.WithMaxMessageSize(maxSize), core.WithErrorHandler(onError)}
	if e.BufferSize > 0 {
		opts = append(opts, core.WithBufferSize(e.BufferSize))
	}
	addr := ""
	var def core.Format
	switch ep.kind {
	case "stdout":
		def, addr = core.FormatText, "stdout://"
	case "file":
		if e.Path == "" {
			return nil, errors.New("no path")
		}
		if e.RotateSize < 0 || e.Keep < 0 {
			return nil, errors.New("negative rotate_size or keep")
		}
		fs, err := newFileSender(e.Path, e.RotateSize, e.Keep)
		if err != nil {
			return nil, err
		}
		ep.file, made = fs, fs
		def = core.FormatJSON
		opts = append(opts, core.WithSender(fs))
	case "statsd":
		if !strings.HasPrefix(e.Address, "udp://") && !strings.HasPrefix(e.Address, "tcp://") {
			return nil, fmt.Errorf("address %q is not udp://host:port or tcp://host:port", e.Address)
		}
		def, addr = core.FormatStatsd, e.Address
		opts = append(opts, core.WithoutRetry())
	case "forward":
		if !strings.HasPrefix(e.Address, "tcp://") && !strings.HasPrefix(e.Address, "tls://") {
			return nil, fmt.Errorf("address %q is not tcp://host:port or tls://host:port", e.Address)
		}
		def, addr = core.FormatHeka, e.Address
		if e.Signer != "" {
			key, ok := keys[keyID{e.Signer, e.KeyVersion}]
			if !ok {
				return nil, fmt.Errorf("signer %s_%d has no key in keys", e.Signer, e.KeyVersion)
			}
			hash := e.Hash
			if hash == "" {
				hash = "sha1"
			}
			opts = append(opts, core.WithHMAC(e.Signer, e.KeyVersion, hash, key))
		}
		if strings.HasPrefix(e.Address, "tls://") {
			tc, err := clientTLS(e)
			if err != nil {
				return nil, err
			}
			opts = append(opts, core.WithTLSConfig(tc))
		}
	case "sentry":
		s, err := newSentrySender(e.DSN)
		if err != nil {
			return nil, err
		}
		made = s
		def = core.FormatHeka // what the sender decodes back, losslessly
		if e.Format != "" {
			return nil, errors.New("a sentry endpoint takes no format")
		}
		opts = append(opts, core.WithSender(s))
	case "":
		if e.Sender == nil {
			return nil, errors.New("no type")
		}
		ep.kind = "sender"
		def = core.FormatJSON
		opts = append(opts, core.WithSender(e.Sender))
	default:
		return nil, fmt.Errorf("unknown type %q (stdout, file, statsd, forward, sentry)", e.Type)
	}
	if e.Sender != nil && ep.kind != "sender" {
		return nil, fmt.Errorf("type %q takes no Sender", e.Type)
	}
	f, err := parseFormat(e.Format, def)
	if err != nil {
		return nil, err
	}
	switch {
	case ep.kind == "statsd" && f != core.FormatStatsd, ep.kind == "forward" && f != core.FormatHeka:
		return nil, fmt.Errorf("a %s endpoint writes %s only", ep.kind, def)
	case ep.kind == "file" && f != core.FormatJSON && f != core.FormatHeka && f != core.FormatText:
		return nil, errors.New("a file endpoint writes json, heka or text")
	}
	opts = append(opts, core.WithFormat(f))
	opts = append(opts, e.Options...)
	c, err := core.New(addr, opts...)
	if err != nil {
		return nil, err
	}
	ep.client = c
	return ep, nil
}

// clientTLS returns the TLS configuration of a tls:// forward endpoint.
func clientTLS(e *Endpoint) (*tls.Config, error) {
	if e.TLS != nil {
		return e.TLS, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.CAFile != "" {
		pem, err := os.ReadFile(e.CAFile)
		if err != nil {
			return nil, err
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", e.CAFile)
		}
	}
	return tc, nil
}

// endpointName returns the name of endpoint i for messages: its own, or its
// position.
func endpointName(e *Endpoint, i int) string {
	if e.Name != "" {
		return strconv.Quote(e.Name)
	}
	return "#" + strconv.Itoa(i+1)
}
