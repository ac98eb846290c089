package logrusmetlog_test

import (
	"io"
	"strconv"
	"testing"

	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/sirupsen/logrus"
)

// newLogger returns a logrus logger writing nothing, at Trace level.
func newLogger() *logrus.Logger {
	l := logrus.New()
	l.Out = io.Discard
	l.Level = logrus.TraceLevel
	return l
}

// expectedFields is the oracle: the fields an entry should produce,
// derived from the entry by encoding/json (as logrus's JSONFormatter
// writes Data: errors as their text) and from its Caller.
func expectedFields(t testing.TB, e *logrus.Entry) map[string]any {
	t.Helper()
	data := make(map[string]any, len(e.Data))
	for k, v := range e.Data {
		if err, ok := v.(error); ok {
			v = err.Error()
		}
		data[k] = v
	}
	out := metlogtest.JSONOracle(t, data)
	if c := e.Caller; c != nil {
		out["source.file"] = c.File
		out["source.line"] = metlogtest.Num(strconv.Itoa(c.Line))
		out["source.function"] = c.Function
	}
	return out
}

func mustInt(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(metlogtest.Num)
	if !ok {
		t.Fatalf("%#v is not a number", v)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return i
}
