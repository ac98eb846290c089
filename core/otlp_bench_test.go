package core

import (
	"testing"
	"time"
)

// BenchmarkEncodeOTLP is BenchmarkEncode's messages in FormatOTLP, plus one
// with a scope holding a field and an open group (read from the scope's
// own fields on every message):
//
//	go test -run='^$' -bench=EncodeOTLP -benchmem ./core
func BenchmarkEncodeOTLP(b *testing.B) {
	messages := []struct {
		name string
		msg  *Message
	}{
		{"static", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload}},
		{"static-stamped", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload, Timestamp: time.Unix(1764000000, 123456789)}},
		{"10fields", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload, Fields: benchFields()}},
		{"10fields-scoped", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload, Fields: benchFields(),
			Scope: NewScope(FormatOTLP).With(String("request_id", "4bf92f3577b34da6")).WithGroup("http")}},
	}
	for _, m := range messages {
		b.Run(m.name, func(b *testing.B) {
			enc := mustEncoder(b, FormatOTLP, EncoderConfig{Logger: "bench"})
			dst, err := enc.AppendMessage(nil, m.msg)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dst, err = enc.AppendMessage(dst[:0], m.msg)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
