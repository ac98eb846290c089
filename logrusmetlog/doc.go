// Package logrusmetlog sends logrus entries to a metlog router through a
// [core.Client]: a [logrus.Hook] that turns each entry into one Metlog
// message without blocking the logging call.
//
//	logger.AddHook(logrusmetlog.NewHook(c))
//
// # Messages
//
// Each entry becomes a message of type "oldstyle" ([core.TypeOldstyle],
// see [WithType]) whose payload is Entry.Message, whose timestamp is
// Entry.Time and whose logger is the client's (see [WithLogger]).
//
// Levels map to syslog severities ([DefaultSeverity], see [WithSeverity]):
//
//	logrus  Trace Debug Info Warn Error Panic Fatal
//	metlog    7     7    6    4     3     1     0
//
// # Fields
//
// Entry.Data becomes the message's fields in key order (Data is a map, so
// the hook sorts its keys to make the output deterministic). Errors
// (logrus.ErrorKey or any other key) are the string of Error(), as
// logrus's formatters write them. Every other value converts by core's
// rules ([core.Entry.AddAny], shared with the other adapters):
//
//   - scalars, times (RFC 3339 in UTC), durations (nanoseconds, "ns"),
//     []byte and lists of those: the matching field
//   - json.Marshaler: its JSON (inlined in the JSON envelope, a string
//     with representation "json" in Heka); then error, fmt.Stringer,
//     encoding.TextMarshaler: their text
//   - maps (logrus.Fields, map[string]any, any map) and structs: groups,
//     nested objects in the JSON envelope and dotted names ("user.name") in
//     Heka; struct fields follow encoding/json's rules (tags, "-",
//     omitempty, omitzero, ",string", embedded structs and their name
//     conflicts); map keys are sorted
//   - lists of structs, maps and other non-scalars: a group keyed by index
//     ("users.0.name"), because a Metlog field cannot hold a list of objects
//   - pointers and interfaces: the value they point to; nil as JSON null
//
// Values nest at most 32 levels deep, counted from the top of the message
// (metlog-go's one limit): a group or list that would hold values deeper
// is the string "<max depth exceeded>", which ends a cycle. A panic in a
// value's method does not escape: the field holds the panic text the way
// fmt prints it ("%!v(PANIC=String method: boom)"), or "<nil>" for a
// method called on a nil pointer. The conversion allocates nothing for
// the common types (see AddAny).
//
// When Logger.ReportCaller is on, Entry.Caller becomes a group "source"
// with "file", "line" and "function", after the Data fields (a Data field
// "source" is then renamed "fields.source", as logrus renames fields that
// clash with its own). A function
// given to [WithContextFields] adds fields read from Entry.Context, between
// the two.
//
// # The hook as the only sink
//
// logrus formats every entry for Logger.Out even when Out is io.Discard.
// When the hook is the only destination, set the formatter to
// [DiscardFormatter] so that logrus skips that work:
//
//	logger.Out = io.Discard
//	logger.Formatter = logrusmetlog.DiscardFormatter{}
//	logger.AddHook(logrusmetlog.NewHook(c))
//
// # Fatal and Panic
//
// logrus calls os.Exit after a Fatal entry (and panics after a Panic
// entry), before the client's goroutine may have shipped it. So after
// Fatal and Panic entries Fire waits, at most [DefaultFatalFlush], until
// the client has delivered them and everything queued before, as zap's
// core does on Fatal; [WithFlushOnFatal] sets the bound (0: never wait).
// To deliver the rest too, close the client in logrus.RegisterExitHandler.
package logrusmetlog
