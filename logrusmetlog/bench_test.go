package logrusmetlog_test

import (
	"context"
	"io"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
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
// clock it reports cpu-ns/op, the process's CPU time per call including
// the delivery of the backlog after the timed loop (the logging
// goroutines, the client's sender goroutine and the garbage collector),
// which a busy machine disturbs less.
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
	clients := map[core.Format]*core.Client{}
	for _, f := range metlogtest.Formats {
		clients[f] = metlogtest.BenchClient(b, f)
	}
	// The hook's conversion of the entry alone: its client's filter rejects
	// every message once the hook has built it, before encoding.
	convertOnly, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
		core.WithFilter(func(*core.Message) bool { return false }))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := convertOnly.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	// "logrus-json+noop-hook" separates what logrus itself spends on having
	// any hook (it copies its hook map under its logger mutex for every
	// entry) from what our hook costs.
	setups := []struct {
		name      string
		formatter logrus.Formatter
		client    *core.Client
		noop      bool
	}{
		{"logrus-json", &logrus.JSONFormatter{}, nil, false},
		{"logrus-json+noop-hook", &logrus.JSONFormatter{}, nil, true},
		{"logrus-json+metlog-convert-only", &logrus.JSONFormatter{}, convertOnly, false},
		{"logrus-json+metlog-json", &logrus.JSONFormatter{}, clients[core.FormatJSON], false},
		{"logrus-json+metlog-heka", &logrus.JSONFormatter{}, clients[core.FormatHeka], false},
		{"metlog-only", logrusmetlog.DiscardFormatter{}, clients[core.FormatJSON], false},
		{"metlog-only-heka", logrusmetlog.DiscardFormatter{}, clients[core.FormatHeka], false},
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
					if su.client != nil {
						logger.AddHook(logrusmetlog.NewHook(su.client))
					}
					if su.noop {
						logger.AddHook(noopHook{})
					}
					metlogtest.RunParallel(b, su.client, sc.call(logger))
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
		}{{"static", nil}, {"10fields", tenFields()}} {
			b.Run(f.String()+"/"+sc.name, func(b *testing.B) {
				e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchMessage}
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
	}{{"static", nil}, {"10fields", tenFields()}} {
		b.Run(sc.name, func(b *testing.B) {
			c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)),
				core.WithFilter(func(*core.Message) bool { return false }))
			if err != nil {
				b.Fatal(err)
			}
			h := logrusmetlog.NewHook(c)
			e := &logrus.Entry{Logger: newLogger(), Data: sc.data, Time: t0, Level: logrus.InfoLevel, Message: benchMessage}
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

// noopHook fires on every level and does nothing.
type noopHook struct{}

func (noopHook) Levels() []logrus.Level   { return logrus.AllLevels }
func (noopHook) Fire(*logrus.Entry) error { return nil }
