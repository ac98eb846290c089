package bench

import (
	"context"
	"io"
	"log/slog"

	"github.com/metlog-go/metlog/bench/internal/slogfan"
	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otellogrus"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/contrib/bridges/otelzap"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The scenarios of zap's benchmark suite, with each framework's fields as
// internal/benchfields holds them for metlog-go's own benchmarks too.
const (
	static    = "static"    // a static message
	tenFields = "10fields"  // a message with 10 fields
	context10 = "10context" // a logger holding the 10 fields as context
	disabled  = "disabled"  // a message at a disabled level (Debug, loggers at Info)
)

var scenarios = []string{static, tenFields, context10, disabled}

// sinks are what a logger writes to. Every logger is at Info level.
type sinks struct {
	w    io.Writer              // the framework's native JSON output
	c    *core.Client           // metlog-go's adapter
	otel *sdklog.LoggerProvider // the framework's OpenTelemetry bridge
}

// framework builds loggers of one logging library.
type framework struct {
	name string
	// otel says whether the framework has an official OpenTelemetry bridge.
	otel bool
	// call returns one logging call of scenario sc on a logger writing to
	// every sink of s: the native output and our adapter together are the
	// tee rows.
	call func(s sinks, sc string) func()
}

var frameworks = []framework{
	{"slog", true, slogCall},
	{"zap", true, zapCall},
	{"logrus", true, logrusCall},
	{"zerolog", false, zerologCall}, // no official OpenTelemetry bridge
}

// bridgeName is the instrumentation scope name given to the OTel bridges.
const bridgeName = "github.com/metlog-go/metlog/bench"

// ---- slog, zap, logrus and zerolog: each with the fields and message of
// internal/benchfields, which metlog-go's adapter benchmarks log too.

// slogFields are built once: slog's benchmarks pass one slice to every call.
var slogFields = benchfields.Slog()

func slogCall(s sinks, sc string) func() {
	var hs []slog.Handler
	if s.w != nil {
		hs = append(hs, slog.NewJSONHandler(s.w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if s.c != nil {
		hs = append(hs, slogmetlog.NewHandler(s.c, &slogmetlog.Options{Level: slog.LevelInfo}))
	}
	if s.otel != nil {
		hs = append(hs, otelslog.NewHandler(bridgeName, otelslog.WithLoggerProvider(s.otel)))
	}
	var h slog.Handler = slogfan.New(hs...)
	if len(hs) == 1 {
		h = hs[0]
	}
	return slogScenario(slog.New(h), sc)
}

// slogScenario returns one logging call of scenario sc on l.
func slogScenario(l *slog.Logger, sc string) func() {
	switch sc {
	case static:
		return func() { l.Info(benchfields.SlogMessage) }
	case tenFields:
		return func() { l.Info(benchfields.SlogMessage, slogFields...) }
	case context10:
		l = l.With(slogFields...)
		return func() { l.Info(benchfields.SlogMessage) }
	}
	return func() { l.Debug(benchfields.SlogMessage) }
}

func zapCall(s sinks, sc string) func() {
	var cores []zapcore.Core
	if s.w != nil {
		// A locked writer, as zap.Open and zap's production config give.
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		cores = append(cores, zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(s.w)), zap.InfoLevel))
	}
	if s.c != nil {
		cores = append(cores, zapmetlog.NewCore(s.c, zap.InfoLevel))
	}
	if s.otel != nil {
		cores = append(cores, otelzap.NewCore(bridgeName, otelzap.WithLoggerProvider(s.otel)))
	}
	return zapScenario(zap.New(zapcore.NewTee(cores...)), sc)
}

// zapScenario returns one logging call of scenario sc on l.
func zapScenario(l *zap.Logger, sc string) func() {
	switch sc {
	case static:
		return func() { l.Info(benchfields.ZapMessage) }
	case tenFields:
		return func() { l.Info(benchfields.ZapMessage, benchfields.Zap()...) }
	case context10:
		l = l.With(benchfields.Zap()...)
		return func() { l.Info(benchfields.ZapMessage) }
	}
	return func() { l.Debug(benchfields.ZapMessage) }
}

func logrusCall(s sinks, sc string) func() {
	l := &logrus.Logger{
		Out:       io.Discard,
		Formatter: logrusmetlog.DiscardFormatter{}, // a hook is the only sink: no formatting
		Hooks:     make(logrus.LevelHooks),
		Level:     logrus.InfoLevel,
	}
	if s.w != nil {
		l.Out = s.w
		l.Formatter = &logrus.JSONFormatter{}
	}
	if s.c != nil {
		l.AddHook(logrusmetlog.NewHook(s.c))
	}
	if s.otel != nil {
		l.AddHook(otellogrus.NewHook(bridgeName, otellogrus.WithLoggerProvider(s.otel)))
	}
	return logrusScenario(l, sc)
}

// logrusScenario returns one logging call of scenario sc on l.
func logrusScenario(l *logrus.Logger, sc string) func() {
	switch sc {
	case static:
		return func() { l.Info(benchfields.LogrusMessage) }
	case tenFields:
		return func() { l.WithFields(benchfields.Logrus()).Info(benchfields.LogrusMessage) }
	case context10:
		e := l.WithFields(benchfields.Logrus())
		return func() { e.Info(benchfields.LogrusMessage) }
	}
	return func() { l.Debug(benchfields.LogrusMessage) }
}

func zerologCall(s sinks, sc string) func() {
	var w io.Writer
	switch {
	case s.w != nil && s.c != nil:
		w = zerolog.MultiLevelWriter(s.w, zerologmetlog.NewWriter(s.c))
	case s.c != nil:
		w = zerologmetlog.NewWriter(s.c)
	case s.w != nil:
		w = s.w
	default:
		panic("zerolog: no official OpenTelemetry bridge")
	}
	return zerologScenario(w, sc)
}

// zerologScenario returns one logging call of scenario sc on a logger
// writing to w.
func zerologScenario(w io.Writer, sc string) func() {
	l := zerolog.New(w).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	switch sc {
	case static:
		return func() { l.Info().Msg(benchfields.ZerologMessage) }
	case tenFields:
		return func() { benchfields.Zerolog(l.Info()).Msg(benchfields.ZerologMessage) }
	case context10:
		l = benchfields.Zerolog(l.With()).Logger()
		return func() { l.Info().Msg(benchfields.ZerologMessage) }
	}
	return func() { l.Debug().Msg(benchfields.ZerologMessage) }
}

// minSeverity passes to its processor only records at least as severe as
// min, and says so in Enabled, so that the bridges skip disabled levels
// before building a record: the OpenTelemetry SDK's way of setting a level
// (as contrib's minsev processor does).
type minSeverity struct {
	sdklog.Processor
	min otellog.Severity
}

func (p minSeverity) Enabled(ctx context.Context, param sdklog.EnabledParameters) bool {
	if param.Severity != 0 && param.Severity < p.min {
		return false
	}
	return p.Processor.Enabled(ctx, param)
}

func (p minSeverity) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if s := r.Severity(); s != 0 && s < p.min {
		return nil
	}
	return p.Processor.OnEmit(ctx, r)
}
