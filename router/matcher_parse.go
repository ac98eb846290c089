package router

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ParseError reports an expression that does not compile: where, and what
// was expected there or what is wrong.
type ParseError struct {
	// Offset is the byte offset of the problem in the expression, from 0.
	Offset int
	// Line and Column locate the problem, from 1; Column counts characters,
	// not bytes.
	Line, Column int
	// Msg says what was expected and what was found, or what is wrong.
	Msg string
}

// Error returns "matcher: at <offset> (column <column>): <msg>", with the
// line too when the expression has several.
func (e *ParseError) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("matcher: at %d (line %d, column %d): %s", e.Offset, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("matcher: at %d (column %d): %s", e.Offset, e.Column, e.Msg)
}

func newParseError(src string, off int, msg string) *ParseError {
	before := src[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return &ParseError{
		Offset: off,
		Line:   1 + strings.Count(before, "\n"),
		Column: 1 + utf8.RuneCountInString(before[lineStart:]),
		Msg:    msg,
	}
}

// ParseMatcher compiles expr, an expression of Heka's message matcher
// language (see [Matcher]). Errors are *[ParseError]s.
func ParseMatcher(expr string) (*Matcher, error) {
	if len(expr) > maxExprLen {
		return nil, newParseError(expr, maxExprLen, fmt.Sprintf("the expression is longer than %d bytes", maxExprLen))
	}
	m := &Matcher{src: expr}
	m.scratch.New = func() any { return new([36]byte) }
	p := &parser{src: expr, scratch: &m.scratch}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.expected("&& or ||")
	}
	m.root = root
	return m, nil
}

// tokKind is the kind of a token.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokLParen         // (
	tokRParen         // )
	tokAnd            // &&
	tokOr             // ||
	tokRel            // a relational operator, in op
	tokWord           // a variable or TRUE, FALSE, NIL, in text
	tokField          // Fields[name][fi][ai]: name in text
	tokString         // a quoted string, its value in text
	tokNumber         // a number, in num
	tokRegexp         // /pattern/, the pattern in text
	tokOther          // a character that starts no token
)

// token is one token of an expression, at src[pos:end].
type token struct {
	kind     tokKind
	pos, end int
	op       relOp
	text     string
	num      number
	fi, ai   int
}

// parser is a recursive-descent parser with one token of look-ahead. Its
// recursion is bounded by maxNesting.
type parser struct {
	src     string
	off     int   // where the lexer continues
	tok     token // the current token
	depth   int   // parentheses open
	tests   int
	scratch *sync.Pool
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return newParseError(p.src, off, fmt.Sprintf(format, args...))
}

// expected reports that the current token is not what was expected.
func (p *parser) expected(what string) error {
	return p.errorf(p.tok.pos, "expected %s, found %s", what, p.describe(p.tok))
}

// describe names a token for an error message.
func (p *parser) describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "the end of the expression"
	case tokString:
		return "the string " + strconv.Quote(clip(t.text))
	case tokNumber:
		return "the number " + clip(p.src[t.pos:t.end])
	case tokRegexp:
		return "the regular expression " + clip(p.src[t.pos:t.end])
	}
	return strconv.Quote(clip(p.src[t.pos:t.end]))
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

func (p *parser) advance() error {
	t, err := p.lex()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// parseOr parses tests joined by || and &&.
func (p *parser) parseOr() (node, error) { return p.parseJoined(tokOr, nodeOr, p.parseAnd) }

// parseAnd parses tests joined by &&.
func (p *parser) parseAnd() (node, error) { return p.parseJoined(tokAnd, nodeAnd, p.parsePrimary) }

// parseJoined parses operands joined by sep tokens into an op node, or
// returns the one operand there is.
func (p *parser) parseJoined(sep tokKind, op nodeOp, operand func() (node, error)) (node, error) {
	n, err := operand()
	if err != nil || p.tok.kind != sep {
		return n, err
	}
	kids := appendKid(nil, n, op)
	for p.tok.kind == sep {
		if err := p.advance(); err != nil {
			return node{}, err
		}
		k, err := operand()
		if err != nil {
			return node{}, err
		}
		kids = appendKid(kids, k, op)
	}
	return node{op: op, kids: kids}, nil
}

// appendKid appends n to the kids of an op node, or n's kids when n is an
// op node itself: a && (b && c) is a && b && c.
func appendKid(kids []node, n node, op nodeOp) []node {
	if n.op == op {
		return append(kids, n.kids...)
	}
	return append(kids, n)
}

// parsePrimary parses a parenthesized expression, TRUE, FALSE or a test.
func (p *parser) parsePrimary() (node, error) {
	t := p.tok
	switch t.kind {
	case tokLParen:
		if p.depth == maxNesting {
			return node{}, p.errorf(t.pos, "parentheses nest deeper than %d", maxNesting)
		}
		p.depth++
		if err := p.advance(); err != nil {
			return node{}, err
		}
		n, err := p.parseOr()
		if err != nil {
			return node{}, err
		}
		if p.tok.kind != tokRParen {
			return node{}, p.expected("&&, || or )")
		}
		p.depth--
		return n, p.advance()
	case tokWord:
		switch t.text {
		case "TRUE", "FALSE":
			if err := p.countTest(t); err != nil {
				return node{}, err
			}
			op := nodeFalse
			if t.text == "TRUE" {
				op = nodeTrue
			}
			return node{op: op}, p.advance()
		case "NIL":
			return node{}, p.errorf(t.pos, "NIL goes on the right of == or != after Fields[name]")
		}
		for v, name := range variableNames {
			if t.text == name {
				return p.parseTest(variable(v), t)
			}
		}
		for _, c := range []string{"TRUE", "FALSE", "NIL"} {
			if strings.EqualFold(t.text, c) {
				return node{}, p.errorf(t.pos, "unknown word %q: the constants are TRUE, FALSE and NIL, in capitals", t.text)
			}
		}
		return node{}, p.errorf(t.pos, "unknown variable %q: the variables are Uuid, Type, Logger, Payload, EnvVersion, Hostname, Severity, Pid, Timestamp and Fields[name]", clip(t.text))
	case tokField:
		return p.parseTest(varFields, t)
	}
	return node{}, p.expected(`a test such as Type == "x", TRUE, FALSE or (`)
}

func (p *parser) countTest(t token) error {
	if p.tests == maxTests {
		return p.errorf(t.pos, "more than %d tests", maxTests)
	}
	p.tests++
	return nil
}

// parseTest parses a test of variable v, whose token vt is current.
func (p *parser) parseTest(v variable, vt token) (node, error) {
	if err := p.countTest(vt); err != nil {
		return node{}, err
	}
	if err := p.advance(); err != nil {
		return node{}, err
	}
	if p.tok.kind != tokRel {
		return node{}, p.expected("a relational operator")
	}
	opTok := p.tok
	if err := p.advance(); err != nil {
		return node{}, err
	}
	t := &test{v: v, op: opTok.op, scratch: p.scratch}
	if v == varFields {
		t.name, t.fi, t.ai = vt.text, vt.fi, vt.ai
	}
	if err := p.setConstant(t, p.src[vt.pos:vt.end], opTok); err != nil {
		return node{}, err
	}
	return node{op: nodeTest, t: t}, p.advance()
}

// setConstant sets t's constant from the current token, checking that it
// fits the variable, called name, and the operator opTok.
func (p *parser) setConstant(t *test, name string, opTok token) error {
	c := p.tok
	if t.op == opRE || t.op == opNRE {
		if t.v.isNumber() {
			return p.errorf(opTok.pos, "%s is a number: %s matches strings with a regular expression", name, opTok.text)
		}
		switch c.kind {
		case tokRegexp:
			re, err := compileRegexp(c.text)
			if err != nil {
				return p.errorf(c.pos, "%v", err)
			}
			t.ck, t.str, t.re = constRegexp, c.text, re
			return nil
		case tokString:
			return p.errorf(c.pos, "expected a /regular expression/ after %s, found a quoted string: quoted patterns are Hindsight's Lua patterns, which this matcher does not take; write an RE2 regular expression between slashes, such as /^db\\./", opTok.text)
		}
		return p.expected("a /regular expression/")
	}
	if c.kind == tokRegexp {
		return p.errorf(c.pos, "a /regular expression/ goes after =~ or !~, not %s", opTok.text)
	}
	isEq := t.op == opEQ || t.op == opNE
	switch {
	case t.v.isString():
		if c.kind != tokString {
			return p.expected(fmt.Sprintf("a quoted string (%s is a string)", name))
		}
		t.ck, t.str = constString, c.text
	case t.v == varTimestamp && c.kind == tokString:
		ns, err := parseTimestamp(c.text)
		if err != nil {
			return p.errorf(c.pos, "expected an RFC 3339 date-time such as \"2016-05-24T21:51:00Z\", found %s: %v", p.describe(c), err)
		}
		t.ck, t.num = constNumber, number{i: ns, f: float64(ns), isInt: true, text: strconv.FormatInt(ns, 10)}
	case t.v.isNumber():
		if c.kind != tokNumber {
			if t.v == varTimestamp {
				return p.expected("a number of nanoseconds or a quoted RFC 3339 date-time (Timestamp is a number)")
			}
			return p.expected(fmt.Sprintf("a number (%s is a number)", name))
		}
		t.ck, t.num = constNumber, c.num
	case c.kind == tokString:
		t.ck, t.str = constString, c.text
	case c.kind == tokNumber:
		t.ck, t.num = constNumber, c.num
	case c.kind == tokWord && (c.text == "TRUE" || c.text == "FALSE" || c.text == "NIL"):
		if !isEq {
			return p.errorf(c.pos, "%s compares only with == and !=, not %s", c.text, opTok.text)
		}
		switch c.text {
		case "NIL":
			t.ck = constNil
		default:
			t.ck, t.b = constBool, c.text == "TRUE"
		}
	default:
		return p.expected("a quoted string, a number, TRUE, FALSE or NIL")
	}
	return nil
}

// parseTimestamp returns an RFC 3339 date-time (also with Hindsight's
// offsets without a colon, +0100) as nanoseconds since the Unix epoch.
func parseTimestamp(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		var err2 error
		if t, err2 = time.Parse("2006-01-02T15:04:05.999999999-0700", s); err2 != nil {
			return 0, err
		}
	}
	if y := t.UTC().Year(); y < 1678 || y > 2261 {
		return 0, fmt.Errorf("the year %d is outside 1678-2261", y)
	}
	return t.UnixNano(), nil
}

// compileRegexp compiles an RE2 pattern, refusing Heka's %TIMESTAMP%
// helper and patterns beyond maxRegexpInsts instructions.
func compileRegexp(pattern string) (*regexp.Regexp, error) {
	const helper = "%TIMESTAMP%"
	if i := strings.Index(pattern, helper); i == 0 || i > 0 && pattern[i-1] != '\\' {
		return nil, fmt.Errorf("Heka's %s regular expression helper is not supported: write the pattern out (or \\%s for the text itself)", helper, helper)
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression: %v", err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("bad regular expression: %v", err)
	}
	if len(prog.Inst) > maxRegexpInsts {
		return nil, fmt.Errorf("the regular expression compiles to %d instructions, more than %d", len(prog.Inst), maxRegexpInsts)
	}
	return regexp.Compile(pattern)
}

// lex reads the token at p.off.
func (p *parser) lex() (token, error) {
	s, i := p.src, p.off
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	t := token{pos: i, end: i + 1}
	var err error
	switch {
	case i == len(s):
		t.kind, t.end = tokEOF, i
	case s[i] == '(':
		t.kind = tokLParen
	case s[i] == ')':
		t.kind = tokRParen
	case strings.HasPrefix(s[i:], "&&"):
		t.kind, t.end = tokAnd, i+2
	case strings.HasPrefix(s[i:], "||"):
		t.kind, t.end = tokOr, i+2
	case s[i] == '"' || s[i] == '\'':
		t, err = p.lexString(t)
	case s[i] == '/':
		t, err = p.lexRegexp(t)
	case isLetter(s[i]):
		t.end = i + 1
		for t.end < len(s) && (isLetter(s[t.end]) || isDigit(s[t.end]) || s[t.end] == '_') {
			t.end++
		}
		t.kind, t.text = tokWord, s[i:t.end]
		if t.text == "Fields" {
			t, err = p.lexField(t)
		}
	default:
		for op, name := range relOpNames {
			if len(name) == 2 && strings.HasPrefix(s[i:], name) {
				t.kind, t.op, t.text, t.end = tokRel, relOp(op), name, i+2
				break
			}
		}
		if t.kind == tokRel {
			break
		}
		if s[i] == '<' || s[i] == '>' {
			t.kind, t.text = tokRel, s[i:i+1]
			t.op = opLT
			if s[i] == '>' {
				t.op = opGT
			}
			break
		}
		if n := numberLen(s[i:]); n > 0 {
			t, err = p.lexNumber(t, n)
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		t.kind, t.end = tokOther, i+size
	}
	if err != nil {
		return token{}, err
	}
	p.off = t.end
	return t, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// lexString reads a quoted string starting at t.pos. \" \' and \\ are
// escapes; any other backslash is itself.
func (p *parser) lexString(t token) (token, error) {
	s := p.src
	quote := s[t.pos]
	var b []byte
	for i := t.pos + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			t.kind, t.end, t.text = tokString, i+1, string(b)
			return t, nil
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\'' || s[i+1] == '\\'):
			i++
			c = s[i]
		}
		b = append(b, c)
	}
	return t, p.errorf(t.pos, "unterminated string: no closing %c", quote)
}

// lexRegexp reads /pattern/ starting at t.pos: \/ is a slash, any other
// backslash stays in the pattern with the character after it.
func (p *parser) lexRegexp(t token) (token, error) {
	s := p.src
	var b []byte
	for i := t.pos + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '/':
			t.kind, t.end, t.text = tokRegexp, i+1, string(b)
			return t, nil
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '/' {
				b = append(b, '\\')
			}
			c = s[i]
		}
		b = append(b, c)
	}
	return t, p.errorf(t.pos, "unterminated regular expression: no closing /")
}

// lexField reads Fields[name][fi][ai] after the word Fields in t.
func (p *parser) lexField(t token) (token, error) {
	s := p.src
	i := t.end
	if i == len(s) || s[i] != '[' {
		return t, newParseError(s, i, "expected [ after Fields")
	}
	end := strings.IndexByte(s[i+1:], ']')
	if end < 0 {
		return t, p.errorf(i, "unterminated field name: no closing ]")
	}
	if end == 0 {
		return t, p.errorf(i+1, "empty field name")
	}
	t.kind, t.text = tokField, s[i+1:i+1+end]
	i += end + 2
	for n := 0; i < len(s) && s[i] == '['; n++ {
		if n == 2 {
			return t, p.errorf(i, "a field takes at most two indices, Fields[name][field][value]")
		}
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 || j == len(s) || s[j] != ']' {
			return t, p.errorf(j, "expected an index 0-%d and ]", maxIndex)
		}
		x, err := strconv.Atoi(s[i+1 : j])
		if err != nil || x > maxIndex {
			return t, p.errorf(i+1, "index %s is above %d", clip(s[i+1:j]), maxIndex)
		}
		if n == 0 {
			t.fi = x
		} else {
			t.ai = x
		}
		i = j + 1
	}
	t.end = i
	return t, nil
}

// numberLen returns the length of the number at the start of s, sign,
// fraction and exponent included, or 0. An exponent without digits is left
// for lexNumber to report.
func numberLen(s string) int {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	return i
}

// lexNumber reads the n-byte number at t.pos.
func (p *parser) lexNumber(t token, n int) (token, error) {
	text := p.src[t.pos : t.pos+n]
	t.kind, t.end = tokNumber, t.pos+n
	if !strings.ContainsAny(text, ".eE") {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			t.num = number{i: v, f: float64(v), isInt: true, text: text}
			return t, nil
		}
	}
	if c := text[len(text)-1]; c == 'e' || c == 'E' || c == '+' || c == '-' {
		return t, p.errorf(t.pos, "malformed number %s: the exponent has no digits", clip(text))
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return t, p.errorf(t.pos, "number %s is out of range", clip(text))
	}
	t.num = number{f: f, text: text}
	return t, nil
}
