// Package router receives Metlog messages, verifies and matches them, and
// delivers them to endpoints: a router for local development, tests and
// small deployments, to embed ([New]) or to run as cmd/metlog-router.
// Fleets keep Heka, Hindsight or a collector; this router can forward to
// them.
//
// # Inputs
//
// A router listens on TCP, TLS, UDP and unix stream and datagram sockets
// ([Input]). Each connection, and each datagram, says its format with its
// first byte: 0x1E starts Heka stream framing, '{' JSON lines (a datagram
// may hold one JSON object or several lines). Heka records are decoded
// without allocating ([core.Decoder]): the message refers into the
// connection's buffer until it has been handed to the endpoints.
//
// Bad input is skipped and counted by reason ([Rejections]), and the
// connection stays open: garbage is skipped up to the next record as Heka's
// reader does; a record whose header claims more than the size limit
// (Config.MaxMessageSize) is skipped unread; a record that does not decode
// but holds the start of another was cut short by it, and reading resumes
// there; a JSON line over the limit is skipped up to its newline. No
// connection holds more than about one largest record, whatever its input
// claims, connections are limited in number (Config.MaxConnections), and
// one that completes no message for Config.IdleTimeout is closed.
//
// Signed records are verified with the keys of Config.Keys, named
// "<signer>_<key_version>" as in Heka; a bad signature or an unknown key is
// rejected, and Config.RequireSigned rejects unsigned records and JSON
// lines (which cannot be signed). Keys never appear in errors, logs or
// stats.
//
// # Routes
//
// Messages are routed with [Matcher]s: expressions in Heka's message matcher
// language, such as
//
//	Type == "timer" && Severity <= 4 && Fields[name] =~ /^db\./
//
// so that the routes of a Heka configuration work unchanged. [ParseMatcher]
// compiles one; [Matcher] describes the language and where it differs from
// Heka's and Hindsight's. A [Route] is a matcher and endpoint names; a
// message goes to every endpoint of every route it matches, once per
// endpoint even when several of its routes name the same one (a route's
// count still counts it).
//
// # Endpoints
//
// Each [Endpoint] has a queue of its own, a core.Client: a slow or dead
// endpoint drops and counts its own messages and never stalls the inputs or
// the other endpoints. The router decodes a message once and hands it to
// each endpoint's client, which encodes it in the endpoint's format keeping
// the message's own UUID, timestamp, hostname and pid. Types: stdout
// (core.FormatText lines), file (JSON lines or Heka framing, rotated by
// size, reopened by [Router.Reopen]), statsd (counters, timers and gauges
// as statsd lines, per call and aggregated), forward (Heka framing over TCP
// or TLS, optionally re-signed) and sentry (events through sentry-go), or
// any core.Sender.
//
// # Stats
//
// [Router.Stats] returns exact counters: connections, records received,
// decoded and rejected by reason, matches per route, and each endpoint's
// deliveries and drops.
package router
