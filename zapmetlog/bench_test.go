package zapmetlog_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The scenarios of zap's own benchmarks (DESIGN.md 9): a static message, a
// message with 10 fields, and a logger holding those 10 fields as context.
// Each runs zap's JSON core writing to io.Discard ("zap-json") beside our
// core with each wire format, sending to io.Discard.

type benchUser struct {
	Name, Email string
	CreatedAt   time.Time
}

func (u *benchUser) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddInt64("created_at", u.CreatedAt.UnixNano())
	return nil
}

var (
	benchInts    = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	benchStrings = []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	benchTimes   = func() []time.Time {
		ts := make([]time.Time, 10)
		for i := range ts {
			ts[i] = time.Date(2024, 1, i+1, 12, 30, i, 1000*i, time.UTC)
		}
		return ts
	}()
	benchUser1 = &benchUser{"Jane Doe", "jane@example.com", time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	benchUsers = func() []*benchUser {
		us := make([]*benchUser, 10)
		for i := range us {
			us[i] = benchUser1
		}
		return us
	}()
	benchErr = errors.New("fail")
)

func tenFields() []zap.Field {
	return []zap.Field{
		zap.Int("int", benchInts[0]),
		zap.Ints("ints", benchInts),
		zap.String("string", benchStrings[0]),
		zap.Strings("strings", benchStrings),
		zap.Time("time", benchTimes[0]),
		zap.Times("times", benchTimes),
		zap.Object("user", benchUser1),
		zap.Objects("users", benchUsers),
		zap.Error(benchErr),
		zap.Duration("duration", time.Second),
	}
}

const benchMsg = "Go fast, or do not go."

// benchBuffer is the ring size of the benchmarks' clients. RunParallel keeps
// every P busy producing, so the client's consumer goroutine gets a P only
// when the scheduler preempts a producer (about every 10ms): the ring must
// hold that much backlog, or the benchmark measures dropping (drops/op).
// 64 MiB still dropped about 40% of the 10context messages; 256 MiB, as in
// slogmetlog's benchmarks, drops none.
const benchBuffer = 256 << 20

func BenchmarkZap(b *testing.B) {
	scenarios := []struct {
		name string
		run  func(b *testing.B, l *zap.Logger)
	}{
		{"static", func(b *testing.B, l *zap.Logger) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.Info(benchMsg)
				}
			})
		}},
		{"10fields", func(b *testing.B, l *zap.Logger) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.Info(benchMsg, tenFields()...)
				}
			})
		}},
		{"10context", func(b *testing.B, l *zap.Logger) {
			l = l.With(tenFields()...)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.Info(benchMsg)
				}
			})
		}},
	}
	for _, s := range scenarios {
		b.Run(s.name, func(b *testing.B) {
			b.Run("zap-json", func(b *testing.B) {
				enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
				l := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zap.DebugLevel))
				b.ReportAllocs()
				b.ResetTimer()
				s.run(b, l)
			})
			for _, f := range metlogtest.Formats {
				// One client per scenario and format, its ring touched once
				// before the timed runs so that page faults on a fresh ring
				// are not counted (see benchBuffer).
				c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
					core.WithFormat(f), core.WithLogger("bench"), core.WithBufferSize(benchBuffer))
				if err != nil {
					b.Fatal(err)
				}
				l := zap.New(zapmetlog.NewCore(c, zap.DebugLevel))
				for c.Stats().BytesSent < benchBuffer+benchBuffer/8 {
					for i := 0; i < 1000; i++ {
						l.Info("warming the ring", zap.Int("i", i))
					}
					if err := c.Flush(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					full := c.Stats().Drops.Full
					b.ReportAllocs()
					b.ResetTimer()
					s.run(b, l)
					// Delivering the backlog is part of the cost.
					if err := c.Flush(context.Background()); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					b.ReportMetric(float64(c.Stats().Drops.Full-full)/float64(b.N), "drops/op")
				})
				if err := c.Close(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
