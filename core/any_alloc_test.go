//go:build !race

package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// AddAny allocates nothing for the common values: scalars, slices of
// scalars and times, maps of strings, structs by pointer and by value,
// lists of structs, errors. (Not built with -race, which allocates on its
// own.)
func TestAddAnyAllocs(t *testing.T) {
	users := []*metlogtest.User{oneUser, oneUser, oneUser}
	values := []any{
		1, "a string", []int{0, 1, 2}, []string{"a", "b"}, t0, []time.Time{t0, t0.Add(time.Second)},
		oneUser, *oneUser, users, []metlogtest.User{*oneUser}, errors.New("fail"), time.Second, []byte("x"), 2.5,
		map[string]any{"method": "GET", "status": 200}, named{"a": 1}, map[string]string{"a": "b"},
		&metlogtest.Audit{At: t0, Tags: []string{"a"}, Base: metlogtest.Base{ID: 1}}, nil, (*metlogtest.User)(nil), uint8(3), float32(0.5),
	}
	e := core.GetEntry()
	for _, v := range values { // warm the entry's scratch and the type cache
		e.AddAny("k", v)
	}
	e.Free()
	for _, v := range values {
		n := testing.AllocsPerRun(100, func() {
			e := core.GetEntry()
			e.AddAny("k", v)
			e.Free()
		})
		if n != 0 {
			t.Errorf("%T: %v allocs per AddAny, want 0", v, n)
		}
	}
}
