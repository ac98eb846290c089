package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/metlog-go/metlog/bench/internal/slogfan"
	"github.com/metlog-go/metlog/core"
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
// metlog-go's adapter packages define them for their own benchmarks.
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

// ---- slog (fields of slogmetlog's benchmarks, after zap's benchmarks/slog_test.go)

var (
	slogMsg   = "Test logging, but use a somewhat realistic message length."
	slogInts  = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	slogStrs  = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	slogTimes = func() []time.Time {
		ts := make([]time.Time, 10)
		for i := range ts {
			ts[i] = time.Unix(int64(i), 0)
		}
		return ts
	}()
	slogUser   = newSlogUser(0)
	slogUsers  = newSlogUsers()
	slogErr    = errors.New("fail")
	slogFields = []any{
		"int", slogInts[0],
		"ints", slogInts,
		"string", slogStrs[0],
		"strings", slogStrs,
		"time", slogTimes[0],
		"times", slogTimes,
		"user1", slogUser,
		"user2", slogUser,
		"users", slogUsers,
		"error", slogErr,
	}
)

// slogUserT is zap's benchmark user; its LogValue is built once.
type slogUserT struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	value     slog.Value
}

func newSlogUser(i int) *slogUserT {
	u := &slogUserT{Name: "Jane Doe " + strconv.Itoa(i), Email: "jane@test.com", CreatedAt: time.Unix(0, 0)}
	u.value = slog.GroupValue(slog.String("name", u.Name), slog.String("email", u.Email), slog.Time("created_at", u.CreatedAt))
	return u
}

func (u *slogUserT) LogValue() slog.Value { return u.value }

// slogUsersT is zap's list of ten users, a group keyed by index.
type slogUsersT struct{ value slog.Value }

func newSlogUsers() slogUsersT {
	attrs := make([]slog.Attr, 10)
	for i := range attrs {
		attrs[i] = slog.Any(strconv.Itoa(i), newSlogUser(i))
	}
	return slogUsersT{slog.GroupValue(attrs...)}
}

func (u slogUsersT) LogValue() slog.Value { return u.value }

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
		return func() { l.Info(slogMsg) }
	case tenFields:
		return func() { l.Info(slogMsg, slogFields...) }
	case context10:
		l = l.With(slogFields...)
		return func() { l.Info(slogMsg) }
	}
	return func() { l.Debug(slogMsg) }
}

// ---- zap (fields of zapmetlog's benchmarks)

type zapUser struct {
	Name, Email string
	CreatedAt   time.Time
}

func (u *zapUser) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddInt64("created_at", u.CreatedAt.UnixNano())
	return nil
}

var (
	zapMsg     = "Go fast, or do not go."
	zapInts    = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	zapStrings = []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	zapTimes   = func() []time.Time {
		ts := make([]time.Time, 10)
		for i := range ts {
			ts[i] = time.Date(2024, 1, i+1, 12, 30, i, 1000*i, time.UTC)
		}
		return ts
	}()
	zapUser1    = &zapUser{"Jane Doe", "jane@example.com", time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	zapUserList = func() []*zapUser {
		us := make([]*zapUser, 10)
		for i := range us {
			us[i] = zapUser1
		}
		return us
	}()
	zapErr = errors.New("fail")
)

func zapFields() []zap.Field {
	return []zap.Field{
		zap.Int("int", zapInts[0]),
		zap.Ints("ints", zapInts),
		zap.String("string", zapStrings[0]),
		zap.Strings("strings", zapStrings),
		zap.Time("time", zapTimes[0]),
		zap.Times("times", zapTimes),
		zap.Object("user", zapUser1),
		zap.Objects("users", zapUserList),
		zap.Error(zapErr),
		zap.Duration("duration", time.Second),
	}
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
		return func() { l.Info(zapMsg) }
	case tenFields:
		return func() { l.Info(zapMsg, zapFields()...) }
	case context10:
		l = l.With(zapFields()...)
		return func() { l.Info(zapMsg) }
	}
	return func() { l.Debug(zapMsg) }
}

// ---- logrus (fields of logrusmetlog's benchmarks)

type logrusUser struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

var (
	logrusMsg      = "Test logging, but use a somewhat realistic message length."
	logrusT0       = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	logrusUser1    = &logrusUser{Name: "Jane Doe", Email: "jane@example.com", CreatedAt: logrusT0}
	logrusUserList = func() []*logrusUser {
		us := make([]*logrusUser, 10)
		for i := range us {
			us[i] = &logrusUser{Name: "user" + string(rune('a'+i)), Email: "u@example.com", CreatedAt: logrusT0.Add(time.Duration(i) * time.Hour)}
		}
		return us
	}()
)

func logrusFields() logrus.Fields {
	return logrus.Fields{
		"int":     1,
		"ints":    []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		"string":  "a string",
		"strings": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
		"time":    logrusT0,
		"times":   []time.Time{logrusT0, logrusT0.Add(time.Second), logrusT0.Add(time.Minute)},
		"user1":   logrusUser1,
		"user2":   logrusUser1,
		"users":   logrusUserList,
		"error":   errors.New("fail"),
	}
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
		return func() { l.Info(logrusMsg) }
	case tenFields:
		return func() { l.WithFields(logrusFields()).Info(logrusMsg) }
	case context10:
		e := l.WithFields(logrusFields())
		return func() { e.Info(logrusMsg) }
	}
	return func() { l.Debug(logrusMsg) }
}

// ---- zerolog (fields of zerologmetlog's benchmarks)

const zerologMsg = "Log a message of the length a real service would log. (#0)"

type zerologUser struct {
	Name, Email string
	CreatedAt   time.Time
}

func (u *zerologUser) MarshalZerologObject(e *zerolog.Event) {
	e.Str("name", u.Name).Str("email", u.Email).Int64("createdAt", u.CreatedAt.UnixNano())
}

type zerologUsers []*zerologUser

func (uu zerologUsers) MarshalZerologArray(a *zerolog.Array) {
	for _, u := range uu {
		a.Object(u)
	}
}

var (
	zerologErr     = errors.New("fail")
	zerologInts    = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}
	zerologStrings = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	zerologTimes   = []time.Time{
		time.Unix(0, 0), time.Unix(1, 0), time.Unix(2, 0), time.Unix(3, 0), time.Unix(4, 0),
		time.Unix(5, 0), time.Unix(6, 0), time.Unix(7, 0), time.Unix(8, 0), time.Unix(9, 0),
	}
	zerologUser1    = &zerologUser{Name: "Jane Doe", Email: "jane@test.com", CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	zerologUserList = zerologUsers{zerologUser1, zerologUser1, zerologUser1, zerologUser1, zerologUser1,
		zerologUser1, zerologUser1, zerologUser1, zerologUser1, zerologUser1}
)

func zerologFields(e *zerolog.Event) *zerolog.Event {
	return e.Int("int", zerologInts[0]).
		Ints("ints", zerologInts).
		Str("string", zerologStrings[0]).
		Strs("strings", zerologStrings).
		Time("time", zerologTimes[0]).
		Times("times", zerologTimes).
		Object("user1", zerologUser1).
		Object("user2", zerologUser1).
		Array("users", zerologUserList).
		Err(zerologErr)
}

func zerologContext(c zerolog.Context) zerolog.Context {
	return c.Int("int", zerologInts[0]).
		Ints("ints", zerologInts).
		Str("string", zerologStrings[0]).
		Strs("strings", zerologStrings).
		Time("time", zerologTimes[0]).
		Times("times", zerologTimes).
		Object("user1", zerologUser1).
		Object("user2", zerologUser1).
		Array("users", zerologUserList).
		Err(zerologErr)
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
		return func() { l.Info().Msg(zerologMsg) }
	case tenFields:
		return func() { zerologFields(l.Info()).Msg(zerologMsg) }
	case context10:
		l = zerologContext(l.With()).Logger()
		return func() { l.Info().Msg(zerologMsg) }
	}
	return func() { l.Debug().Msg(zerologMsg) }
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
