package logrusmetlog_test

import (
	"context"
	"io"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

// BenchmarkHook runs zap's scenarios (a static message, 10 fields per
// call, 10 fields of context) through a logger whose only destination is
// our hook (DiscardFormatter spares logrus its own formatting), in each
// wire format, to a client that discards what it sends. Besides the wall
// clock it reports cpu-ns/op, the process's CPU time per call including
// the delivery of the backlog after the timed loop. The comparisons with
// logrus's JSONFormatter, with a hook that does nothing and with the hook
// converting only are the bench module's (BenchmarkParts/logrus).
func BenchmarkHook(b *testing.B) {
	scenarios := []struct {
		name string
		call func(*logrus.Logger) func() // returns one logging call
	}{
		{"static", func(l *logrus.Logger) func() {
			return func() { l.Info(benchfields.LogrusMessage) }
		}},
		{"10fields", func(l *logrus.Logger) func() {
			return func() { l.WithFields(benchfields.Logrus()).Info(benchfields.LogrusMessage) }
		}},
		{"10context", func(l *logrus.Logger) func() {
			e := l.WithFields(benchfields.Logrus())
			return func() { e.Info(benchfields.LogrusMessage) }
		}},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, f := range metlogtest.Formats {
				c := metlogtest.BenchClient(b, f)
				logger := &logrus.Logger{
					Out:       io.Discard,
					Formatter: logrusmetlog.DiscardFormatter{},
					Hooks:     make(logrus.LevelHooks),
					Level:     logrus.DebugLevel,
				}
				logger.AddHook(logrusmetlog.NewHook(c))
				b.Run("metlog-"+f.String(), func(b *testing.B) {
					metlogtest.RunParallel(b, c, sc.call(logger))
				})
			}
		})
	}
}

// BenchmarkFire measures the hook alone on a prepared entry: conversion,
// encoding and enqueueing, without logrus's own work.
func BenchmarkFire(b *testing.B) {
	for _, f := range metlogtest.Formats {
		c := metlogtest.BenchClient(b, f)
		h := logrusmetlog.NewHook(c)
		for _, sc := range []struct {
			name string
			data logrus.Fields
		}{{"static", nil}, {"10fields", benchfields.Logrus()}} {
			b.Run(f.String()+"/"+sc.name, func(b *testing.B) {
				e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchfields.LogrusMessage}
				metlogtest.RunParallel(b, c, func() { _ = h.Fire(e) })
			})
		}
	}
}

// BenchmarkConvert measures the hook's own work: converting the entry,
// without encoding it (the client's filter rejects every message after
// the hook has built it).
func BenchmarkConvert(b *testing.B) {
	for _, sc := range []struct {
		name string
		data logrus.Fields
	}{{"static", nil}, {"10fields", benchfields.Logrus()}} {
		b.Run(sc.name, func(b *testing.B) {
			c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
				core.WithFilter(func(*core.Message) bool { return false }))
			if err != nil {
				b.Fatal(err)
			}
			h := logrusmetlog.NewHook(c)
			e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchfields.LogrusMessage}
			metlogtest.RunParallel(b, nil, func() { _ = h.Fire(e) })
			if st := c.Stats(); st.Enqueued != 0 {
				b.Errorf("%d messages enqueued, want none", st.Enqueued)
			}
			if err := c.Close(context.Background()); err != nil {
				b.Error(err)
			}
		})
	}
}
