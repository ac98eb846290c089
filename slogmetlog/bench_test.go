package slogmetlog

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
)

// The scenarios and fields of zap's benchmark suite (benchmarks/slog_test.go
// there), logged through our handler in each wire format to a client that
// discards what it sends. The comparisons with slog's JSON handler and
// with slog's front end alone (a no-op handler) are the bench module's
// (BenchmarkParts/slog).

// benchFields are built once: slog's benchmarks pass one slice to every call.
var benchFields = benchfields.Slog()

func BenchmarkHandler(b *testing.B) {
	scenarios := []struct {
		name string
		run  func(*slog.Logger) func()
	}{
		{"static", func(l *slog.Logger) func() {
			return func() { l.Info(benchfields.SlogMessage) }
		}},
		{"10fields", func(l *slog.Logger) func() {
			return func() { l.Info(benchfields.SlogMessage, benchFields...) }
		}},
		{"10context", func(l *slog.Logger) func() {
			l = l.With(benchFields...)
			return func() { l.Info(benchfields.SlogMessage) }
		}},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, f := range metlogtest.Formats {
				c := metlogtest.BenchClient(b, f)
				log := sc.run(slog.New(NewHandler(c, nil)))
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					metlogtest.RunParallel(b, c, log)
				})
			}
		})
	}
}

// TestBenchFieldsEncoded checks that the benchmark logs what it claims:
// every one of the ten fields reaches the message, objects as groups.
func TestBenchFieldsEncoded(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, cp := metlogtest.NewClient(t, f)
			slog.New(NewHandler(c, nil)).Info(benchfields.SlogMessage, benchFields...)
			got, err := recordMap(metlogtest.One(t, c, cp), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"int", "ints", "string", "strings", "time", "times", "error"} {
				if _, ok := got[k]; !ok {
					t.Errorf("field %q missing", k)
				}
			}
			for _, k := range []string{"user1", "user2"} {
				if u, ok := got[k].(map[string]any); !ok || u["name"] != "Jane Doe 0" {
					t.Errorf("%s = %#v, want a group with name Jane Doe 0", k, got[k])
				}
			}
			us, ok := got["users"].(map[string]any)
			if !ok || len(us) != 10 {
				t.Fatalf("users = %#v, want a group of 10", got["users"])
			}
			if u9, _ := us["9"].(map[string]any); u9["name"] != "Jane Doe 9" {
				t.Errorf("users.9 = %#v", us["9"])
			}
			if got["error"] != "fail" {
				t.Errorf("error = %#v", got["error"])
			}
			if fmt.Sprint(got["ints"]) != "[0 1 2 3 4 5 6 7 8 9]" {
				t.Errorf("ints = %#v", got["ints"])
			}
		})
	}
}
