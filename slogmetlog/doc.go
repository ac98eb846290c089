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
// Attribute values are resolved (slog.LogValuer) and the slog kinds
// converted without reflection. map[string]any is a group with sorted
// keys whose values are resolved in turn (a nil one is null). Other values of kind Any go
// through core's conversion, shared with the other adapters
// ([core.Entry.AddAny]): slices of scalars and times are repeated fields;
// a value with MarshalJSON is its JSON; then errors, Stringers and
// TextMarshalers are their text; other maps and structs (by
// encoding/json's field rules) are groups, nested objects in JSON and
// dotted names in Heka, and lists of them groups keyed by index. An error
// whose key is empty or slog's "!BADKEY", as in slog.Error("failed", err),
// gets the key "error"; other keys are kept. A method that panics is
// written as fmt writes it: "%!v(PANIC=String method: boom)", or "<nil>"
// for a nil pointer receiver; a failing MarshalJSON as
// "%!v(ERROR=MarshalJSON method: ...)". No panic of a value's method
// escapes Handle; a panic in Options.ReplaceAttr or Options.FromContext
// does, as it does from slog's own handlers.
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
// site; with AddSource and ReplaceAttr, once per record, for the
// *slog.Source that ReplaceAttr is given) and never waits on I/O: the
// client encodes the message into its ring buffer, and counts the messages
// it drops. Handle returns the
// client's error for a dropped message; slog's Logger ignores it.
package slogmetlog
