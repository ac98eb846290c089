package zapmetlog_test

import (
	"testing"

	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/zap"
)

// The scenarios of zap's own benchmarks: a static message, a
// message with 10 fields, and a logger holding those 10 fields as context,
// logged through our core in each wire format to a client that discards
// what it sends. The comparisons with zap's own JSON core and with zap's
// front end alone are the bench module's (BenchmarkParts/zap).

func BenchmarkCore(b *testing.B) {
	scenarios := []struct {
		name string
		log  func(l *zap.Logger) func() // returns one logging call
	}{
		{"static", func(l *zap.Logger) func() {
			return func() { l.Info(benchfields.ZapMessage) }
		}},
		{"10fields", func(l *zap.Logger) func() {
			return func() { l.Info(benchfields.ZapMessage, benchfields.Zap()...) }
		}},
		{"10context", func(l *zap.Logger) func() {
			l = l.With(benchfields.Zap()...)
			return func() { l.Info(benchfields.ZapMessage) }
		}},
	}
	for _, s := range scenarios {
		b.Run(s.name, func(b *testing.B) {
			for _, f := range metlogtest.Formats {
				c := metlogtest.BenchClient(b, f)
				log := s.log(zap.New(zapmetlog.NewCore(c, zap.DebugLevel)))
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					metlogtest.RunParallel(b, c, log)
				})
			}
		})
	}
}
