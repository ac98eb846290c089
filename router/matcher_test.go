package router

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// sampleTime has microseconds only, which the JSON envelope keeps.
var sampleTime = time.Date(2016, 5, 24, 21, 51, 0, 123456000, time.UTC)

const sampleUUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

// sampleSource is the message the tests match, before it goes through a
// wire format.
func sampleSource() *core.Message {
	return &core.Message{
		UUID:       [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
		Timestamp:  sampleTime,
		Type:       "db.query",
		Logger:     "app.db",
		Severity:   core.Warning,
		Payload:    "SELECT 1 -- slow",
		EnvVersion: "0.8",
		Pid:        4321,
		Hostname:   "web-1",
		Fields: []core.Field{
			core.String("user", "alice"),
			core.Int("count", 42),
			core.Float("ratio", 0.25),
			core.Bool("cached", true),
			core.Bytes("blob", []byte("raw")),
			core.Strings("tags", []string{"a", "b", "c"}),
			core.Ints("codes", []int64{200, 404}),
			core.Floats("lat", []float64{0.5, 1.75}),
			core.Bools("flags", []bool{false, true}),
			core.Group("http",
				core.Int("status", 503),
				core.String("method", "GET"),
				core.Group("req", core.String("id", "r1")),
			),
			core.String("dup", "first"),
			core.String("dup", "second"),
			core.RawJSON("nothing", []byte("null")),
			core.RawJSON("mixed", []byte(`[1,"a"]`)),
			core.Uint64("big", math.MaxUint64),
			core.Int("neg", -7),
			core.Int64("huge", 1<<53+1),
		},
	}
}

// decodedSamples returns sampleSource after a round trip through each wire
// format: Heka framing (flat dotted field names, a UUID) and the JSON
// envelope (nested groups, no UUID, bytes as base64 strings).
func decodedSamples(tb testing.TB) (heka, json *core.Message) {
	tb.Helper()
	src := sampleSource()
	for _, f := range []core.Format{core.FormatHeka, core.FormatJSON} {
		enc, err := core.NewEncoder(f, core.EncoderConfig{})
		if err != nil {
			tb.Fatal(err)
		}
		b, err := enc.AppendMessage(nil, src)
		if err != nil {
			tb.Fatal(err)
		}
		if f == core.FormatHeka {
			heka, _, err = core.DecodeHekaRecord(b, nil)
		} else {
			json, err = core.DecodeJSON(b)
		}
		if err != nil {
			tb.Fatalf("%v: %v", f, err)
		}
	}
	return heka, json
}

func mustParse(tb testing.TB, expr string) *Matcher {
	tb.Helper()
	m, err := ParseMatcher(expr)
	if err != nil {
		tb.Fatalf("ParseMatcher(%q): %v", expr, err)
	}
	return m
}

// Which decoded samples a case applies to.
const (
	both = iota
	hekaOnly
	jsonOnly
)

// matchCases hold an expression and whether it matches the decoded
// samples.
var matchCases = []struct {
	expr string
	want bool
	only int
}{
	// Uuid: the canonical text (the JSON envelope has none: all zeros).
	{`Uuid == "` + sampleUUID + `"`, true, hekaOnly},
	{`Uuid == "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"`, false, hekaOnly},
	{`Uuid != "` + sampleUUID + `"`, false, hekaOnly},
	{`Uuid < "7"`, true, hekaOnly},
	{`Uuid > "7"`, false, hekaOnly},
	{`Uuid =~ /^6ba7b810-9dad-/`, true, hekaOnly},
	{`Uuid !~ /^6ba7b810-9dad-/`, false, hekaOnly},
	{`Uuid == "00000000-0000-0000-0000-000000000000"`, true, jsonOnly},

	// String variables, each operator true and false.
	{`Type == "db.query"`, true, both},
	{`Type == "db"`, false, both},
	{`Type != "db"`, true, both},
	{`Type != "db.query"`, false, both},
	{`Type < "db.r"`, true, both},
	{`Type < "db.query"`, false, both},
	{`Type <= "db.query"`, true, both},
	{`Type <= "db.p"`, false, both},
	{`Type > "db"`, true, both},
	{`Type > "db.query"`, false, both},
	{`Type >= "db.query"`, true, both},
	{`Type >= "e"`, false, both},
	{`Type =~ /^db\./`, true, both},
	{`Type =~ /^db\.x/`, false, both},
	{`Type !~ /^web/`, true, both},
	{`Type !~ /query$/`, false, both},
	{`Type =~ /db/`, true, both}, // not anchored
	{`Logger == 'app.db'`, true, both},
	{`Logger != 'app.db'`, false, both},
	{`Logger =~ /^app\./`, true, both},
	{`Payload == "SELECT 1 -- slow"`, true, both},
	{`Payload =~ /SELECT \d/`, true, both},
	{`Payload =~ /^slow/`, false, both},
	{`EnvVersion == "0.8"`, true, both},
	{`EnvVersion > "0.9"`, false, both},
	{`Hostname == "web-1"`, true, both},
	{`Hostname =~ /^db-/`, false, both},

	// Numeric variables.
	{`Severity == 4`, true, both},
	{`Severity == 3`, false, both},
	{`Severity != 3`, true, both},
	{`Severity != 4`, false, both},
	{`Severity < 5`, true, both},
	{`Severity < 4`, false, both},
	{`Severity <= 4`, true, both},
	{`Severity <= 3.5`, false, both},
	{`Severity > 3`, true, both},
	{`Severity > 4`, false, both},
	{`Severity >= 4.0`, true, both},
	{`Severity >= 4.5`, false, both},
	{`Pid == 4321`, true, both},
	{`Pid > 4321`, false, both},
	{`Pid >= -1`, true, both},
	{`Pid < 4.321e3`, false, both},
	{`Timestamp == 1464126660123456000`, true, both},
	{`Timestamp != 1464126660123456000`, false, both},
	{`Timestamp > 1.4e18`, true, both},
	{`Timestamp >= "2016-05-24T00:00:00Z"`, true, both},
	{`Timestamp < "2016-05-24T21:51:00Z"`, false, both},
	{`Timestamp == "2016-05-24T21:51:00.123456Z"`, true, both},
	{`Timestamp == '2016-05-24T23:51:00.123456+02:00'`, true, both},
	{`Timestamp == "2016-05-24T23:51:00.123456+0200"`, true, both}, // Hindsight's offset
	{`Timestamp <= "2016-05-24T21:51:00.123455999Z"`, false, both},

	// Fields: strings.
	{`Fields[user] == "alice"`, true, both},
	{`Fields[user] != "alice"`, false, both},
	{`Fields[user] < "b"`, true, both},
	{`Fields[user] >= "b"`, false, both},
	{`Fields[user] =~ /^al/`, true, both},
	{`Fields[user] !~ /^al/`, false, both},
	// Numbers, integers with fractions exactly.
	{`Fields[count] == 42`, true, both},
	{`Fields[count] == 42.5`, false, both},
	{`Fields[count] < 42.5`, true, both},
	{`Fields[count] > 42.5`, false, both},
	{`Fields[neg] == -7`, true, both},
	{`Fields[neg] > -7.5`, true, both},
	{`Fields[huge] == 9007199254740993`, true, both},
	{`Fields[huge] == 9007199254740992`, false, both}, // equal as float64
	{`Fields[huge] > 9007199254740992.0`, true, both},
	{`Fields[ratio] == 0.25`, true, both},
	{`Fields[ratio] != 0.25`, false, both},
	{`Fields[ratio] < 1`, true, both},
	{`Fields[ratio] > 1`, false, both},
	{`Fields[ratio] >= 2.5e-1`, true, both},
	// Booleans.
	{`Fields[cached] == TRUE`, true, both},
	{`Fields[cached] != TRUE`, false, both},
	{`Fields[cached] == FALSE`, false, both},
	{`Fields[cached] != FALSE`, true, both},
	// Dotted names: flat in Heka framing, groups in the JSON envelope.
	{`Fields[http.status] == 503`, true, both},
	{`Fields[http.status] >= 500`, true, both},
	{`Fields[http.status] < 500`, false, both},
	{`Fields[http.method] == "GET"`, true, both},
	{`Fields[http.req.id] == "r1"`, true, both},
	{`Fields[http.req.id] != NIL`, true, both},
	{`Fields[http] == NIL`, true, both}, // a group is not a value
	{`Fields[http] != NIL`, false, both},
	{`Fields[http.req] == NIL`, true, both},
	{`Fields[http.nope] == NIL`, true, both},
	{`Fields[http.] == NIL`, true, both},
	{`Fields[status] == NIL`, true, both},
	// Repeated values and repeated names.
	{`Fields[tags] == "a"`, true, both},
	{`Fields[tags][0] == "a"`, true, both},
	{`Fields[tags][0][1] == "b"`, true, both},
	{`Fields[tags][0][2] == "c"`, true, both},
	{`Fields[tags][0][2] == "b"`, false, both},
	{`Fields[tags][0][3] == NIL`, true, both},
	{`Fields[tags][0][3] != NIL`, false, both},
	{`Fields[tags][0][3] != "x"`, false, both},
	{`Fields[tags][1] == NIL`, true, both},
	{`Fields[codes][0][1] == 404`, true, both},
	{`Fields[codes] >= 300`, false, both},
	{`Fields[lat][0][1] > 1.5`, true, both},
	{`Fields[flags] == FALSE`, true, both},
	{`Fields[flags][0][1] == TRUE`, true, both},
	{`Fields[dup] == "first"`, true, both},
	{`Fields[dup][1] == "second"`, true, both},
	{`Fields[dup][1][0] == "second"`, true, both},
	{`Fields[dup][1][1] == NIL`, true, both},
	{`Fields[dup][2] == NIL`, true, both},
	{`Fields[dup][1] != NIL`, true, both},
	{`Fields[count][0][1] == NIL`, true, both},
	{`Fields[count][0][1] == 42`, false, both},
	// Bytes compare as strings; the JSON envelope carries them as base64.
	{`Fields[blob] == "raw"`, true, hekaOnly},
	{`Fields[blob] =~ /^ra/`, true, hekaOnly},
	{`Fields[blob] > "rav"`, true, hekaOnly},
	{`Fields[blob] == "cmF3"`, true, jsonOnly},
	// Raw JSON compares by its text, as Heka framing carries it.
	{`Fields[nothing] == "null"`, true, both},
	{`Fields[nothing] != NIL`, true, both},
	{`Fields[mixed] == '[1,"a"]'`, true, both},
	{`Fields[mixed] =~ /^\[1,/`, true, both},
	// An unsigned integer above 2^63-1 is a string of digits.
	{`Fields[big] == "18446744073709551615"`, true, both},
	{`Fields[big] < "2"`, true, both},
	{`Fields[big] =~ /^1844674407/`, true, both},
	{`Fields[big] !~ /^1844674407/`, false, both},
	{`Fields[big] > 5`, false, both},
	// Kinds that differ: false whatever the operator.
	{`Fields[user] == 5`, false, both},
	{`Fields[user] != 5`, false, both},
	{`Fields[user] == TRUE`, false, both},
	{`Fields[user] != TRUE`, false, both},
	{`Fields[count] == "42"`, false, both},
	{`Fields[count] != "42"`, false, both},
	{`Fields[count] =~ /4/`, false, both},
	{`Fields[count] !~ /x/`, false, both},
	{`Fields[count] != TRUE`, false, both},
	{`Fields[cached] == 1`, false, both},
	{`Fields[cached] != "x"`, false, both},
	{`Fields[cached] !~ /x/`, false, both},
	// Absent values.
	{`Fields[missing] == NIL`, true, both},
	{`Fields[missing] != NIL`, false, both},
	{`Fields[missing] != "x"`, false, both},
	{`Fields[missing] !~ /x/`, false, both},
	{`Fields[missing] != 1`, false, both},
	{`Fields[user] == NIL`, false, both},
	{`Fields[user] != NIL`, true, both},

	// TRUE, FALSE, precedence and parentheses.
	{`TRUE`, true, both},
	{`FALSE`, false, both},
	{`TRUE && FALSE`, false, both},
	{`TRUE || FALSE`, true, both},
	{`TRUE || TRUE && FALSE`, true, both}, // && binds tighter
	{`(TRUE || TRUE) && FALSE`, false, both},
	{`FALSE && FALSE || TRUE`, true, both},
	{`FALSE && (FALSE || TRUE)`, false, both},
	{`Type == "x" || Severity == 4 && Pid == 4321`, true, both},
	{`(Type == "x" || Severity == 4) && Pid == 1`, false, both},
	{`((((Type == "db.query"))))`, true, both},
	{`Type == "db.query" && (Fields[http.status] >= 500 || Fields[user] == "bob") && Fields[cached] == TRUE`, true, both},
	{"Type\t==\n\"db.query\"\r\n&&Pid==4321", true, both},
}

func TestMatch(t *testing.T) {
	heka, json := decodedSamples(t)
	if got := severityNumber(heka); got != 4 {
		t.Fatalf("severityNumber of a Warning decoded from Heka framing = %d, want 4", got)
	}
	if got := severityNumber(json); got != 4 {
		t.Fatalf("severityNumber of a Warning decoded from JSON = %d, want 4", got)
	}
	for _, c := range matchCases {
		m := mustParse(t, c.expr)
		if c.only != jsonOnly {
			if got := m.Match(heka); got != c.want {
				t.Errorf("%s on the Heka-decoded message = %v, want %v", c.expr, got, c.want)
			}
		}
		if c.only != hekaOnly {
			if got := m.Match(json); got != c.want {
				t.Errorf("%s on the JSON-decoded message = %v, want %v", c.expr, got, c.want)
			}
		}
	}
}

func TestMatchSeverities(t *testing.T) {
	for _, s := range []core.Severity{core.Emergency, core.Alert, core.Critical, core.Error, core.Warning, core.Notice, core.Info, core.Debug} {
		msg := &core.Message{Severity: s}
		n := severityNumber(msg)
		if n < 0 || n > 7 {
			t.Fatalf("severityNumber(%v) = %d, not a syslog number", s, n)
		}
		for expr, want := range map[string]bool{
			"Severity == " + itoa(n):     true,
			"Severity != " + itoa(n):     false,
			"Severity < " + itoa(n+1):    true,
			"Severity > " + itoa(n):      false,
			"Severity <= " + itoa(n-1):   false,
			"Severity >= " + itoa(n):     true,
			"Severity == " + itoa(7-n+8): false,
		} {
			if got := mustParse(t, expr).Match(msg); got != want {
				t.Errorf("%s on severity %v = %v, want %v", expr, s, got, want)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestMatchFieldNames(t *testing.T) {
	// A flat field with a dotted name comes before a group path, and both
	// count for the field index; names may hold spaces and brackets.
	msg, err := core.DecodeJSON([]byte(`{"fields":{"a.b":"flat","a":{"b":"group","c.d":1,"c":{"d":2}},
		"my field":"v","x[0":"bracket","":{"inl":"x"},"n":{"":{"deep":true}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for expr, want := range map[string]bool{
		`Fields[a.b] == "flat"`:        true,
		`Fields[a.b][1] == "group"`:    true,
		`Fields[a.b][2] == NIL`:        true,
		`Fields[a.c.d] == 1`:           true,
		`Fields[a.c.d][1] == 2`:        true,
		`Fields[my field] == "v"`:      true,
		`Fields[ my field] == NIL`:     true,
		`Fields[x[0] == "bracket"`:     true,
		`Fields[inl] == "x"`:           true,
		`Fields[n.deep] == TRUE`:       true,
		`Fields[a] == NIL`:             true,
		`Fields[.b] == NIL`:            true,
		`Fields[a..b] == NIL`:          true,
		`Fields[a.b.] == NIL`:          true,
		`Fields[a.c] == NIL`:           true,
		`Fields[a.c.d][2] != NIL`:      false,
		`Fields[a.b][1][0] == "group"`: true,
	} {
		if got := mustParse(t, expr).Match(msg); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}

func TestMatchSpecialValues(t *testing.T) {
	nan := math.NaN()
	msg := &core.Message{
		Timestamp: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC),
		Fields: []core.Field{
			core.Float("nan", nan),
			core.Floats("nans", []float64{nan}),
			core.Float("inf", math.Inf(1)),
			core.Strings("none", nil),
			core.String("empty", ""),
		},
	}
	for expr, want := range map[string]bool{
		`Fields[nan] == 0`:                               false,
		`Fields[nan] != 0`:                               true,
		`Fields[nan] != 0.5`:                             true,
		`Fields[nan] < 0`:                                false,
		`Fields[nan] >= 0`:                               false,
		`Fields[nans] <= 1`:                              false,
		`Fields[nans] != 1`:                              true,
		`Fields[inf] > 1e308`:                            true,
		`Fields[inf] > 9223372036854775807`:              true,
		`Fields[none] == NIL`:                            true, // a repeated field without values
		`Fields[none] != ""`:                             false,
		`Fields[empty] == ""`:                            true,
		`Fields[empty] != NIL`:                           true,
		`Type == ""`:                                     true,
		`Timestamp < -9000000000000000000`:               true, // before 1678: clamped
		`Timestamp == -9223372036854775808`:              true,
		`Uuid == "00000000-0000-0000-0000-000000000000"`: true,
	} {
		if got := mustParse(t, expr).Match(msg); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
	zero := &core.Message{}
	for expr, want := range map[string]bool{
		`Timestamp == 0`: true,
		`Severity == ` + itoa(severityNumber(zero)): true,
		`Fields[x] == NIL`:                          true,
		`Pid == 0`:                                  true,
		`Type == "" && Logger == "" && Payload == "" && EnvVersion == "" && Hostname == ""`: true,
	} {
		if got := mustParse(t, expr).Match(zero); got != want {
			t.Errorf("%s on the zero message = %v, want %v", expr, got, want)
		}
	}
	late := &core.Message{Timestamp: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if !mustParse(t, `Timestamp == 9223372036854775807`).Match(late) {
		t.Error("a timestamp after 2262 is not clamped to the largest int64")
	}
}

func TestMatchNil(t *testing.T) {
	m := mustParse(t, "TRUE")
	if m.Match(nil) {
		t.Error("Match(nil) = true")
	}
	var zero Matcher
	if zero.Match(&core.Message{}) || zero.String() != "" {
		t.Error("the zero Matcher matches or has a source")
	}
	var nilM *Matcher
	if nilM.Match(&core.Message{}) || nilM.String() != "" {
		t.Error("a nil *Matcher matches or has a source")
	}
}

func TestString(t *testing.T) {
	for _, c := range matchCases {
		if got := mustParse(t, c.expr).String(); got != c.expr {
			t.Errorf("String() = %q, want the source %q", got, c.expr)
		}
	}
}

// canonicalCases show the canonical form the fuzz target round-trips.
var canonicalCases = []struct{ expr, want string }{
	{`Type == 'db'`, `Type=="db"`},
	{`Type == '"'`, `Type=='"'`},
	{`Type == "a\"b'c"`, `Type=="a\"b'c"`},
	{`Type == "a\\"`, `Type=="a\\"`},
	{`Type == "a\nb"`, `Type=="a\nb"`}, // a backslash before n is itself
	{`Type == "a\\\"b"`, `Type=='a\\"b'`},
	{`Type =~ /a\/b\d/`, `Type=~/a\/b\d/`},
	{`Type =~ /a\\/`, `Type=~/a\\/`},
	{`Pid >= +1.50e1`, `Pid>=+1.50e1`},
	{`Timestamp > "2016-05-24T00:00:00Z"`, `Timestamp>1464048000000000000`},
	{`Fields[a b][0][0] != NIL`, `Fields[a b]!=NIL`},
	{`Fields[a][007] == TRUE`, `Fields[a][7]==TRUE`},
	{`Fields[a][0][3] == FALSE`, `Fields[a][0][3]==FALSE`},
	{`TRUE && (FALSE || TRUE)`, `TRUE&&(FALSE||TRUE)`},
	{`(TRUE && FALSE) || TRUE`, `TRUE&&FALSE||TRUE`},
	{`TRUE && (FALSE && TRUE) && ((TRUE))`, `TRUE&&FALSE&&TRUE&&TRUE`},
	{`(TRUE || FALSE) || (TRUE || (FALSE && TRUE))`, `TRUE||FALSE||TRUE||FALSE&&TRUE`},
}

func TestCanonical(t *testing.T) {
	heka, json := decodedSamples(t)
	for _, c := range canonicalCases {
		m := mustParse(t, c.expr)
		got := m.canonical()
		if got != c.want {
			t.Errorf("canonical(%s) = %s, want %s", c.expr, got, c.want)
		}
		checkCanonical(t, m, []*core.Message{heka, json})
	}
	for _, c := range matchCases {
		checkCanonical(t, mustParse(t, c.expr), []*core.Message{heka, json})
	}
}

// checkCanonical checks that m's canonical form is no longer than its
// source, parses, is its own canonical form, and matches msgs as m does.
func checkCanonical(t *testing.T, m *Matcher, msgs []*core.Message) {
	t.Helper()
	c := m.canonical()
	if len(c) > len(m.String()) {
		t.Fatalf("canonical form %q is longer than the source %q", c, m.String())
	}
	m2, err := ParseMatcher(c)
	if err != nil {
		t.Fatalf("canonical form %q of %q does not parse: %v", c, m.String(), err)
	}
	if c2 := m2.canonical(); c2 != c {
		t.Fatalf("canonical form of %q is %q, of that %q", m.String(), c, c2)
	}
	for i, msg := range msgs {
		if a, b := m.Match(msg), m2.Match(msg); a != b {
			t.Fatalf("%q matches sample %d: %v, its canonical form %q: %v", m.String(), i, a, c, b)
		}
	}
}

// errorCases are bad expressions and their errors. A want ending in "..."
// is a prefix (the rest comes from package regexp or time).
var errorCases = []struct{ expr, want string }{
	{``, `matcher: at 0 (column 1): expected a test such as Type == "x", TRUE, FALSE or (, found the end of the expression`},
	{`   `, `matcher: at 3 (column 4): expected a test such as Type == "x", TRUE, FALSE or (, found the end of the expression`},
	{`Type ==`, `matcher: at 7 (column 8): expected a quoted string (Type is a string), found the end of the expression`},
	{`Type && Pid == 1`, `matcher: at 5 (column 6): expected a relational operator, found "&&"`},
	{`Type = "x"`, `matcher: at 5 (column 6): expected a relational operator, found "="`},
	{`Type == "a" Pid == 1`, `matcher: at 12 (column 13): expected && or ||, found "Pid"`},
	{`Type == "a" & Pid == 1`, `matcher: at 12 (column 13): expected && or ||, found "&"`},
	{`Type == "a")`, `matcher: at 11 (column 12): expected && or ||, found ")"`},
	{`(Type == "a"`, `matcher: at 12 (column 13): expected &&, || or ), found the end of the expression`},
	{`()`, `matcher: at 1 (column 2): expected a test such as Type == "x", TRUE, FALSE or (, found ")"`},
	{`TRUE &&`, `matcher: at 7 (column 8): expected a test such as Type == "x", TRUE, FALSE or (, found the end of the expression`},
	{`TRUE || || TRUE`, `matcher: at 8 (column 9): expected a test such as Type == "x", TRUE, FALSE or (, found "||"`},
	{`Severity == "x"`, `matcher: at 12 (column 13): expected a number (Severity is a number), found the string "x"`},
	{`Pid == TRUE`, `matcher: at 7 (column 8): expected a number (Pid is a number), found "TRUE"`},
	{`Type > 3`, `matcher: at 7 (column 8): expected a quoted string (Type is a string), found the number 3`},
	{`Uuid == NIL`, `matcher: at 8 (column 9): expected a quoted string (Uuid is a string), found "NIL"`},
	{`Type =~ "^db"`, `matcher: at 8 (column 9): expected a /regular expression/ after =~, found a quoted string: quoted patterns are Hindsight's Lua patterns, which this matcher does not take; write an RE2 regular expression between slashes, such as /^db\./`},
	{`Fields[x] !~ '%d+'`, `matcher: at 13 (column 14): expected a /regular expression/ after !~, found a quoted string: quoted patterns are Hindsight's Lua patterns, which this matcher does not take; write an RE2 regular expression between slashes, such as /^db\./`},
	{`Type =~ 3`, `matcher: at 8 (column 9): expected a /regular expression/, found the number 3`},
	{`Severity =~ /x/`, `matcher: at 9 (column 10): Severity is a number: =~ matches strings with a regular expression`},
	{`Timestamp !~ /2016/`, `matcher: at 10 (column 11): Timestamp is a number: !~ matches strings with a regular expression`},
	{`Type == /x/`, `matcher: at 8 (column 9): a /regular expression/ goes after =~ or !~, not ==`},
	{`Fields[x] < TRUE`, `matcher: at 12 (column 13): TRUE compares only with == and !=, not <`},
	{`Fields[x] >= NIL`, `matcher: at 13 (column 14): NIL compares only with == and !=, not >=`},
	{`Fields[x] == Type`, `matcher: at 13 (column 14): expected a quoted string, a number, TRUE, FALSE or NIL, found "Type"`},
	{`Fields[x] =~ /(/`, `matcher: at 13 (column 14): bad regular expression: ...`},
	{`Type =~ /%TIMESTAMP%/`, `matcher: at 8 (column 9): Heka's %TIMESTAMP% regular expression helper is not supported: write the pattern out (or \%TIMESTAMP% for the text itself)`},
	{`Payload =~ /` + strings.Repeat(`a{1000}`, 11) + `/`, `matcher: at 11 (column 12): the regular expression compiles to ...`},
	{`type == "x"`, `matcher: at 0 (column 1): unknown variable "type": the variables are Uuid, Type, Logger, Payload, EnvVersion, Hostname, Severity, Pid, Timestamp and Fields[name]`},
	{`true`, `matcher: at 0 (column 1): unknown word "true": the constants are TRUE, FALSE and NIL, in capitals`},
	{`NIL`, `matcher: at 0 (column 1): NIL goes on the right of == or != after Fields[name]`},
	{`Fields == 1`, `matcher: at 6 (column 7): expected [ after Fields`},
	{`Fields`, `matcher: at 6 (column 7): expected [ after Fields`},
	{`Fields[] == 1`, `matcher: at 7 (column 8): empty field name`},
	{`Fields[x == 1`, `matcher: at 6 (column 7): unterminated field name: no closing ]`},
	{`Fields[x][256] == 1`, `matcher: at 10 (column 11): index 256 is above 255`},
	{`Fields[x][1000000000000000000000] == 1`, `matcher: at 10 (column 11): index 1000000000000000000000 is above 255`},
	{`Fields[x][a] == 1`, `matcher: at 10 (column 11): expected an index 0-255 and ]`},
	{`Fields[x][-1] == 1`, `matcher: at 10 (column 11): expected an index 0-255 and ]`},
	{`Fields[x][] == 1`, `matcher: at 10 (column 11): expected an index 0-255 and ]`},
	{`Fields[x][0`, `matcher: at 11 (column 12): expected an index 0-255 and ]`},
	{`Fields[x][0][0][0] == 1`, `matcher: at 15 (column 16): a field takes at most two indices, Fields[name][field][value]`},
	{`Type == "abc`, `matcher: at 8 (column 9): unterminated string: no closing "`},
	{`Type == 'abc\'`, `matcher: at 8 (column 9): unterminated string: no closing '`},
	{`Type =~ /abc\/`, `matcher: at 8 (column 9): unterminated regular expression: no closing /`},
	{`Pid == 1e`, `matcher: at 7 (column 8): malformed number 1e: the exponent has no digits`},
	{`Pid == 1e+`, `matcher: at 7 (column 8): malformed number 1e+: the exponent has no digits`},
	{`Pid == 1e999`, `matcher: at 7 (column 8): number 1e999 is out of range`},
	{`Pid == -`, `matcher: at 7 (column 8): expected a number (Pid is a number), found "-"`},
	{`Pid == .`, `matcher: at 7 (column 8): expected a number (Pid is a number), found "."`},
	{`Pid == 1.2.3`, `matcher: at 10 (column 11): expected && or ||, found the number .3`},
	{`Timestamp > "yesterday"`, `matcher: at 12 (column 13): expected an RFC 3339 date-time such as "2016-05-24T21:51:00Z", found the string "yesterday": ...`},
	{`Timestamp > "1500-01-01T00:00:00Z"`, `matcher: at 12 (column 13): expected an RFC 3339 date-time such as "2016-05-24T21:51:00Z", found the string "1500-01-01T00:00:00Z": the year 1500 is outside 1678-2261`},
	{`Timestamp > TRUE`, `matcher: at 12 (column 13): expected a number of nanoseconds or a quoted RFC 3339 date-time (Timestamp is a number), found "TRUE"`},
	{`Type == "é" Pid`, `matcher: at 13 (column 13): expected && or ||, found "Pid"`},
	{"Type == \"a\" &&\n  Pid == ", `matcher: at 24 (line 2, column 10): expected a number (Pid is a number), found the end of the expression`},
	{`Type == "` + strings.Repeat("x", 50) + `" x`, `matcher: at 61 (column 62): expected && or ||, found "x"`},
	{`Type == 1 && "` + strings.Repeat("x", 50) + `"`, `matcher: at 8 (column 9): expected a quoted string (Type is a string), found the number 1`},
	{`Fields[x] == 1 ` + strings.Repeat("y", 50), `matcher: at 15 (column 16): expected && or ||, found "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy..."`},
	{`Type == 'x' && Type == "` + strings.Repeat("y", 50), `matcher: at 23 (column 24): unterminated string: no closing "`},
	{"Type == \x00", `matcher: at 8 (column 9): expected a quoted string (Type is a string), found "\x00"`},
	{strings.Repeat("(", 33) + "TRUE" + strings.Repeat(")", 33), `matcher: at 32 (column 33): parentheses nest deeper than 32`},
	{"TRUE" + strings.Repeat(" && TRUE", 256), `matcher: at 2048 (column 2049): more than 256 tests`},
	{"Pid == 1" + strings.Repeat(" || Pid == 1", 256), `matcher: at 3072 (column 3073): more than 256 tests`},
	{`Type == "` + strings.Repeat("x", maxExprLen) + `"`, `matcher: at 16384 (column 16385): the expression is longer than 16384 bytes`},
}

func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		m, err := ParseMatcher(c.expr)
		if err == nil {
			t.Errorf("ParseMatcher(%q) = %q, want error %s", c.expr, m.canonical(), c.want)
			continue
		}
		got := err.Error()
		if want, ok := strings.CutSuffix(c.want, "..."); ok && !strings.HasSuffix(want, `"`) {
			if !strings.HasPrefix(got, want) {
				t.Errorf("ParseMatcher(%q):\n got %s\nwant %s...", c.expr, got, want)
			}
		} else if got != c.want {
			t.Errorf("ParseMatcher(%q):\n got %s\nwant %s", c.expr, got, c.want)
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseMatcher(%q) error is a %T, not a *ParseError", c.expr, err)
		} else if pe.Offset < 0 || pe.Offset > len(c.expr) || pe.Line < 1 || pe.Column < 1 {
			t.Errorf("ParseMatcher(%q): position %+v is outside the expression", c.expr, pe)
		}
	}
}

func TestLimitsAccepted(t *testing.T) {
	// The limits themselves compile.
	for _, expr := range []string{
		strings.Repeat("(", 32) + "TRUE" + strings.Repeat(")", 32),
		"TRUE" + strings.Repeat(" && TRUE", 255),
		`Type == "` + strings.Repeat("x", maxExprLen-10) + `"`,
		`Fields[x][255][255] == NIL`,
		`Payload =~ /` + strings.Repeat(`a{1000}`, 9) + `/`,
		`Timestamp < "2261-12-31T23:59:59.999999999Z" && Timestamp > "1678-01-01T00:00:00Z"`,
		`Pid == 1. || Pid == .5 || Pid == -0 || Pid == 99999999999999999999 || Pid == 1E3`,
	} {
		if _, err := ParseMatcher(expr); err != nil {
			t.Errorf("ParseMatcher(%.60q...): %v", expr, err)
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	heka, json := decodedSamples(t)
	// pooled marks expressions whose regular expression runs on a pooled
	// buffer, which sync.Pool may drop under the race detector.
	for _, c := range []struct {
		expr   string
		pooled bool
	}{
		{`Type == "db.query" && Severity <= 4`, false},
		{`Type =~ /^db\./ && Payload !~ /^INSERT/`, false},
		{`Fields[http.status] >= 500 && Fields[http.req.id] == "r1"`, false},
		{`Fields[tags][0][2] == "c" || Fields[codes][0][1] == 404`, false},
		{`Fields[dup][1] == "second" && Fields[dup][2] == NIL`, false},
		{`Fields[blob] > "a" && Fields[nothing] =~ /null/`, false},
		{`Fields[lat][0][1] > 1 && Fields[flags][0][1] == TRUE && Fields[ratio] < 1`, false},
		{`Fields[big] == "18446744073709551615"`, false},
		{`Uuid == "` + sampleUUID + `" || Uuid < "1"`, false},
		{`Timestamp >= "2016-05-24T00:00:00Z" && Pid != 1`, false},
		{`Fields[big] =~ /^1844/`, true},
		{`Uuid =~ /^6ba7/`, true},
	} {
		m := mustParse(t, c.expr)
		if c.pooled && raceEnabled {
			continue
		}
		for name, msg := range map[string]*core.Message{"heka": heka, "json": json} {
			want := m.Match(msg)
			if n := testing.AllocsPerRun(100, func() {
				if m.Match(msg) != want {
					panic("Match changed its answer")
				}
			}); n != 0 {
				t.Errorf("%s on the %s message: %v allocations per Match, want 0", c.expr, name, n)
			}
		}
	}
}

func TestMatchConcurrent(t *testing.T) {
	heka, json := decodedSamples(t)
	ms := make([]*Matcher, len(matchCases))
	for i, c := range matchCases {
		ms[i] = mustParse(t, c.expr)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(matchCases))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 20; r++ {
				for i, c := range matchCases {
					msg := heka
					if c.only == jsonOnly || (c.only == both && (g+r)%2 == 1) {
						msg = json
					}
					if ms[i].Match(msg) != c.want {
						errs <- c.expr
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Match of %s gave the wrong answer", e)
	}
}
