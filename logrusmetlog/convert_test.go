package logrusmetlog_test

import (
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

// TestLogrusValues checks logrus's own types through the hook: a slice of
// logrus.Level (a Stringer and TextMarshaler) and nil logrus.Fields.
// core/any_test.go covers the conversion of every other kind of value.
func TestLogrusValues(t *testing.T) {
	data := logrus.Fields{
		"levels":     []logrus.Level{logrus.InfoLevel, logrus.ErrorLevel},
		"nil_fields": logrus.Fields(nil),
	}
	want := map[string]any{
		"levels":     []any{"info", "error"},
		"nil_fields": nil,
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			logger.WithFields(data).Info("conversions")
			got := metlogtest.DecodedFields(metlogtest.One(t, c, capt))
			metlogtest.CompareFlat(t, "conversions", got, want, f == core.FormatHeka)
		})
	}
}

// A value too big for a message is dropped and counted; logging goes on.
func TestHugeValue(t *testing.T) {
	c, capt := metlogtest.NewClient(t, core.FormatJSON, core.WithMaxMessageSize(4096))
	logger := newLogger()
	logger.AddHook(logrusmetlog.NewHook(c))
	logger.WithField("huge", strings.Repeat("x", 1<<20)).Info("huge")
	logger.Info("after")
	msgs := metlogtest.Messages(t, c, capt)
	if len(msgs) != 1 || msgs[0].Payload != "after" {
		t.Fatalf("%d messages", len(msgs))
	}
	if st := c.Stats(); st.Drops.Oversize != 1 {
		t.Errorf("oversize drops %d, want 1", st.Drops.Oversize)
	}
}
