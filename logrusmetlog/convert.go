package logrusmetlog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"
)

// anyPair is one entry of an entry's Data being converted.
type anyPair struct {
	key string
	val any
}

// addFields adds an entry's Data, sorted by key; with a caller, a field
// named like the caller's group is renamed. Errors are written as their
// text, as logrus's formatters write them; every other value goes through
// core's conversion (Entry.AddAny: structs and maps become groups, panics
// in a value's methods become their text).
func (s *scratch) addFields(data logrus.Fields, caller bool) {
	for k, v := range data {
		if caller && k == sourceKey {
			k = "fields." + sourceKey
		}
		s.pairs = append(s.pairs, anyPair{k, v})
	}
	sortPairs(s.pairs)
	for _, p := range s.pairs {
		if err, ok := p.val.(error); ok {
			s.e.AddError(p.key, err)
		} else {
			s.e.AddAny(p.key, p.val)
		}
	}
}

// sortPairs sorts ps by key: by insertion for the few keys of a log
// entry (no calls through a comparison function), else with slices.
func sortPairs(ps []anyPair) {
	if len(ps) > 16 {
		slices.SortFunc(ps, func(a, b anyPair) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(ps); i++ {
		p := ps[i]
		j := i
		for ; j > 0 && less(p.key, ps[j-1].key); j-- {
			ps[j] = ps[j-1]
		}
		ps[j] = p
	}
}

// less is a < b, deciding on the first byte without a call when it can.
func less(a, b string) bool {
	if len(a) > 0 && len(b) > 0 && a[0] != b[0] {
		return a[0] < b[0]
	}
	return a < b
}

// panicText describes a panic in the user's code what as fmt describes a
// panic in a method (and as core's conversion writes one):
// "%!v(PANIC=context fields: boom)".
func panicText(r any, what string) string {
	return "%!v(PANIC=" + what + ": " + fmt.Sprint(r) + ")"
}
