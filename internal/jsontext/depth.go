// Package jsontext holds the JSON text rules every encoder, decoder and
// adapter of metlog-go shares, written once: the nesting limit, string
// escaping, numbers, raw JSON checking and RFC 3339 times.
package jsontext

// MaxDepth is the one nesting limit of metlog-go: how deep the values of a
// message's fields may nest, counting a top-level field as depth 1, the
// children of a group (or the members of a JSON object or array inside a
// field) as depth 2, and so on. Reflected values (structs, maps, pointers),
// groups, namespaces and raw JSON are all held to it. An encoder writes a
// value that would nest deeper as the string DepthMarker, so whatever an
// encoder writes, the decoders read back.
const MaxDepth = 32

// DepthMarker replaces a value nested deeper than MaxDepth.
const DepthMarker = "<max depth exceeded>"
