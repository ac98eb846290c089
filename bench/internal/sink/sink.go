// Package sink runs the receivers the benchmarks deliver to, in a process of
// their own, and counts what reaches them.
//
// The receivers run in a child process so that the CPU time they spend
// reading sockets and decoding requests is not charged to the process
// being measured: a benchmark's per-message CPU figure is then what the
// logging service pays, whichever pipeline it uses. The child is the
// benchmark binary itself, started again with EnvVar set; its TestMain calls
// Main. The parent talks to it over the child's standard input and output
// (Start, Server).
//
// Receivers, by Kind: stream sockets (unix and TCP) counting Metlog JSON lines
// or Heka records by their framing; an OTLP/HTTP server decoding each export
// request with the OTLP protobuf types and counting its log records; UDP
// sockets counting statsd lines or Metlog messages and the metric values
// they carry.
package sink

// EnvVar, set to any value in the environment of the benchmark binary,
// makes its TestMain run the receivers (Main) instead of the benchmarks.
const EnvVar = "METLOG_BENCH_SINK"

// Kind names a kind of receiver.
type Kind string

// The receivers.
const (
	UnixJSON  Kind = "unix-json"  // unix stream socket, Metlog JSON lines
	UnixHeka  Kind = "unix-heka"  // unix stream socket, Heka stream framing
	TCPJSON   Kind = "tcp-json"   // TCP, Metlog JSON lines
	TCPHeka   Kind = "tcp-heka"   // TCP, Heka stream framing
	OTLPHTTP  Kind = "otlp-http"  // OTLP/HTTP protobuf export requests, any path
	UDPStatsd Kind = "udp-statsd" // statsd lines, several per datagram
	UDPJSON   Kind = "udp-json"   // one Metlog JSON message per datagram
	UDPHeka   Kind = "udp-heka"   // Heka records, several per datagram
)

// Counts is what one receiver has counted since it was opened.
type Counts struct {
	// Frames counts messages: JSON lines, Heka records, OTLP log records,
	// statsd lines (without a DogStatsD client's own telemetry, whose
	// names start with "datadog.").
	Frames int64 `json:"frames"`
	// Units counts the metric values the frames carry: the increments of
	// counters (the value divided by the sample rate), timings (an
	// aggregated Metlog timer's count; every value of a statsd timer line
	// divided by its rate) and gauge values. Zero for log receivers.
	Units float64 `json:"units"`
	// Reads counts datagrams, HTTP requests and stream connections.
	Reads int64 `json:"reads"`
	// Bytes counts the bytes received.
	Bytes int64 `json:"bytes"`
	// Bad counts what did not parse: skipped stream bytes, datagrams,
	// lines and requests.
	Bad int64 `json:"bad"`
}
