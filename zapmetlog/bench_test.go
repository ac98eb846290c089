package zapmetlog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/zapmetlog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The scenarios of zap's own benchmarks: a static message, a
// message with 10 fields, and a logger holding those 10 fields as context,
// logged through our core in each wire format to a client that discards
// what it sends. The comparisons with zap's own JSON core and with zap's
// front end alone are the bench module's (BenchmarkParts/zap).

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

func BenchmarkCore(b *testing.B) {
	scenarios := []struct {
		name string
		log  func(l *zap.Logger) func() // returns one logging call
	}{
		{"static", func(l *zap.Logger) func() {
			return func() { l.Info(benchMsg) }
		}},
		{"10fields", func(l *zap.Logger) func() {
			return func() { l.Info(benchMsg, tenFields()...) }
		}},
		{"10context", func(l *zap.Logger) func() {
			l = l.With(tenFields()...)
			return func() { l.Info(benchMsg) }
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
