package core

import "unsafe"

// cloneFields returns a deep copy of fields that shares no memory with
// them: every string, byte slice, repeated value and group is copied. The
// copy is made in few allocations: its structure (fields, groups, repeated
// values), then one block for all of its text.
func cloneFields(fields []Field) []Field {
	out := cloneStructure(fields)
	ownFieldStrings(out, make([]byte, 0, fieldsText(out, true)), true)
	return out
}

// cloneStructure copies fields, their groups and their repeated values;
// the copy still refers to their strings and bytes.
func cloneStructure(fields []Field) []Field {
	out := append([]Field(nil), fields...)
	for i := range out {
		f := &out[i]
		var p unsafe.Pointer
		switch {
		case f.multi && f.kind == KindString:
			p = unsafe.Pointer(unsafe.SliceData(append([]string(nil), f.StringsValue()...)))
		case f.multi && f.kind == KindBytes:
			p = unsafe.Pointer(unsafe.SliceData(append([][]byte(nil), f.ByteSlicesValue()...)))
		case f.multi && f.kind == KindInt:
			p = unsafe.Pointer(unsafe.SliceData(append([]int64(nil), f.IntsValue()...)))
		case f.multi && f.kind == KindFloat:
			p = unsafe.Pointer(unsafe.SliceData(append([]float64(nil), f.FloatsValue()...)))
		case f.multi && f.kind == KindBool:
			p = unsafe.Pointer(unsafe.SliceData(append([]bool(nil), f.BoolsValue()...)))
		case f.kind == KindGroup:
			p = unsafe.Pointer(unsafe.SliceData(cloneStructure(f.GroupValue())))
		default:
			continue
		}
		f.ptr = p
	}
	return out
}

// ownStrings copies every string m and its fields refer to into one new
// block, so that m refers to no memory but its own; m's fields, groups and
// repeated values must be m's own already (DecodeJSON's entry), and so
// must the text of its RawJSON fields unless json is set.
func ownStrings(m *Message, json bool) {
	n := len(m.Type) + len(m.Logger) + len(m.Payload) + len(m.EnvVersion) + len(m.Hostname) + fieldsText(m.Fields, json)
	a := make([]byte, 0, n)
	for _, s := range []*string{&m.Type, &m.Logger, &m.Payload, &m.EnvVersion, &m.Hostname} {
		*s, a = own(*s, a)
	}
	ownFieldStrings(m.Fields, a, json)
}

// own copies s into a, whose capacity must hold it, and returns the copy.
func own(s string, a []byte) (string, []byte) {
	if s == "" {
		return "", a
	}
	i := len(a)
	a = append(a, s...)
	return unsafe.String(&a[i], len(s)), a
}

// ownFieldStrings copies the names, representations, strings and bytes
// (and raw JSON when json is set) of fields, which it modifies in place,
// groups and repeated values too, into a, whose capacity must hold them
// (fieldsText), and returns what is left of it.
func ownFieldStrings(fields []Field, a []byte, json bool) []byte {
	for i := range fields {
		f := &fields[i]
		f.Name, a = own(f.Name, a)
		f.Representation, a = own(f.Representation, a)
		switch {
		case f.multi && f.kind == KindString:
			vs := f.StringsValue()
			for j := range vs {
				vs[j], a = own(vs[j], a)
			}
		case f.multi && f.kind == KindBytes:
			vs := f.ByteSlicesValue()
			for j, v := range vs {
				var s string
				s, a = own(b2s(v), a)
				vs[j] = unsafe.Slice(unsafe.StringData(s), len(s))
			}
		case f.multi:
		case f.kind == KindString || f.kind == KindBytes || f.kind == KindJSON && json:
			var s string
			s, a = own(f.str(), a)
			f.ptr = unsafe.Pointer(unsafe.StringData(s))
		case f.kind == KindGroup:
			a = ownFieldStrings(f.GroupValue(), a, json)
		}
	}
	return a
}

// fieldsText returns the bytes ownFieldStrings copies for fields.
func fieldsText(fields []Field, json bool) int {
	n := 0
	for i := range fields {
		f := &fields[i]
		n += len(f.Name) + len(f.Representation)
		switch {
		case f.multi && f.kind == KindString:
			for _, v := range f.StringsValue() {
				n += len(v)
			}
		case f.multi && f.kind == KindBytes:
			for _, v := range f.ByteSlicesValue() {
				n += len(v)
			}
		case f.multi:
		case f.kind == KindString || f.kind == KindBytes || f.kind == KindJSON && json:
			n += f.n
		case f.kind == KindGroup:
			n += fieldsText(f.GroupValue(), json)
		}
	}
	return n
}

func cloneString(s string) string {
	if s == "" {
		return ""
	}
	return string(append([]byte(nil), s...))
}
