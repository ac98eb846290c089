package core

import "strconv"

// Severity is a message's syslog severity, 0 (Emergency) to 7 (Debug).
//
// As in syslog the zero value is Emergency. A [Message] whose Severity is
// [DefaultSeverity] takes the client's default (Info unless configured).
type Severity int8

// Syslog severities, most severe first.
const (
	Emergency Severity = iota // 0: system is unusable
	Alert                     // 1: action must be taken immediately
	Critical                  // 2: critical conditions
	Error                     // 3: error conditions
	Warning                   // 4: warning conditions
	Notice                    // 5: normal but significant condition
	Info                      // 6: informational (Metlog's default)
	Debug                     // 7: debug-level messages
)

// DefaultSeverity asks the client to use its configured default severity.
const DefaultSeverity Severity = -1

var severityNames = [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}

// String returns the severity's lower-case syslog name ("error", "info", ...),
// or its number for values outside 0-7.
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	if s == DefaultSeverity {
		return "default"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the eight syslog severities.
func (s Severity) Valid() bool { return s >= Emergency && s <= Debug }

// ParseSeverity returns the severity named by s: a syslog name as String
// returns it (also "warn", "err", "crit", "emerg", "informational") or a
// digit 0-7.
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
	return 0, false
}
