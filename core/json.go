package core

import (
	"math"
	"strconv"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// jsonState is what a FormatJSON Encoder pre-encodes. The Metlog JSON
// envelope of metlog-py 0.10.0 is one compact object with exactly the keys
// type, timestamp, logger, severity, payload, fields, env_version,
// metlog_pid and metlog_hostname, ending in "\n". Nested groups become
// nested objects in "fields"; repeated values become arrays; bytes become
// base64 strings; representations are not written (the envelope has no
// place for them).
type jsonState struct {
	tail   []byte // pre-encoded env_version, metlog_pid, metlog_hostname and "}"
	logger []byte // pre-encoded default logger
	time   jsontext.TimeCache
}

func (j *jsonState) init(b *encBase) {
	j.tail = appendJSONTail(nil, EnvVersion, b.pid, b.hostname)
	j.logger = jsontext.AppendString(nil, b.logger)
}

func (e *Encoder) encodeJSON(dst []byte, m *Message, sev Severity, payload string, origLen int) ([]byte, int) {
	start := len(dst)
	dst = append(dst, `{"type":`...)
	dst = jsontext.AppendString(dst, m.Type)
	dst = append(dst, `,"timestamp":"`...)
	dst = e.json.time.AppendMetlogTime(dst, e.stamp(m))
	dst = append(dst, `Z","logger":`...)
	if m.Logger == "" {
		dst = append(dst, e.json.logger...)
	} else {
		dst = jsontext.AppendString(dst, m.Logger)
	}
	dst = append(dst, `,"severity":`...)
	dst = append(dst, byte('0'+sev.Number()))
	dst = append(dst, `,"payload":`...)
	dst = jsontext.AppendString(dst, payload)
	dst = append(dst, `,"fields":{`...)
	dst = e.appendJSONMembers(dst, m, origLen)
	if e.isDefaultTail(m) {
		dst = append(dst, e.json.tail...)
	} else {
		ver, pid, host := e.tailValues(m)
		dst = appendJSONTail(dst, ver, pid, host)
	}
	size := len(dst) - start
	return append(dst, '\n'), size
}

// appendJSONTail closes "fields" and writes the last three envelope keys.
func appendJSONTail(dst []byte, ver string, pid int32, host string) []byte {
	dst = append(dst, `},"env_version":`...)
	dst = jsontext.AppendString(dst, ver)
	dst = append(dst, `,"metlog_pid":`...)
	dst = strconv.AppendInt(dst, int64(pid), 10)
	dst = append(dst, `,"metlog_hostname":`...)
	dst = jsontext.AppendString(dst, host)
	return append(dst, '}')
}

// appendJSONMembers writes the members of the "fields" object: the encoder's env
// fields, the message's scope, its own fields (inside the scope's open
// groups), its top-level fields and the truncation marker.
func (e *Encoder) appendJSONMembers(dst []byte, m *Message, origLen int) []byte {
	start := len(dst)
	first := true
	if env := scopeTextOf(e.env, FormatJSON); len(env.json) > 0 {
		dst = append(dst, env.json...)
		first = false
	}
	s := scopeTextOf(m.Scope, FormatJSON)
	if len(s.json) > 0 {
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, s.json...)
		first = s.jsonEmpty
	}
	// The message's fields go in the scope's groups. A scope nested
	// deeper than MaxDepth (deep) takes a marker in their place, once.
	if !s.deepDone && writesJSONMember(m.Fields) {
		// Groups named by WithGroup but still empty open only now that
		// there is something to put in them (slog's rule).
		dst, first = openPending(dst, s.pending, first)
		if s.deep != "" {
			dst = appendJSONMarker(dst, s.deep, first)
		} else {
			dst, _ = appendJSONFields(dst, m.Fields, first, s.depth+1)
		}
		for range s.pending {
			dst = append(dst, '}')
		}
	}
	for i := 0; i < s.jsonOpen; i++ {
		dst = append(dst, '}')
	}
	// Everything above is at the top level of "fields" once the groups
	// are closed: whether anything was written is whether dst grew.
	if len(m.TopFields) > 0 {
		dst, _ = appendJSONFields(dst, m.TopFields, len(dst) == start, 1)
	}
	if origLen >= 0 {
		if len(dst) > start {
			dst = append(dst, ',')
		}
		dst = appendJSONKey(dst, TruncatedField)
		dst = strconv.AppendInt(dst, int64(origLen), 10)
	}
	return dst
}

// writesJSONMember reports whether fields write at least one object
// member: not when they are only groups with empty names and no members.
func writesJSONMember(fields []Field) bool {
	for i := range fields {
		f := &fields[i]
		if f.kind != KindGroup || f.Name != "" || writesJSONMember(f.GroupValue()) {
			return true
		}
	}
	return false
}

// openPending opens the groups a scope named (WithGroup) and has not
// opened yet; first says no member precedes them at the current level. It
// returns whether no member precedes what follows (true when it opened a
// group).
func openPending(dst []byte, pending []string, first bool) ([]byte, bool) {
	for _, g := range pending {
		if !first {
			dst = append(dst, ',')
		}
		dst = appendJSONKey(dst, g)
		dst = append(dst, '{')
		first = true
	}
	return dst, first
}

// appendJSONFields writes fields, at depth depth (see jsontext.MaxDepth),
// as object members. first says no member precedes them at this level;
// the result says whether that still holds.
func appendJSONFields(dst []byte, fields []Field, first bool, depth int) ([]byte, bool) {
	for i := range fields {
		f := &fields[i]
		if f.kind == KindGroup && f.Name == "" {
			dst, first = appendJSONFields(dst, f.GroupValue(), first, depth)
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONKey(dst, f.Name)
		dst = appendJSONValue(dst, f, depth)
	}
	return dst, first
}

// appendJSONMarker writes the member name: DepthMarker.
func appendJSONMarker(dst []byte, name string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	return jsontext.AppendDepthMarker(appendJSONKey(dst, name))
}

func appendJSONKey(dst []byte, name string) []byte {
	if name == "" {
		name = "_"
	}
	dst = jsontext.AppendString(dst, name)
	return append(dst, ':')
}

// tooDeep reports whether a group at depth holding fields is written as
// jsontext.DepthMarker: it is deeper than MaxDepth and not empty.
func tooDeep(depth int, fields []Field) bool {
	return depth > jsontext.MaxDepth && writesJSONMember(fields)
}

// appendJSONValue writes the value of f, a field at depth depth.
func appendJSONValue(dst []byte, f *Field, depth int) []byte {
	if f.multi {
		dst = append(dst, '[')
		switch f.kind {
		case KindString:
			for i, v := range f.StringsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = jsontext.AppendString(dst, v)
			}
		case KindBytes:
			for i, v := range f.ByteSlicesValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = jsontext.AppendBase64(dst, v)
			}
		case KindInt:
			for i, v := range f.IntsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendInt(dst, v, 10)
			}
		case KindFloat:
			for i, v := range f.FloatsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = jsontext.AppendFloat(dst, v)
			}
		case KindBool:
			for i, v := range f.BoolsValue() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendBool(dst, v)
			}
		}
		return append(dst, ']')
	}
	switch f.kind {
	case KindString:
		return jsontext.AppendString(dst, f.str())
	case KindBytes:
		return jsontext.AppendBase64(dst, f.BytesValue())
	case KindInt:
		return strconv.AppendInt(dst, int64(f.num), 10)
	case kindUint:
		return strconv.AppendUint(dst, f.num, 10)
	case KindFloat:
		return jsontext.AppendFloat(dst, math.Float64frombits(f.num))
	case KindBool:
		return strconv.AppendBool(dst, f.num != 0)
	case kindTime:
		dst = append(dst, '"')
		dst = jsontext.AppendRFC3339(dst, int64(f.num), f.n)
		return append(dst, '"')
	case KindGroup:
		if tooDeep(depth, f.GroupValue()) {
			return jsontext.AppendDepthMarker(dst)
		}
		dst = append(dst, '{')
		dst, _ = appendJSONFields(dst, f.GroupValue(), true, depth+1)
		return append(dst, '}')
	case KindJSON:
		start := len(dst)
		if out, ok := jsontext.AppendRawJSON(dst, f.BytesValue(), depth); ok {
			return out
		}
		return jsontext.AppendString(dst[:start], f.str())
	}
	return append(dst, "null"...)
}

func appendUint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }
