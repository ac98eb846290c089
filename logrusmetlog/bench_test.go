package logrusmetlog_test

import (
	"context"
	"io"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

// benchMessage is as long as the message of zap's benchmarks.
const benchMessage = "Test logging, but use a somewhat realistic message length."

// BenchmarkLogrus runs zap's scenarios (a static message, 10 fields per
// call, 10 fields of context) for logrus's own JSONFormatter to io.Discard
// and, in the same run, for the same logger with our hook added
// (logrus-json+metlog-*: what the hook adds to logrus's cost) and for the
// hook alone behind DiscardFormatter (metlog-only*). Besides the wall
// clock it reports cpu-ns/op, the process's CPU time per call (the
// logging goroutines, the client's sender goroutine and the garbage
// collector), which a busy machine disturbs less.
func BenchmarkLogrus(b *testing.B) {
	scenarios := []struct {
		name string
		call func(*logrus.Logger) func() // returns one logging call
	}{
		{"static", func(l *logrus.Logger) func() {
			return func() { l.Info(benchMessage) }
		}},
		{"10fields", func(l *logrus.Logger) func() {
			return func() { l.WithFields(tenFields()).Info(benchMessage) }
		}},
		{"10context", func(l *logrus.Logger) func() {
			e := l.WithFields(tenFields())
			return func() { e.Info(benchMessage) }
		}},
	}
	setups := []struct {
		name      string
		formatter logrus.Formatter
		hook      bool
		format    core.Format
	}{
		{"logrus-json", &logrus.JSONFormatter{}, false, 0},
		{"logrus-json+metlog-json", &logrus.JSONFormatter{}, true, core.FormatJSON},
		{"logrus-json+metlog-heka", &logrus.JSONFormatter{}, true, core.FormatHeka},
		{"metlog-only", logrusmetlog.DiscardFormatter{}, true, core.FormatJSON},
		{"metlog-only-heka", logrusmetlog.DiscardFormatter{}, true, core.FormatHeka},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, su := range setups {
				b.Run(su.name, func(b *testing.B) {
					logger := &logrus.Logger{
						Out:       io.Discard,
						Formatter: su.formatter,
						Hooks:     make(logrus.LevelHooks),
						Level:     logrus.DebugLevel,
					}
					var c *core.Client
					if su.hook {
						var err error
						c, err = core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(su.format), core.WithLogger("bench"))
						if err != nil {
							b.Fatal(err)
						}
						logger.AddHook(logrusmetlog.NewHook(c))
					}
					runParallel(b, sc.call(logger))
					if c != nil {
						b.ReportMetric(float64(c.Stats().Drops.Full)/float64(b.N), "drops/op")
						if err := c.Close(context.Background()); err != nil {
							b.Error(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkFire measures the hook alone on a prepared entry: conversion,
// encoding and enqueueing, without logrus's own work.
func BenchmarkFire(b *testing.B) {
	for _, f := range formats {
		for _, sc := range []struct {
			name string
			data logrus.Fields
		}{{"static", nil}, {"10fields", tenFields()}} {
			b.Run(f.String()+"/"+sc.name, func(b *testing.B) {
				c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(f), core.WithLogger("bench"))
				if err != nil {
					b.Fatal(err)
				}
				h := logrusmetlog.NewHook(c)
				e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchMessage}
				runParallel(b, func() { _ = h.Fire(e) })
				b.ReportMetric(float64(c.Stats().Drops.Full)/float64(b.N), "drops/op")
				if err := c.Close(context.Background()); err != nil {
					b.Error(err)
				}
			})
		}
	}
}

// runParallel runs call in parallel as zap's benchmarks do, reporting
// allocations and the process's CPU time per call.
func runParallel(b *testing.B, call func()) {
	b.ReportAllocs()
	cpu0, _ := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call()
		}
	})
	b.StopTimer()
	if cpu1, ok := processCPU(); ok {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkConvert measures the hook's own work: converting the entry,
// without encoding it (the client's filter rejects every message after
// the hook has built it).
func BenchmarkConvert(b *testing.B) {
	for _, sc := range []struct {
		name string
		data logrus.Fields
	}{{"static", nil}, {"10fields", tenFields()}} {
		b.Run(sc.name, func(b *testing.B) {
			c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
				core.WithFilter(func(*core.Message) bool { return false }))
			if err != nil {
				b.Fatal(err)
			}
			h := logrusmetlog.NewHook(c)
			e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchMessage}
			runParallel(b, func() { _ = h.Fire(e) })
			if st := c.Stats(); st.Enqueued != 0 {
				b.Errorf("%d messages enqueued, want none", st.Enqueued)
			}
			if err := c.Close(context.Background()); err != nil {
				b.Error(err)
			}
		})
	}
}
