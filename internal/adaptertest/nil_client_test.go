package adaptertest_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/metrics"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestNilClientDiscards: every adapter given a nil client discards what it
// is given, as metrics.New(nil) does, instead of panicking on the first
// record (slogmetlog.NewHandler(nil, nil) did).
func TestNilClientDiscards(t *testing.T) {
	var c *core.Client
	ctx := context.Background()

	h := slogmetlog.NewHandler(c, nil)
	if h.Enabled(ctx, slog.LevelError) {
		t.Error("a slog handler on a nil client is enabled")
	}
	sl := slog.New(h)
	sl.Error("dropped", "k", 1)
	sl.With("a", 1).WithGroup("g").Info("dropped")
	if err := h.Handle(ctx, slog.NewRecord(t0, slog.LevelInfo, "handled directly", 0)); err == nil {
		t.Error("Handle on a nil client reported no error")
	}

	zl := zap.New(zapmetlog.NewCore(c, zapcore.DebugLevel))
	zl.Info("dropped", zap.Int("k", 1))
	zl.With(zap.String("a", "b")).Warn("dropped")
	if err := zl.Sync(); err != nil {
		t.Errorf("zap Sync on a nil client: %v", err)
	}

	lg := logrus.New()
	lg.Out = io.Discard
	lg.AddHook(logrusmetlog.NewHook(c))
	lg.WithField("k", 1).Error("dropped")

	zw := zerologmetlog.NewWriter(c)
	zlog := zerolog.New(zw)
	zlog.Error().Int("k", 1).Msg("dropped")
	if n, err := zw.Write([]byte("not json")); n != 8 || err != nil {
		t.Errorf("zerolog Write on a nil client = %d, %v", n, err)
	}
	if err := zw.Close(); err != nil {
		t.Errorf("zerolog Close on a nil client: %v", err)
	}

	m := metrics.New(c)
	m.Incr("dropped", 1)
	if err := m.Close(ctx); err != nil {
		t.Errorf("metrics Close on a nil client: %v", err)
	}
}
