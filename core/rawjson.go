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
func appendRawJSON(dst, raw []byte) ([]byte, bool) {
	p := jsonScanner{in: raw}
	p.skipSpace()
	dst, ok := p.value(dst, 0)
	if !ok {
		return dst, false
	}
	p.skipSpace()
	return dst, p.i == len(p.in)
}

type jsonScanner struct {
	in []byte
	i  int
}

func (p *jsonScanner) skipSpace() {
	for p.i < len(p.in) {
		switch p.in[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonScanner) value(dst []byte, depth int) ([]byte, bool) {
	if p.i >= len(p.in) || depth > maxJSONDepth {
		return dst, false
	}
	switch c := p.in[p.i]; {
	case c == '{':
		return p.object(dst, depth)
	case c == '[':
		return p.array(dst, depth)
	case c == '"':
		return p.str(dst)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	case c == 't':
		return p.literal(dst, "true")
	case c == 'f':
		return p.literal(dst, "false")
	case c == 'n':
		return p.literal(dst, "null")
	}
	return dst, false
}

func (p *jsonScanner) literal(dst []byte, lit string) ([]byte, bool) {
	if len(p.in)-p.i < len(lit) || string(p.in[p.i:p.i+len(lit)]) != lit {
		return dst, false
	}
	p.i += len(lit)
	return append(dst, lit...), true
}

func (p *jsonScanner) object(dst []byte, depth int) ([]byte, bool) {
	p.i++ // '{'
	dst = append(dst, '{')
	p.skipSpace()
	if p.i < len(p.in) && p.in[p.i] == '}' {
		p.i++
		return append(dst, '}'), true
	}
	for {
		var ok bool
		if p.i >= len(p.in) || p.in[p.i] != '"' {
			return dst, false
		}
		if dst, ok = p.str(dst); !ok {
			return dst, false
		}
		p.skipSpace()
		if p.i >= len(p.in) || p.in[p.i] != ':' {
			return dst, false
		}
		p.i++
		dst = append(dst, ':')
		p.skipSpace()
		if dst, ok = p.value(dst, depth+1); !ok {
			return dst, false
		}
		p.skipSpace()
		if p.i >= len(p.in) {
			return dst, false
		}
		switch p.in[p.i] {
		case ',':
			p.i++
			dst = append(dst, ',')
			p.skipSpace()
		case '}':
			p.i++
			return append(dst, '}'), true
		default:
			return dst, false
		}
	}
}

func (p *jsonScanner) array(dst []byte, depth int) ([]byte, bool) {
	p.i++ // '['
	dst = append(dst, '[')
	p.skipSpace()
	if p.i < len(p.in) && p.in[p.i] == ']' {
		p.i++
		return append(dst, ']'), true
	}
	for {
		var ok bool
		if dst, ok = p.value(dst, depth+1); !ok {
			return dst, false
		}
		p.skipSpace()
		if p.i >= len(p.in) {
			return dst, false
		}
		switch p.in[p.i] {
		case ',':
			p.i++
			dst = append(dst, ',')
			p.skipSpace()
		case ']':
			p.i++
			return append(dst, ']'), true
		default:
			return dst, false
		}
	}
}

// str copies a string token, checking its escapes and repairing its UTF-8.
func (p *jsonScanner) str(dst []byte) ([]byte, bool) {
	in := p.in
	i := p.i + 1
	dst = append(dst, '"')
	start := i
	for i < len(in) {
		// Skip runs that need no attention, 8 bytes at a time, then bytewise.
		i += safeRun(unsafe.String(&in[i], len(in)-i))
		for i < len(in) && in[i] < utf8.RuneSelf && jsonSafe[in[i]] {
			i++
		}
		if i >= len(in) {
			break
		}
		c := in[i]
		switch {
		case c == '"':
			dst = append(dst, in[start:i]...)
			p.i = i + 1
			return append(dst, '"'), true
		case c == '\\':
			if i+1 >= len(in) {
				return dst, false
			}
			switch in[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(in) || !isHex(in[i+2]) || !isHex(in[i+3]) || !isHex(in[i+4]) || !isHex(in[i+5]) {
					return dst, false
				}
				i += 6
			default:
				return dst, false
			}
		case c < 0x20:
			return dst, false // control characters must be escaped in JSON
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, in[start:i]...)
				dst = append(dst, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
		}
	}
	return dst, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (p *jsonScanner) number(dst []byte) ([]byte, bool) {
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
		return dst, false
	}
	if i < len(in) && in[i] == '.' {
		i++
		if i >= len(in) || in[i] < '0' || in[i] > '9' {
			return dst, false
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
			return dst, false
		}
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
	}
	dst = append(dst, in[p.i:i]...)
	p.i = i
	return dst, true
}
