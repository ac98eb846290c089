// Package jsontext holds the JSON text rules every encoder, decoder and
// adapter of metlog-go shares, written once: the nesting limit, string
// escaping, numbers, base64, raw JSON checking and RFC 3339 times.
package jsontext

// MaxDepth is the one nesting limit of metlog-go: how deep groups,
// objects and arrays may nest in a message's fields. A top-level field is
// at depth 1; the children of a group (or the members of an object or the
// elements of an array) at depth d are at depth d+1. Reflected values
// (structs, maps, pointers), groups, namespaces, scopes' groups and raw
// JSON are all held to it.
//
// A group, object or array at a depth greater than MaxDepth that is not
// empty is written as the string DepthMarker in its place (under its name,
// for a group or an object member): groups nest at most MaxDepth deep, and
// the marker, like any scalar inside the deepest groups, sits at depth
// MaxDepth+1. A repeated field (a list of strings, numbers or booleans) is
// one value, not a container: it is written at any depth. So whatever an
// encoder writes, the decoders read back.
const MaxDepth = 32

// DepthMarker replaces a value nested deeper than MaxDepth.
const DepthMarker = "<max depth exceeded>"

// depthMarkerJSON is DepthMarker as a JSON string.
const depthMarkerJSON = `"` + DepthMarker + `"`

// AppendDepthMarker appends DepthMarker as a JSON string.
func AppendDepthMarker(dst []byte) []byte { return append(dst, depthMarkerJSON...) }
