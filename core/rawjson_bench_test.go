package core

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// BenchmarkRawJSON compares the one-pass check-and-compact of a RawJSON
// field with the standard library's checks alone.
func BenchmarkRawJSON(b *testing.B) {
	raw := []byte("[" + strings.Repeat(`{"name":"Jane Doe","email":"jane@test.com","created_at":"2026-01-02T03:04:05Z"},`, 8) + `{"n":1.5e3}]`)
	b.Run("appendRawJSON", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		dst := make([]byte, 0, 2*len(raw))
		for i := 0; i < b.N; i++ {
			dst, _ = jsontext.AppendRawJSON(dst[:0], raw, 1)
		}
	})
	b.Run("stdlib-valid-only", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for i := 0; i < b.N; i++ {
			_ = utf8.Valid(raw) && json.Valid(raw)
		}
	})
}
