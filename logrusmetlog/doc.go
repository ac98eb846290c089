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
// the hook sorts its keys to make the output deterministic). Values convert
// by type:
//
//   - strings, booleans, integers, floats: the matching scalar field;
//     unsigned integers above math.MaxInt64 as decimal strings in Heka
//   - time.Time: an RFC 3339 string in UTC; time.Duration: integer
//     nanoseconds with representation "ns"
//   - []byte: a bytes field (base64 in the JSON envelope)
//   - slices and arrays of strings, integers, floats, booleans, byte
//     slices, times, durations, and of errors, Stringers and
//     TextMarshalers: repeated fields
//   - errors (logrus.ErrorKey or any other key): the string of Error()
//   - json.RawMessage and json.Marshaler (other than time.Time): the JSON,
//     inlined in the JSON envelope and a string with representation "json"
//     in Heka
//   - fmt.Stringer, then encoding.TextMarshaler: the string they return
//   - maps (logrus.Fields, map[string]any, any map) and structs: groups,
//     nested objects in the JSON envelope and dotted names ("user.name") in
//     Heka. Struct fields follow encoding/json's rules for exported fields,
//     "json" tag names, "-", omitempty and omitzero, and embedded structs,
//     whose fields are promoted. Map keys are sorted.
//   - pointers and interfaces: the value they point to; nil as JSON null
//   - slices and arrays of anything else (structs, maps, pointers,
//     interfaces, slices): a group keyed by index ("users.0.name"), because
//     a Metlog field cannot hold a list of objects
//   - functions, channels: their type's name
//
// Apart from time.Time, time.Duration and json.RawMessage, a value's
// methods come first, in the order above: Error, MarshalJSON, String,
// MarshalText. Methods with a pointer receiver are used when the
// value is addressable (reached through a pointer or a slice), as
// encoding/json does.
//
// Structs, maps and slices reached through reflection nest at most 16
// levels deep (a deeper value, e.g. a cycle of pointers, is written as
// "<max depth exceeded>"). A panic in a value's Error, String, MarshalJSON
// or MarshalText method does not escape: the field holds the panic text
// the way fmt prints it ("%!v(PANIC=String method: boom)"), and a method
// called on a nil pointer that panics writes "<nil>".
//
// The conversion allocates nothing except what a value's own methods
// allocate, maps other than logrus.Fields, map[string]any and
// map[string]string (reflection copies their keys and values), complex
// numbers, and the text of a panic. Types seen through reflection are
// analysed once per hook; struct fields of scalar types are then read
// without reflection.
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
// logrus calls os.Exit after a Fatal entry, before the client's goroutine
// may have shipped it. [WithFlushOnFatal] makes Fire wait (up to a
// timeout) for delivery of Fatal and Panic entries; alternatively, close
// the client in logrus.RegisterExitHandler.
package logrusmetlog
