package core

import (
	"unicode/utf8"
	"unsafe"
)

// maxJSONDepth bounds the nesting appendRawJSON accepts; deeper values are
// written as strings rather than recursed into.
const maxJSONDepth = 512

// appendRawJSON appends raw, a JSON value, in one pass: it checks the
// grammar, drops insignificant white space (so a value never carries a
// newline into a JSON-lines stream) and replaces invalid UTF-8 inside
// strings with \ufffd. It reports false, with dst's content past its
// original length unspecified, when raw is not exactly one JSON value.
//
// The output differs from the input only where white space is dropped or
// bytes repaired, so the scanner copies lazily: raw[mark:i] is input
// checked and still to be copied, and it is flushed to dst only before a
// change and at the end. A compact, valid value (the usual case) is
// checked and then copied with one append.
func appendRawJSON(dst, raw []byte) ([]byte, bool) {
	p := jsonScanner{in: raw, dst: dst}
	p.skipSpace()
	if !p.value(0) {
		return p.dst, false
	}
	p.skipSpace()
	p.flush(p.i)
	return p.dst, p.i == len(p.in)
}

type jsonScanner struct {
	in   []byte
	i    int
	dst  []byte
	mark int // in[mark:i] is checked and not yet copied to dst
}

// flush copies the checked input up to end.
func (p *jsonScanner) flush(end int) {
	p.dst = append(p.dst, p.in[p.mark:end]...)
	p.mark = end
}

func (p *jsonScanner) skipSpace() {
	if p.i < len(p.in) && p.in[p.i] > ' ' {
		return // the usual case: no white space
	}
	j := p.i
	for j < len(p.in) {
		switch p.in[j] {
		case ' ', '\t', '\n', '\r':
			j++
			continue
		}
		break
	}
	if j > p.i {
		p.flush(p.i)
		p.i, p.mark = j, j
	}
}

func (p *jsonScanner) value(depth int) bool {
	if p.i >= len(p.in) || depth > maxJSONDepth {
		return false
	}
	switch c := p.in[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return false
}

func (p *jsonScanner) literal(lit string) bool {
	if len(p.in)-p.i < len(lit) || string(p.in[p.i:p.i+len(lit)]) != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// next reports whether the byte at i is c, and steps over it.
func (p *jsonScanner) next(c byte) bool {
	if p.i < len(p.in) && p.in[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonScanner) object(depth int) bool {
	p.i++ // '{'
	p.skipSpace()
	if p.next('}') {
		return true
	}
	for {
		if p.i >= len(p.in) || p.in[p.i] != '"' || !p.str() {
			return false
		}
		p.skipSpace()
		if !p.next(':') {
			return false
		}
		p.skipSpace()
		if !p.value(depth + 1) {
			return false
		}
		p.skipSpace()
		switch {
		case p.next(','):
			p.skipSpace()
		case p.next('}'):
			return true
		default:
			return false
		}
	}
}

func (p *jsonScanner) array(depth int) bool {
	p.i++ // '['
	p.skipSpace()
	if p.next(']') {
		return true
	}
	for {
		if !p.value(depth + 1) {
			return false
		}
		p.skipSpace()
		switch {
		case p.next(','):
			p.skipSpace()
		case p.next(']'):
			return true
		default:
			return false
		}
	}
}

// str checks a string token and its escapes, repairing its UTF-8.
func (p *jsonScanner) str() bool {
	in := p.in
	i := p.i + 1
	for i < len(in) {
		i += safeRun(unsafe.String(&in[i], len(in)-i)) // the run needing no attention
		if i >= len(in) {
			break
		}
		c := in[i]
		switch {
		case c == '"':
			p.i = i + 1
			return true
		case c == '\\':
			if i+1 >= len(in) {
				return false
			}
			switch in[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(in) || !isHex(in[i+2]) || !isHex(in[i+3]) || !isHex(in[i+4]) || !isHex(in[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case c < 0x20:
			return false // control characters must be escaped in JSON
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				p.flush(i)
				p.dst = append(p.dst, `\ufffd`...)
				i++
				p.mark = i
				continue
			}
			i += size
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (p *jsonScanner) number() bool {
	in, i := p.in, p.i
	if in[i] == '-' {
		i++
	}
	switch {
	case i < len(in) && in[i] == '0':
		i++
	case i < len(in) && in[i] >= '1' && in[i] <= '9':
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(in) && in[i] == '.' {
		i++
		if i >= len(in) || in[i] < '0' || in[i] > '9' {
			return false
		}
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if i >= len(in) || in[i] < '0' || in[i] > '9' {
			return false
		}
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
	}
	p.i = i
	return true
}
