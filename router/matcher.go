package router

import (
	"cmp"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/metlog-go/metlog/core"
)

// Limits on one expression, so that a mistaken or hostile configuration
// can exhaust neither the stack nor the CPU.
const (
	maxExprLen     = 16 << 10 // bytes of source text
	maxNesting     = 32       // parentheses nested in parentheses
	maxTests       = 256      // tests, TRUE and FALSE included
	maxIndex       = 255      // a field or array index
	maxRegexpInsts = 10000    // instructions of one compiled regular expression
)

// A Matcher is a compiled expression of Heka's message matcher language,
// the language of Heka's (and Hindsight's) message_matcher settings, so that
// a Heka user's routes work unchanged. [ParseMatcher] compiles one and
// [Matcher.Match] evaluates it against a message. A Matcher is safe for
// concurrent use, and Match allocates nothing. The zero Matcher matches no
// message.
//
// An expression is one or more tests joined by && (and) and || (or), &&
// binding tighter, grouped with parentheses. A test is a message variable,
// a relational operator and a constant, in that order; TRUE and FALSE are
// tests that always and never match:
//
//	Type == "db.query" && (Severity <= 3 || Fields[http.status] >= 500)
//	Logger =~ /^app\./ && Fields[user] != NIL
//	Timestamp >= "2016-05-24T00:00:00Z"
//
// The variables:
//
//   - Uuid, Type, Logger, Payload, EnvVersion and Hostname are strings. Uuid
//     is the UUID's canonical text, 36 lower-case characters such as
//     "6ba7b810-9dad-11d1-80b4-00c04fd430c8", as Heka's Go router compared
//     it.
//   - Severity (the syslog number, 0 Emergency to 7 Debug), Pid and Timestamp
//     are integers. Timestamp counts nanoseconds since the Unix epoch; it
//     also compares with a quoted RFC 3339 date-time, "2016-05-24T21:51:00Z",
//     converted when the expression is compiled. A zero Timestamp is 0;
//     one before 1678 or after 2262 is the smallest or largest int64.
//   - Fields[name] is the first value of the first field called name,
//     Fields[name][i] the first value of the i-th field called name (from
//     0), and Fields[name][i][j] the j-th value of that field, for fields
//     with several values. The indices are 0-255; a name is any text
//     without "]", spaces included. A name finds fields with exactly that
//     name first, and then fields inside groups by their dotted path:
//     Fields[http.status] finds both the flat field "http.status" of a
//     message decoded from Heka framing and the field "status" of the group
//     "http" of one decoded from the JSON envelope. A group is not a value
//     (Fields[http] does not find the group), and a group with an empty name
//     adds nothing to the path, as the encoders inline it. Only the
//     message's Fields are searched, where the decoders put every field.
//
// The relational operators are == != < <= > >=, and =~ and !~, which
// report whether a regular expression matches and does not match. The
// constants:
//
//   - Strings in double or single quotes. \" \' and \\ stand for ", ' and
//     \; any other backslash stands for itself, as in Heka.
//   - Numbers: integers and decimal fractions with an optional sign and
//     exponent: 3, -1, 2.5, 1e9.
//   - Regular expressions between slashes, /^db\./, in RE2 syntax (package
//     regexp), as Heka's Go router took them. \/ stands for a slash. They
//     are not anchored: /db/ matches "mydb1".
//   - TRUE and FALSE, compared with boolean fields.
//   - NIL: Fields[...] == NIL matches when the message has no such value,
//     != NIL when it has.
//
// Strings compare byte-wise (< is lexicographic order) and match regular
// expressions; numbers compare by value, integers with fractions exactly;
// booleans compare with TRUE and FALSE by == and != only. A bytes field
// compares as a string; so does a raw JSON field (what the JSON envelope
// decodes to for null, empty or mixed arrays, ...), by its JSON text, as a
// message carries it in Heka framing: Fields[x] == "null". An unsigned
// integer above 2^63-1 is a string of decimal digits, as in Heka framing.
// A test whose kinds differ, such as a string field compared with a number
// or a numeric field with a regular expression, is false whatever the
// operator (!= too), as is any test of a value the message does not have,
// except == NIL. Where the kinds are known when compiling, a mismatch is an
// error: Type == 3, Severity == "x", Severity =~ /x/, Type == NIL.
//
// Spaces, tabs and line breaks separate tokens. An expression is at most
// 16384 bytes long, nests parentheses at most 32 deep and holds at most 256
// tests (TRUE and FALSE included); a regular expression compiles to at
// most 10000 instructions.
//
// Differences from Hindsight (lua_sandbox): a quoted string after =~ or !~
// is a Lua pattern there; here it is an error, as a Lua pattern read as a
// regular expression would silently match something else: write the pattern
// as an RE2 regular expression between slashes ("^%d+" becomes /^\d+/).
// Hindsight compares Uuid as the 16 raw bytes, this matcher (and Heka) as
// text. Hindsight limits strings to 255 bytes and expressions to 128 tests;
// this matcher does not limit strings and allows 256 tests. \\ in strings is
// this matcher's addition, so that any string can be written.
//
// Differences from Heka's Go router: NIL, Timestamp with a date-time, !=
// with TRUE and FALSE, negative numbers and \' in double quotes (\" in
// single quotes) are accepted, as Hindsight accepts them; numbers compare
// exactly rather than as float64; indices are 0-255, as in Hindsight.
// Heka's %TIMESTAMP% regular expression helper is an error, not expanded.
type Matcher struct {
	src  string
	root node
	// scratch holds *[36]byte buffers for formatting a value to match a
	// regular expression against (the UUID's text, a large unsigned
	// integer's digits): regexp keeps its input reachable from the heap,
	// so a stack buffer would escape.
	scratch sync.Pool
}

// String returns the expression the Matcher was compiled from.
func (m *Matcher) String() string {
	if m == nil {
		return ""
	}
	return m.src
}

// Match reports whether msg matches the expression. A nil msg matches
// nothing. Match allocates nothing, except to write the text of a field
// built in-process with core.Time, which the decoders never produce.
func (m *Matcher) Match(msg *core.Message) bool {
	if m == nil || msg == nil {
		return false
	}
	return m.root.eval(msg)
}

// severityNumber returns m's severity as its syslog number, 0 (Emergency)
// to 7 (Debug). A message whose severity is not set (built in process;
// decoders always set it) counts as 6, informational, Metlog's default.
func severityNumber(m *core.Message) int64 {
	if n := m.Severity.Number(); n >= 0 {
		return int64(n)
	}
	return 6
}

// nodeOp is what a node of the compiled expression does.
type nodeOp uint8

const (
	nodeFalse nodeOp = iota // never matches: the zero node
	nodeTrue                // always matches
	nodeAnd                 // all kids match
	nodeOr                  // any kid matches
	nodeTest                // the test t matches
)

// node is one node of the compiled expression. And and Or nodes hold two or
// more kids, none with their own op (the parser flattens a && (b && c)).
type node struct {
	op   nodeOp
	kids []node
	t    *test
}

func (n *node) eval(m *core.Message) bool {
	switch n.op {
	case nodeTest:
		return n.t.eval(m)
	case nodeAnd:
		for i := range n.kids {
			if !n.kids[i].eval(m) {
				return false
			}
		}
		return true
	case nodeOr:
		for i := range n.kids {
			if n.kids[i].eval(m) {
				return true
			}
		}
		return false
	case nodeTrue:
		return true
	}
	return false
}

// variable is a message variable, the left side of a test.
type variable uint8

const (
	varUuid variable = iota
	varType
	varLogger
	varPayload
	varEnvVersion
	varHostname
	varSeverity
	varPid
	varTimestamp
	varFields
)

var variableNames = [...]string{
	varUuid: "Uuid", varType: "Type", varLogger: "Logger", varPayload: "Payload",
	varEnvVersion: "EnvVersion", varHostname: "Hostname", varSeverity: "Severity",
	varPid: "Pid", varTimestamp: "Timestamp", varFields: "Fields",
}

func (v variable) isString() bool { return v <= varHostname }
func (v variable) isNumber() bool { return v >= varSeverity && v <= varTimestamp }

// relOp is a relational operator.
type relOp uint8

const (
	opEQ relOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
	opRE  // =~
	opNRE // !~
)

var relOpNames = [...]string{"==", "!=", "<", "<=", ">", ">=", "=~", "!~"}

// constKind is the kind of a test's constant, its right side.
type constKind uint8

const (
	constString constKind = iota
	constNumber
	constBool
	constNil
	constRegexp
)

// number is a numeric constant: an integer literal that fits int64 is
// compared exactly as one, anything else as a float64.
type number struct {
	i     int64
	f     float64
	isInt bool
	text  string // as written, for the tests' canonical form (matcher_canonical_test.go)
}

// test is one comparison of a message variable with a constant.
type test struct {
	v      variable
	op     relOp
	ck     constKind
	name   string // Fields: the field name
	fi, ai int    // Fields: the field and array index
	str    string // constString: the string; constRegexp: the pattern
	num    number // constNumber
	b      bool   // constBool
	re     *regexp.Regexp
	// scratch is the Matcher's pool of formatting buffers.
	scratch *sync.Pool
}

func (t *test) eval(m *core.Message) bool {
	switch t.v {
	case varUuid:
		return t.evalFormatted(formatted{uuid: &m.UUID})
	case varType:
		return t.evalString(m.Type)
	case varLogger:
		return t.evalString(m.Logger)
	case varPayload:
		return t.evalString(m.Payload)
	case varEnvVersion:
		return t.evalString(m.EnvVersion)
	case varHostname:
		return t.evalString(m.Hostname)
	case varSeverity:
		return t.evalInt(severityNumber(m))
	case varPid:
		return t.evalInt(int64(m.Pid))
	case varTimestamp:
		return t.evalInt(timestampNanos(m.Timestamp))
	case varFields:
		return t.evalField(m.Fields)
	}
	return false
}

func (t *test) evalString(s string) bool {
	switch t.ck {
	case constString:
		return ordered(t.op, strings.Compare(s, t.str))
	case constRegexp:
		return t.re.MatchString(s) == (t.op == opRE)
	}
	return false
}

func (t *test) evalBytes(b []byte) bool {
	switch t.ck {
	case constString:
		return compareBytes(t.op, b, t.str)
	case constRegexp:
		return t.re.Match(b) == (t.op == opRE)
	}
	return false
}

// formatted is a value whose text is written into a buffer to be
// tested: a UUID (when uuid is not nil) or an unsigned integer.
type formatted struct {
	uuid *[16]byte
	n    uint64
}

// text writes the value's text into buf and returns it.
func (x formatted) text(buf *[36]byte) []byte {
	if x.uuid == nil {
		return strconv.AppendUint(buf[:0], x.n, 10)
	}
	u := x.uuid
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], u[10:16])
	return buf[:]
}

// evalFormatted tests x's text, written on the stack for a comparison and
// into a pooled buffer for a regular expression.
func (t *test) evalFormatted(x formatted) bool {
	switch t.ck {
	case constString:
		var buf [36]byte
		return compareBytes(t.op, x.text(&buf), t.str)
	case constRegexp:
		buf := t.scratch.Get().(*[36]byte)
		ok := t.re.Match(x.text(buf))
		t.scratch.Put(buf)
		return ok == (t.op == opRE)
	}
	return false
}

func (t *test) evalInt(v int64) bool {
	if t.ck != constNumber {
		return false
	}
	if t.num.isInt {
		return ordered(t.op, cmp.Compare(v, t.num.i))
	}
	return ordered(t.op, cmpIntFloat(v, t.num.f))
}

func (t *test) evalFloat(x float64) bool {
	if t.ck != constNumber {
		return false
	}
	if t.num.isInt {
		return ordered(t.op, -cmpIntFloat(t.num.i, x))
	}
	return ordered(t.op, cmpFloat(x, t.num.f))
}

func (t *test) evalBool(v bool) bool {
	return t.ck == constBool && (v == t.b) == (t.op == opEQ)
}

func (t *test) evalField(fields []core.Field) bool {
	f := findField(fields, t.name, t.fi)
	if t.ck == constNil {
		has := f != nil && (f.Repeated() && t.ai < f.Len() || !f.Repeated() && t.ai == 0)
		return has == (t.op == opNE)
	}
	if f == nil {
		return false
	}
	if f.Repeated() {
		if t.ai >= f.Len() {
			return false
		}
		switch f.Kind() {
		case core.KindString:
			return t.evalString(f.StringsValue()[t.ai])
		case core.KindBytes:
			return t.evalBytes(f.ByteSlicesValue()[t.ai])
		case core.KindInt:
			return t.evalInt(f.IntsValue()[t.ai])
		case core.KindFloat:
			return t.evalFloat(f.FloatsValue()[t.ai])
		case core.KindBool:
			return t.evalBool(f.BoolsValue()[t.ai])
		}
		return false
	}
	if t.ai != 0 {
		return false
	}
	switch f.Kind() {
	case core.KindString:
		// An unsigned integer above math.MaxInt64 is a string field
		// whose integer value is negative; Str would allocate its digits.
		if v := f.IntValue(); v < 0 {
			return t.evalFormatted(formatted{n: uint64(v)})
		}
		return t.evalString(f.Str())
	case core.KindBytes, core.KindJSON:
		return t.evalBytes(f.BytesValue())
	case core.KindInt:
		return t.evalInt(f.IntValue())
	case core.KindFloat:
		return t.evalFloat(f.FloatValue())
	case core.KindBool:
		return t.evalBool(f.BoolValue())
	}
	return false
}

// findField returns the fi-th field (from 0) that name designates among
// fields, or nil: fields called name first, then fields inside groups by
// dotted path. Groups are never returned.
func findField(fields []core.Field, name string, fi int) *core.Field {
	return searchFields(fields, name, &fi)
}

// searchFields is findField with *n counting down the fields still to skip.
func searchFields(fields []core.Field, name string, n *int) *core.Field {
	for i := range fields {
		f := &fields[i]
		if f.Name == name && f.Kind() != core.KindGroup {
			if *n == 0 {
				return f
			}
			*n--
		}
	}
	for i := range fields {
		f := &fields[i]
		if f.Kind() != core.KindGroup {
			continue
		}
		rest := name
		if f.Name != "" { // a group without a name is inlined
			if len(name) <= len(f.Name) || name[len(f.Name)] != '.' || name[:len(f.Name)] != f.Name {
				continue
			}
			rest = name[len(f.Name)+1:]
		}
		if found := searchFields(f.GroupValue(), rest, n); found != nil {
			return found
		}
	}
	return nil
}

// unordered is the result of a comparison with NaN.
const unordered = 2

// ordered reports whether op holds for a comparison result c: -1, 0, 1 or
// unordered.
func ordered(op relOp, c int) bool {
	switch op {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c == -1
	case opLE:
		return c == -1 || c == 0
	case opGT:
		return c == 1
	case opGE:
		return c == 1 || c == 0
	}
	return false
}

// compareBytes reports whether op holds for b and c. Comparisons of
// string(b) do not copy b.
func compareBytes(op relOp, b []byte, c string) bool {
	switch op {
	case opEQ:
		return string(b) == c
	case opNE:
		return string(b) != c
	case opLT:
		return string(b) < c
	case opLE:
		return string(b) <= c
	case opGT:
		return string(b) > c
	case opGE:
		return string(b) >= c
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return unordered
}

// cmpIntFloat compares i with f exactly, as converting i to float64 would
// not (2^53+1 is not 2^53).
func cmpIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return unordered
	case f >= 1<<63:
		return -1
	case f < -1<<63:
		return 1
	}
	t := math.Trunc(f) // within int64's range
	if c := cmp.Compare(i, int64(t)); c != 0 {
		return c
	}
	return cmpFloat(t, f) // i == t: the fraction decides
}

// timestampNanos returns t as nanoseconds since the Unix epoch, 0 for the
// zero time and clamped to int64's range (the years 1678-2262).
func timestampNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	const maxSec, maxNano = math.MaxInt64 / 1_000_000_000, math.MaxInt64 % 1_000_000_000
	s := t.Unix()
	switch {
	case s > maxSec || s == maxSec && t.Nanosecond() > maxNano:
		return math.MaxInt64
	case s < -maxSec:
		return math.MinInt64
	}
	return t.UnixNano()
}
