package core

import "strconv"

// Severity is a message's syslog severity.
//
// The zero Severity, [DefaultSeverity], means "not set": a [Message] that
// carries it gets its client's default severity (Info unless
// [WithSeverity]), never Emergency. So that zero can mean "not set", each
// constant holds its syslog number plus one; [Severity.Number] returns the
// syslog number, which is what every wire format carries, and
// [SeverityFromNumber] goes the other way. Constants order as syslog
// numbers do: a higher Severity is less severe.
type Severity uint8

// Syslog severities, most severe first. The comment after each is its
// syslog number, the value on the wire.
const (
	DefaultSeverity Severity = iota // not set: the client's default severity

	Emergency // 0: system is unusable
	Alert     // 1: action must be taken immediately
	Critical  // 2: critical conditions
	Error     // 3: error conditions
	Warning   // 4: warning conditions
	Notice    // 5: normal but significant condition
	Info      // 6: informational (Metlog's default)
	Debug     // 7: debug-level messages
)

var severityNames = [...]string{"default", "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}

// String returns the severity's lower-case syslog name ("error", "info",
// ...), "default" for DefaultSeverity, and "severity(n)" for values outside
// the constants.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the eight syslog severities (not
// DefaultSeverity).
func (s Severity) Valid() bool { return s >= Emergency && s <= Debug }

// Number returns the syslog number of s, 0 (Emergency) to 7 (Debug), or -1
// when s is not one of the eight syslog severities.
func (s Severity) Number() int {
	if !s.Valid() {
		return -1
	}
	return int(s) - 1
}

// SeverityFromNumber returns the severity whose syslog number is n (0-7);
// false for any other n.
func SeverityFromNumber(n int) (Severity, bool) {
	if n < 0 || n > 7 {
		return DefaultSeverity, false
	}
	return Severity(n + 1), true
}

// ParseSeverity returns the severity named by s: a syslog name as String
// returns it (also "warn", "err", "crit", "emerg", "informational") or a
// syslog number "0" to "7".
func ParseSeverity(s string) (Severity, bool) {
	switch s {
	case "emergency", "emerg", "0":
		return Emergency, true
	case "alert", "1":
		return Alert, true
	case "critical", "crit", "2":
		return Critical, true
	case "error", "err", "3":
		return Error, true
	case "warning", "warn", "4":
		return Warning, true
	case "notice", "5":
		return Notice, true
	case "info", "informational", "6":
		return Info, true
	case "debug", "7":
		return Debug, true
	}
	return DefaultSeverity, false
}
