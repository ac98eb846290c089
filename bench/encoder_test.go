package bench

import (
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// BenchmarkEncoder encodes one entry, static or with zap's ten benchmark
// fields (benchfields.Zap, and benchfields.Core for ours), with each of
// core's encoders and with zap's production JSON encoder, on one
// goroutine: the encoders alone, without a logger's front end or a
// transport. Both read the clock once per entry.
//
//	go test -run '^$' -bench Encoder -benchmem
func BenchmarkEncoder(b *testing.B) {
	for _, sc := range []struct {
		name   string
		ours   []core.Field
		theirs []zap.Field
	}{
		{static, nil, nil},
		{tenFields, benchfields.Core(), benchfields.Zap()},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for _, f := range []core.Format{core.FormatJSON, core.FormatHeka, core.FormatOTLP} {
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					enc, err := core.NewEncoder(f, core.EncoderConfig{Logger: "bench"})
					if err != nil {
						b.Fatal(err)
					}
					m := &core.Message{Type: core.TypeOldstyle, Payload: benchfields.ZapMessage, Fields: sc.ours}
					dst, err := enc.AppendMessage(nil, m)
					if err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(len(dst)))
					b.ReportAllocs()
					for b.Loop() {
						if dst, err = enc.AppendMessage(dst[:0], m); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("zap-json", func(b *testing.B) {
				enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
				ent := zapcore.Entry{Level: zapcore.InfoLevel, LoggerName: "bench", Message: benchfields.ZapMessage}
				buf, err := enc.EncodeEntry(ent, sc.theirs)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(buf.Len()))
				buf.Free()
				b.ReportAllocs()
				for b.Loop() {
					ent.Time = time.Now()
					buf, err := enc.EncodeEntry(ent, sc.theirs)
					if err != nil {
						b.Fatal(err)
					}
					buf.Free()
				}
			})
		})
	}
}
