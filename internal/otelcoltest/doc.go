// Package otelcoltest holds integration tests that send through every
// adapter (slogmetlog, zapmetlog, logrusmetlog, zerologmetlog) and metrics
// to a real OpenTelemetry Collector: over OTLP/HTTP, and as Metlog JSON
// lines into the collector's tcp_log receiver. They read back what the
// collector's file exporter wrote and compare it field by field.
//
// The collector is the one scripts/receivers.sh builds from tools/otelcol
// and starts, located by internal/peers.Collector; the tests skip when it is
// not running. The restart test starts collectors of its own from the same
// binary (under internal/peers.Dir), with its own configuration and port,
// and skips when the binary is absent.
package otelcoltest
