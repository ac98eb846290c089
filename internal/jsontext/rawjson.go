package jsontext

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

// maxCheckDepth bounds the nesting AppendRawJSON follows at all: deeper
// input is not accepted (its caller writes it as a string). Values nested
// deeper than MaxDepth but within this bound are checked and replaced by
// DepthMarker.
const maxCheckDepth = 512

// AppendRawJSON appends raw, a JSON value at depth depth (see MaxDepth),
// in one pass: it checks the grammar, drops insignificant white space (so a
// value never carries a newline into a JSON-lines stream), replaces invalid
// UTF-8 inside strings with \ufffd, and writes each object or array that is
// not empty and sits deeper than MaxDepth as DepthMarker. It reports false,
// with dst's content past its original length unspecified, when raw is not
// exactly one JSON value or nests deeper than 512 levels.
//
// The output differs from the input only where white space is dropped,
// bytes repaired or values replaced, so the scanner copies lazily:
// raw[mark:i] is input checked and still to be copied, and it is flushed
// to dst only before a change and at the end. A compact, valid value (the
// usual case) is checked and then copied with one append.
func AppendRawJSON(dst, raw []byte, depth int) ([]byte, bool) {
	p := rawScanner{in: raw, dst: dst, start: depth}
	p.skipSpace()
	if !p.value(depth) {
		return p.dst, false
	}
	p.skipSpace()
	p.flush(p.i)
	return p.dst, p.i == len(p.in)
}

// PlainCompact reports whether b, JSON text without white space for a
// value at depth (see MaxDepth), is written unchanged by the rules: its
// strings hold printable ASCII only, with no escape (and no '"' but their
// quotes), and its objects and arrays, even empty ones, nest no deeper
// than MaxDepth. It does not check the grammar.
func PlainCompact(b []byte, depth int) bool {
	if !plainBytes(b) {
		return false
	}
	if bytes.Count(b, []byte{'{'})+bytes.Count(b, []byte{'['}) <= MaxDepth-depth+1 {
		return true // too few to nest too deep
	}
	in, nest := false, depth-1
	for _, c := range b {
		switch {
		case c == '"':
			in = !in
		case in:
		case c == '{' || c == '[':
			if nest++; nest > MaxDepth {
				return false
			}
		case c == '}' || c == ']':
			nest--
		}
	}
	return true
}

// plainBytes reports whether b has no control character, no backslash and
// no byte outside ASCII, eight bytes at a time as safeRun.
func plainBytes(b []byte) bool {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if ((x-lo*0x20)|((x^(lo*'\\'))-lo)|x)&hi != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

type rawScanner struct {
	in    []byte
	i     int
	dst   []byte
	mark  int // in[mark:i] is checked and not yet copied to dst
	start int // depth of the value AppendRawJSON was given
	skip  int // > 0 while checking a value replaced by the marker: nothing is copied
}

// flush copies the checked input up to end.
func (p *rawScanner) flush(end int) {
	if p.skip == 0 {
		p.dst = append(p.dst, p.in[p.mark:end]...)
	}
	p.mark = end
}

func (p *rawScanner) skipSpace() {
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

func (p *rawScanner) value(depth int) bool {
	if p.i >= len(p.in) || depth-p.start > maxCheckDepth {
		return false
	}
	switch c := p.in[p.i]; {
	case c == '{' || c == '[':
		if depth > MaxDepth && p.skip == 0 && !p.empty() {
			return p.replaced(depth)
		}
		if c == '{' {
			return p.object(depth)
		}
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

// empty reports whether the object or array at i has no member.
func (p *rawScanner) empty() bool {
	j := p.i + 1
	for j < len(p.in) && (p.in[j] == ' ' || p.in[j] == '\t' || p.in[j] == '\n' || p.in[j] == '\r') {
		j++
	}
	return j < len(p.in) && (p.in[j] == '}' || p.in[j] == ']')
}

// replaced checks the container at i, too deep to be kept, and writes the
// marker in its place.
func (p *rawScanner) replaced(depth int) bool {
	p.flush(p.i)
	p.skip++
	ok := p.value(depth)
	p.skip--
	if !ok {
		return false
	}
	p.dst = AppendDepthMarker(p.dst)
	p.mark = p.i
	return true
}

func (p *rawScanner) literal(lit string) bool {
	if len(p.in)-p.i < len(lit) || string(p.in[p.i:p.i+len(lit)]) != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// next reports whether the byte at i is c, and steps over it.
func (p *rawScanner) next(c byte) bool {
	if p.i < len(p.in) && p.in[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *rawScanner) object(depth int) bool {
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

func (p *rawScanner) array(depth int) bool {
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
func (p *rawScanner) str() bool {
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
				if p.skip == 0 {
					p.dst = append(p.dst, `\ufffd`...)
				}
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

func (p *rawScanner) number() bool {
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
