package core_test

import (
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// BenchmarkAddAny measures AddAny alone (no client, no encoding) on the
// values the adapters' benchmarks log and on structs through each path:
// read from memory (by pointer, slices), through reflection (by value),
// with embedded structs. It must not allocate:
//
//	go test -run='^$' -bench=AddAny -benchmem ./core
func BenchmarkAddAny(b *testing.B) {
	users := []*metlogtest.User{oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser}
	audit := &metlogtest.Audit{At: t0, Note: "n", Took: time.Second, Tags: []string{"a"}, Base: metlogtest.Base{ID: 1, Kind: "k"}}
	for _, c := range []struct {
		name string
		v    any
	}{
		{"user-ptr", oneUser},
		{"user-value", *oneUser},
		{"users-ptr", users},
		{"users-value", []metlogtest.User{*oneUser, *oneUser, *oneUser}},
		{"embedded-ptr", audit},
		{"embedded-value", *audit},
		{"scalars-ptr", &metlogtest.Scalars{I: 1, S: "s", T: t0, F64: 1.5}},
		{"map", map[string]any{"method": "GET", "status": 200, "user": oneUser}},
		{"ints", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e := core.GetEntry()
				e.AddAny("k", c.v)
				e.Free()
			}
		})
	}
}
