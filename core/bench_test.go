package core

import (
	"errors"
	"testing"
	"time"
)

// Encoder benchmarks. The ten fields mirror zap's benchmark set (an int,
// ints, a string, strings, a time, times, an object, objects, an error)
// plus a duration. Encoders must not allocate. The comparison with zap's
// own encoder is bench's BenchmarkEncoder (a module of its own):
//
//	go test -run='^$' -bench=Encode -benchmem ./core

const benchPayload = "Test logging, but use a somewhat realistic message length."

var (
	benchErr     = errors.New("fail")
	benchInts    = []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	benchStrings = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	benchTimes   = func() []time.Time {
		ts := make([]time.Time, 10)
		for i := range ts {
			ts[i] = time.Unix(0, 1700000000123456789+int64(i)*1e9)
		}
		return ts
	}()
	benchTimeStrings = func() []string {
		s := make([]string, len(benchTimes))
		for i, t := range benchTimes {
			s[i] = t.UTC().Format(time.RFC3339Nano)
		}
		return s
	}()
	benchUser = struct {
		name, email string
		createdAt   time.Time
	}{"Jane Doe", "jane@test.com", time.Unix(0, 1700000000123456789)}
)

func benchUserFields() []Field {
	return []Field{
		String("name", benchUser.name),
		String("email", benchUser.email),
		Time("created_at", benchUser.createdAt),
	}
}

// benchFields returns the ten fields; built once, outside the timed loop,
// as zap's With and the adapters' pooled entries do.
func benchFields() []Field {
	user := benchUserFields()
	users := make([]Field, 10)
	for i := range users {
		users[i] = Group(string(rune('0'+i)), user...)
	}
	return []Field{
		Int64("int", benchInts[0]),
		Ints("ints", benchInts),
		String("string", benchStrings[0]),
		Strings("strings", benchStrings),
		Time("time", benchTimes[0]),
		Strings("times", benchTimeStrings),
		Group("user", user...),
		Group("users", users...),
		String("error", benchErr.Error()),
		Duration("duration", 1500*time.Millisecond),
	}
}

func BenchmarkEncode(b *testing.B) {
	encoders := []struct {
		name string
		f    Format
		hmac *HMACConfig
	}{
		{"json", FormatJSON, nil},
		{"heka", FormatHeka, nil},
		{"heka-sha1", FormatHeka, &HMACConfig{Signer: "ops", KeyVersion: 1, Hash: HashSHA1, Key: "bench key"}},
		{"otlp", FormatOTLP, nil},
		{"text", FormatText, nil},
	}
	messages := []struct {
		name string
		msg  *Message
	}{
		{"static", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload}},
		// As adapters send it: the logger has read the clock already.
		{"static-stamped", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload, Timestamp: time.Unix(1764000000, 123456789)}},
		{"10fields", &Message{Type: TypeOldstyle, Severity: Info, Payload: benchPayload, Fields: benchFields()}},
	}
	for _, e := range encoders {
		for _, m := range messages {
			b.Run(e.name+"/"+m.name, func(b *testing.B) {
				enc := mustEncoder(b, e.f, EncoderConfig{Logger: "bench", HMAC: e.hmac})
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
}

// TestEncodeAllocs pins the benchmarks' claim: encoding the ten-field and
// static messages allocates nothing once dst has grown.
func TestEncodeAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts: not with -short or -race")
	}
	for _, f := range []Format{FormatJSON, FormatHeka, FormatText, FormatOTLP} {
		for _, hmac := range []*HMACConfig{nil, {Signer: "s", Key: "k"}, {Signer: "s", Key: "k", Hash: HashSHA1}} {
			if f != FormatHeka && hmac != nil {
				continue
			}
			enc := mustEncoder(t, f, EncoderConfig{Logger: "bench", HMAC: hmac})
			for _, m := range []*Message{
				{Type: TypeOldstyle, Payload: benchPayload},
				{Type: TypeOldstyle, Payload: benchPayload, Fields: benchFields(),
					Scope: NewScope(f).With(Int("ctx", 1)).WithGroup("g")},
			} {
				dst, _ := enc.AppendMessage(nil, m)
				allocs := testing.AllocsPerRun(100, func() {
					dst, _ = enc.AppendMessage(dst[:0], m)
				})
				if allocs != 0 {
					t.Errorf("%s (hmac %v), %d fields: %v allocs per message", f, hmac != nil, len(m.Fields), allocs)
				}
			}
		}
	}
}
