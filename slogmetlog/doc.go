// Package slogmetlog is a log/slog Handler that sends records to a metlog
// core.Client, in the Metlog JSON envelope or Heka framing:
//
//	slog.SetDefault(slog.New(slogmetlog.NewHandler(c, nil)))
//
// Each record becomes one message:
//
//   - timestamp: the record's Time. A record with a zero Time is stamped
//     when it is sent and carries the field TimeUnsetField (true).
//   - severity: from the level, by DefaultSeverity unless Options.Severity
//     is set (debug below Info, notice between Info and Warn, critical
//     above Error).
//   - payload: the record's message.
//   - type: Options.Type, "oldstyle" by default; logger: Options.Logger,
//     else the client's.
//   - fields: the attributes. Groups (slog.Group, WithGroup) are nested
//     objects in JSON and dotted names ("http.status") in Heka; a group
//     with no attributes is not written and one with an empty key is
//     inlined, as slog requires. With AddSource, a group "source" holds
//     function, file and line.
//
// Attribute values are resolved (slog.LogValuer) and converted without
// reflection for the slog kinds and for []byte (bytes), []string, []int,
// []int64, []float64, []bool, []time.Time, []time.Duration,
// map[string]string and map[string]any (groups, keys sorted). Other values
// of kind Any are written, in this order of preference, as the JSON of
// their MarshalJSON method, as the string of their Error method (an error
// whose key is empty or slog's "!BADKEY", as in slog.Error("failed", err),
// gets the key "error"; other keys are kept), as the string of their String
// method, or as their json.Marshal encoding. A method that panics is
// written as slog's handlers write it: "<nil>" for a nil pointer, else
// "!PANIC: " and the panic value; a value json.Marshal rejects is written
// as "!ERROR: " and the error. No panic escapes Handle.
//
// WithAttrs converts and encodes its attributes once (a core.Scope), so a
// logger holding context costs about what one without does; every message
// uses the scope, and its attributes go inside the scope's groups. Fields
// that describe the record rather than its attributes (TimeUnsetField,
// source, those of Options.FromContext) are the message's
// core.Message.TopFields: written after the attributes, at the top level
// of the message, outside the handler's groups.
//
// Handle allocates nothing in steady state (with AddSource, once per call
// site) and never waits on I/O: the client encodes the message into its
// ring buffer, and counts the messages it drops. Handle returns the
// client's error for a dropped message; slog's Logger ignores it.
package slogmetlog
