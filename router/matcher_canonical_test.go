package router

import (
	"strconv"
	"strings"
)

// The canonical form of a compiled matcher, which the matcher's tests and
// its fuzz target use to check that parsing loses nothing.

// canonical returns the expression m compiles, written in one way: no
// spaces, parentheses only where || is inside &&, strings in the quotes
// that need fewer escapes, Timestamp date-times as nanoseconds. It is never
// longer than the source, nests no deeper, and parses to a Matcher that
// matches as m does (the fuzz target checks it).
func (m *Matcher) canonical() string {
	return string(appendNode(nil, &m.root, false))
}

func appendNode(b []byte, n *node, inAnd bool) []byte {
	switch n.op {
	case nodeFalse:
		return append(b, "FALSE"...)
	case nodeTrue:
		return append(b, "TRUE"...)
	case nodeTest:
		return appendTest(b, n.t)
	case nodeAnd:
		for i := range n.kids {
			if i > 0 {
				b = append(b, "&&"...)
			}
			b = appendNode(b, &n.kids[i], true)
		}
	case nodeOr:
		if inAnd {
			b = append(b, '(')
		}
		for i := range n.kids {
			if i > 0 {
				b = append(b, "||"...)
			}
			b = appendNode(b, &n.kids[i], false)
		}
		if inAnd {
			b = append(b, ')')
		}
	}
	return b
}

func appendTest(b []byte, t *test) []byte {
	b = append(b, variableNames[t.v]...)
	if t.v == varFields {
		b = append(b, '[')
		b = append(b, t.name...)
		b = append(b, ']')
		if t.fi != 0 || t.ai != 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(t.fi), 10)
			b = append(b, ']')
		}
		if t.ai != 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(t.ai), 10)
			b = append(b, ']')
		}
	}
	b = append(b, relOpNames[t.op]...)
	switch t.ck {
	case constString:
		b = appendQuoted(b, t.str)
	case constNumber:
		b = append(b, t.num.text...)
	case constBool:
		if t.b {
			b = append(b, "TRUE"...)
		} else {
			b = append(b, "FALSE"...)
		}
	case constNil:
		b = append(b, "NIL"...)
	case constRegexp:
		// Every backslash of a pattern is followed by a character other
		// than a slash (the lexer turned \/ into /), so the pairs stay.
		b = append(b, '/')
		for i := 0; i < len(t.str); i++ {
			switch c := t.str[i]; {
			case c == '\\' && i+1 < len(t.str):
				b = append(b, c, t.str[i+1])
				i++
			case c == '/':
				b = append(b, '\\', '/')
			default:
				b = append(b, c)
			}
		}
		b = append(b, '/')
	}
	return b
}

// appendQuoted appends s as lexString reads it: in the quotes s holds fewer
// of, escaping those quotes and the backslashes lexString would take for an
// escape (before a quote or a backslash, or last).
func appendQuoted(b []byte, s string) []byte {
	quote := byte('"')
	if strings.Count(s, `"`) > strings.Count(s, "'") {
		quote = '\''
	}
	b = append(b, quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			b = append(b, '\\')
		case c == '\\' && (i+1 == len(s) || s[i+1] == '"' || s[i+1] == '\'' || s[i+1] == '\\'):
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return append(b, quote)
}
