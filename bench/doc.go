// Package bench holds metlog-go's side-by-side benchmarks: each logging
// framework (slog, zap, logrus, zerolog) writing its native JSON to io.Discard
// and to a file, through its OpenTelemetry bridge to an OTLP/HTTP receiver,
// through metlog-go's adapter to a unix or TCP socket, and teed beside its
// file output; metlog-go's metrics beside DogStatsD's client; and the
// client's end-to-end throughput. Every figure of those counts what reached
// the receiver. Two more split the cost without a receiver: BenchmarkParts
// (each framework's front end, native JSON and our adapter, in one run)
// and BenchmarkEncoder (core's encoders beside zap's). The benchmarks are
// in the test files; cmd/report runs them and writes the tables and
// charts. See README.md.
//
// It is a module of its own, so that the libraries it compares with never
// enter the main module.
package bench
