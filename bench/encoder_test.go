package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// BenchmarkEncoder encodes one entry, static or with zap's ten benchmark
// fields (zapFields), with each of core's encoders and with zap's
// production JSON encoder, on one goroutine: the encoders alone, without
// a logger's front end or a transport. Both read the clock once per entry.
// core has no array of objects, so zap's ten users are a group keyed by
// index, as slogmetlog and logrusmetlog send them.
//
//	go test -run '^$' -bench Encoder -benchmem
func BenchmarkEncoder(b *testing.B) {
	for _, sc := range []struct {
		name   string
		ours   []core.Field
		theirs []zap.Field
	}{
		{static, nil, nil},
		{tenFields, coreFields(), zapFields()},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for _, f := range []core.Format{core.FormatJSON, core.FormatHeka, core.FormatOTLP} {
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					enc, err := core.NewEncoder(f, core.EncoderConfig{Logger: "bench"})
					if err != nil {
						b.Fatal(err)
					}
					m := &core.Message{Type: core.TypeOldstyle, Payload: zapMsg, Fields: sc.ours}
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
				ent := zapcore.Entry{Level: zapcore.InfoLevel, LoggerName: "bench", Message: zapMsg}
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

// coreFields are zapFields as core's fields, built once as zap's With and
// the adapters' pooled entries build them.
func coreFields() []core.Field {
	user := func(u *zapUser) []core.Field {
		return []core.Field{
			core.String("name", u.Name),
			core.String("email", u.Email),
			core.Int64("created_at", u.CreatedAt.UnixNano()),
		}
	}
	ints := make([]int64, len(zapInts))
	for i, v := range zapInts {
		ints[i] = int64(v)
	}
	times := make([]string, len(zapTimes))
	for i, t := range zapTimes {
		times[i] = t.Format(time.RFC3339Nano)
	}
	users := make([]core.Field, len(zapUserList))
	for i, u := range zapUserList {
		users[i] = core.Group(strconv.Itoa(i), user(u)...)
	}
	return []core.Field{
		core.Int("int", zapInts[0]),
		core.Ints("ints", ints),
		core.String("string", zapStrings[0]),
		core.Strings("strings", zapStrings),
		core.Time("time", zapTimes[0]),
		core.Strings("times", times),
		core.Group("user", user(zapUser1)...),
		core.Group("users", users...),
		core.String("error", zapErr.Error()),
		core.Duration("duration", time.Second),
	}
}
