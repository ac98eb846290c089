// Package core holds metlog-go's message model, its two wire encoders (the
// Metlog JSON envelope and Heka's protobuf stream framing, optionally signed
// with HMAC), their decoders, and the non-blocking transport that ships
// encoded messages to a router.
//
// An application (or an adapter for slog, zap, logrus or zerolog) labels a
// [Message] with a type, a [Severity], a logger name, a payload and typed
// [Field]s and hands it to a [Client]. The client filters it, encodes it once
// in the configured [Format] into a bounded ring buffer and returns; a single
// consumer goroutine batches the ring into few writes on a [Sender]. A full
// ring drops the new message and counts it: the caller never waits on I/O.
package core
