package core

// WithHeaders adds HTTP headers to every request of an otlp:// or otlps://
// address, for authentication ("Authorization", "api-key", ...). They are
// added to those of OTEL_EXPORTER_OTLP_HEADERS, and win over them.
func WithHeaders(headers map[string]string) Option {
	return func(c *config) error {
		if c.otlp.headers == nil {
			c.otlp.headers = map[string]string{}
		}
		for k, v := range headers {
			c.otlp.headers[k] = v
		}
		return nil
	}
}

// WithGzip chooses whether an otlp:// or otlps:// address compresses its
// requests with gzip (off by default).
func WithGzip(on bool) Option {
	return func(c *config) error { c.otlp.gzip = on; return nil }
}

// WithServiceName sets the service.name resource attribute of an otlp://
// or otlps:// address (by default the client's logger name, see
// WithLogger).
func WithServiceName(name string) Option {
	return func(c *config) error { c.otlp.serviceName = name; return nil }
}
