package core

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// OpenTelemetry's standard environment variables for an OTLP exporter, read
// by otlp:// and otlps:// addresses.
const (
	// envOTLPEndpoint is the base URL of an OTLP/HTTP endpoint; logs are
	// posted to its path /v1/logs.
	envOTLPEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"
	// envOTLPLogsEndpoint is the full URL logs are posted to; it wins
	// over envOTLPEndpoint.
	envOTLPLogsEndpoint = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"
	// envOTLPHeaders holds headers for every request,
	// "key1=value1,key2=value2" with percent-encoded values.
	envOTLPHeaders = "OTEL_EXPORTER_OTLP_HEADERS"
)

// otlpLogsPath is where OTLP/HTTP takes logs.
const otlpLogsPath = "/v1/logs"

// otlpConfig holds a client's OTLP options.
type otlpConfig struct {
	headers     map[string]string
	gzip        bool
	serviceName string
}

// newOTLPSenderFor makes the sender of an otlp:// or otlps:// address
// (scheme, and rest after "://"), with the environment's endpoint when the
// address has no host and its headers below the client's.
func newOTLPSenderFor(scheme, rest string, cfg *config) (Sender, error) {
	endpoint, err := otlpEndpoint(scheme, rest, os.Getenv)
	if err != nil {
		return nil, err
	}
	headers, err := parseOTLPHeaders(os.Getenv(envOTLPHeaders))
	if err != nil {
		return nil, err
	}
	for k, v := range cfg.otlp.headers {
		for h := range headers { // the option wins, whatever the case of the name
			if strings.EqualFold(h, k) {
				delete(headers, h)
			}
		}
		headers[k] = v
	}
	svc := cfg.otlp.serviceName
	if svc == "" {
		svc = cfg.enc.Logger
	}
	s, err := newOTLPSender(endpoint, otlpOptions{
		Headers:        headers,
		Gzip:           cfg.otlp.gzip,
		TLS:            cfg.tls,
		DialTimeout:    cfg.dialTimeout,
		RequestTimeout: cfg.writeTimeout,
		ServiceName:    svc,
		Hostname:       cfg.enc.Hostname,
		Pid:            cfg.enc.Pid,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// otlpEndpoint returns the URL an otlp:// (http) or otlps:// (https)
// address posts to:
//
//	otlp://host:port        http://host:port/v1/logs
//	otlp://host:port/path   http://host:port/path
//	otlp://                 $OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, else
//	                        $OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else
//	                        http://localhost:4318/v1/logs
//
// otlps:// is the same over https; an endpoint from the environment must
// then be https too.
func otlpEndpoint(scheme, rest string, getenv func(string) string) (string, error) {
	web := "http"
	if scheme == "otlps" {
		web = "https"
	}
	if rest != "" {
		hostPort, path, _ := strings.Cut(rest, "/")
		if err := checkHostPort(hostPort); err != nil {
			return "", fmt.Errorf("metlog: address %q: %w (want %s://host:4318)", scheme+"://"+rest, err, scheme)
		}
		if path == "" {
			path = otlpLogsPath[1:]
		}
		u := web + "://" + hostPort + "/" + path
		if _, err := url.Parse(u); err != nil {
			return "", fmt.Errorf("metlog: address %q: %v", scheme+"://"+rest, err)
		}
		return u, nil
	}
	u, from := getenv(envOTLPLogsEndpoint), envOTLPLogsEndpoint
	if u == "" {
		if base := getenv(envOTLPEndpoint); base != "" {
			u, from = strings.TrimRight(base, "/")+otlpLogsPath, envOTLPEndpoint
		}
	}
	if u == "" {
		return web + "://localhost:4318" + otlpLogsPath, nil
	}
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return "", fmt.Errorf("metlog: %s=%q: %v", from, u, err)
	case p.Scheme != "http" && p.Scheme != "https":
		return "", fmt.Errorf("metlog: %s=%q: not an http or https URL", from, u)
	case scheme == "otlps" && p.Scheme != "https":
		return "", fmt.Errorf("metlog: address otlps:// asks for TLS, but %s=%q is not https", from, u)
	}
	return u, nil
}

// parseOTLPHeaders reads the value of OTEL_EXPORTER_OTLP_HEADERS:
// comma-separated key=value pairs, values percent-encoded.
func parseOTLPHeaders(v string) (map[string]string, error) {
	h := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("metlog: %s: %q is not key=value", envOTLPHeaders, kv)
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("metlog: %s: value of %q: %v", envOTLPHeaders, k, err)
		}
		if !validHeader(k, dec) {
			return nil, fmt.Errorf("metlog: %s: %q is not a valid HTTP header", envOTLPHeaders, k)
		}
		h[k] = dec
	}
	return h, nil
}
