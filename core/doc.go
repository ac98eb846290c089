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
//
// # Nesting
//
// Fields nest at most 32 levels deep, whatever makes them nest: groups
// ([Group], [Entry.OpenGroup]), a [Scope]'s groups, the objects and arrays
// of [RawJSON] values and of JSON decoded by [Entry.AddJSON] and
// [DecodeJSON]. A top-level field is at depth 1, the members of a group at
// depth d are at depth d+1. A group, object or array deeper than 32 that
// is not empty is written, in both formats, as the string
// "<max depth exceeded>" in its place (under its name), so that what the
// encoders write the decoders read back; a repeated field is one value
// and is written at any depth.
package core
