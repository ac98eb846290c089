// Package zerologmetlog sends zerolog events to a metlog router: a
// zerolog.LevelWriter that parses each JSON event zerolog writes (with
// github.com/valyala/fastjson) and hands it to a core.Client.
//
//	c, _ := core.New("tcp://127.0.0.1:5565")
//	log := zerolog.New(zerolog.MultiLevelWriter(os.Stderr, zerologmetlog.NewWriter(c)))
//
// # Mapping
//
// Each event becomes one message of type "oldstyle" (WithType). zerolog's
// own keys, looked up by the names in zerolog's package variables at each
// write (so changing zerolog.MessageFieldName and the others is followed):
//
//   - LevelFieldName: the severity (see DefaultSeverity and WithSeverity).
//     WriteLevel is told the level by zerolog and does not read the key;
//     Write reads it, matching zerolog.LevelTraceValue ... LevelPanicValue
//     case-insensitively, or a level number. The first level key of an
//     event is the level; later ones, and a value Write cannot read, are
//     kept as fields.
//   - MessageFieldName: the payload. When an event repeats the key, the
//     last one (zerolog's Msg) is the payload and the others are fields.
//   - TimestampFieldName: the message timestamp; see Timestamps below.
//   - ErrorFieldName: a string field "error".
//   - CallerFieldName: "file:line" becomes the group "source" with a string
//     "file" and an integer "line" (split at the last ':'; without a line
//     number, the whole value is the file).
//   - ErrorStackFieldName: "stacktrace", a string when the stack marshaler
//     gave one, else the stack's JSON text (core.RawJSON).
//
// Every other key becomes a field, by the rules core.Entry.AddJSON shares
// with core.DecodeJSON: strings, booleans, numbers (an integer literal is
// an Int, or a Uint beyond int64; any other number a Float, and a number
// beyond float64's range stays raw JSON; a float zerolog writes without a
// fraction, such as 2.0, arrives as the integer 2), objects as groups
// (nested objects in the JSON envelope, dotted names in Heka), arrays of
// strings, of numbers or of booleans as repeated fields, and null, empty,
// mixed and nested arrays, and arrays of objects, as core.RawJSON of their
// JSON text. Objects and arrays nest at most 32 levels
// deep, as everywhere in metlog-go: one deeper that is not empty becomes
// the string "<max depth exceeded>".
//
// # Timestamps and durations
//
// The timestamp is the time zerolog wrote, parsed according to
// zerolog.TimeFieldFormat: RFC 3339 (with any fraction), the Unix integer
// formats (TimeFormatUnix, ...Ms, ...Micro, ...Nano), or any other layout
// through time.ParseInLocation in the local zone. It is exactly zerolog's
// time, at the precision zerolog wrote it. zerolog's default
// (time.RFC3339) is whole seconds, where the other adapters' messages
// carry the client's microseconds: for the same precision, set
//
//	zerolog.TimeFieldFormat = time.RFC3339Nano // or zerolog.TimeFormatUnixMicro
//
// The writer never reads the clock itself. An event without a timestamp
// key is stamped by the client when it is encoded; a value that cannot be
// parsed is kept as a field under its key and the client stamps the
// message.
//
// A duration arrives as the number zerolog wrote, in zerolog's unit
// (zerolog.DurationFieldUnit, milliseconds by default, as a float unless
// zerolog.DurationFieldInteger): the writer sees only a number and cannot
// know it was a duration, so it carries no unit ("ns", as the other
// adapters' durations do). For integer nanoseconds, as those, set
//
//	zerolog.DurationFieldUnit = time.Nanosecond
//	zerolog.DurationFieldInteger = true
//
// (both are zerolog's process-wide settings; see Example_fullPrecision).
//
// # Input that is not a zerolog event, and events over the size limit
//
// A write that is not a JSON object (raw bytes written to the writer, a
// truncated line) is delivered as a message of type RawType ("zerolog.raw",
// WithRawType) whose payload is the bytes without the trailing newline
// (invalid UTF-8 is replaced by the encoders) and is counted in Malformed.
//
// So is an event longer than the client's size limit
// (core.Client.MaxMessageSize, 64 KiB by default), without being parsed:
// its converted message would rarely fit, and parsing it would cost memory
// in proportion to it (fastjson's tree takes some 80 bytes per JSON
// value). The encoder truncates its text to fit, with the marker field
// payload_truncated holding its length, so the router still gets its
// start. Its severity is read from its leading level member (or given by
// WriteLevel). This includes an event whose message alone is over the
// limit, which earlier versions converted with the message truncated.
//
// # Logger contexts
//
// A logger's context (logger.With()...Logger()) is JSON that zerolog
// encoded once and copies into each event after the level. The writer
// learns it: when recent events start with the same members, it converts
// and encodes those members once (a core.Scope) and afterwards parses and
// converts only the rest of each event that starts with them, which makes
// a large context almost free. The output is the same with and without
// (WithContextCache(0) turns it off). A context is learnt when an event
// and one of the few events written just before it share at least 32
// bytes of leading members; to keep the scan cheap, after the first events
// only one event in 16 is compared, so a context is learnt within some
// tens of events. Up to 8 contexts are kept (WithContextCache), those not
// used lately replaced first. A context that changes with every few events (a request
// ID added by logger.With per request, say) costs a conversion and a few
// allocations each time it is learnt.
//
// # Cost
//
// Write and WriteLevel allocate nothing in steady state: parsers, scratch
// memory and entries are pooled (a converter that parsed an event over 64
// KiB drops its parser rather than keep that event's tree in the pool), and strings and keys are used where
// fastjson unescapes them, in its copy of the event. Only unusual input
// allocates: malformed \u escapes, custom time layouts
// (time.ParseInLocation), writes that are not JSON. Both methods always
// return len(p), nil, so that zerolog.MultiLevelWriter never stops at this
// writer; messages the client drops are counted in its Stats.
//
// # Fatal
//
// After a Fatal event zerolog calls Close on its writer, if it is an
// io.Closer (zerolog.MultiLevelWriter passes the call on), and then exits.
// Writer.Close waits, at most DefaultCloseTimeout (WithCloseTimeout), until
// the client has delivered the Fatal line and everything queued before it.
package zerologmetlog
