// Package benchfields holds the fields of zap's benchmark suite (an int,
// ints, a string, strings, a time, times, a user, ten users, an error and,
// for zap, a duration) as each logging framework takes them, with each
// framework's message. The adapter packages' benchmarks and allocation
// tests and the bench module's comparisons log the same values through
// them.
package benchfields

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ---- slog (after zap's benchmarks/slog_test.go)

// SlogMessage is the message of the slog benchmarks.
const SlogMessage = "Test logging, but use a somewhat realistic message length."

// Slog returns the ten fields as slog's key-value arguments; users are
// groups. Build them once, outside a timed loop.
func Slog() []any {
	ints := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	strs := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	times := make([]time.Time, 10)
	for i := range times {
		times[i] = time.Unix(int64(i), 0)
	}
	user := newSlogUser(0)
	users := make([]slog.Attr, 10)
	for i := range users {
		users[i] = slog.Any(strconv.Itoa(i), newSlogUser(i))
	}
	return []any{
		"int", ints[0],
		"ints", ints,
		"string", strs[0],
		"strings", strs,
		"time", times[0],
		"times", times,
		"user1", user,
		"user2", user,
		"users", slogUsers{slog.GroupValue(users...)},
		"error", errors.New("fail"),
	}
}

// slogUser is zap's benchmark user. Its LogValue returns a value built
// once: every resolving handler calls it, and an allocating LogValue would
// add the same allocation to each of them.
type slogUser struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	value     slog.Value
}

func newSlogUser(i int) *slogUser {
	u := &slogUser{Name: "Jane Doe " + strconv.Itoa(i), Email: "jane@test.com", CreatedAt: time.Unix(0, 0)}
	u.value = slog.GroupValue(slog.String("name", u.Name), slog.String("email", u.Email), slog.Time("created_at", u.CreatedAt))
	return u
}

func (u *slogUser) LogValue() slog.Value { return u.value }

// slogUsers is zap's list of ten users, a group keyed by index.
type slogUsers struct{ value slog.Value }

func (u slogUsers) LogValue() slog.Value { return u.value }

// ---- zap

// ZapMessage is the message of the zap benchmarks.
const ZapMessage = "Go fast, or do not go."

// Zap returns the ten fields and a duration, as zap's benchmarks build
// them on every call.
func Zap() []zap.Field {
	return []zap.Field{
		zap.Int("int", zapInts[0]),
		zap.Ints("ints", zapInts[:]),
		zap.String("string", zapStrings[0]),
		zap.Strings("strings", zapStrings[:]),
		zap.Time("time", zapTime(0)),
		zap.Times("times", zapTimes()),
		zap.Object("user", zapUser1),
		zap.Objects("users", zapUserList()),
		zap.Error(errFail),
		zap.Duration("duration", time.Second),
	}
}

// zapUser is zap's benchmark user, logged as an object.
type zapUser struct {
	Name, Email string
	CreatedAt   time.Time
}

// MarshalLogObject writes the user's fields; the time in nanoseconds.
func (u *zapUser) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddInt64("created_at", u.CreatedAt.UnixNano())
	return nil
}

var (
	// Read only: the values Zap logs.
	zapInts    = [...]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	zapStrings = [...]string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	zapUser1   = &zapUser{"Jane Doe", "jane@example.com", time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	errFail    = errors.New("fail")
)

func zapTime(i int) time.Time { return time.Date(2024, 1, i+1, 12, 30, i, 1000*i, time.UTC) }

func zapTimes() []time.Time {
	ts := make([]time.Time, 10)
	for i := range ts {
		ts[i] = zapTime(i)
	}
	return ts
}

func zapUserList() []*zapUser {
	us := make([]*zapUser, 10)
	for i := range us {
		us[i] = zapUser1
	}
	return us
}

// Core returns Zap's fields as core's fields, built once as zap's With
// and the adapters' pooled entries build them. core has no array of
// objects, so the ten users are a group keyed by index, as slogmetlog and
// logrusmetlog send them; times are RFC 3339 strings.
func Core() []core.Field {
	user := func(u *zapUser) []core.Field {
		return []core.Field{
			core.String("name", u.Name),
			core.String("email", u.Email),
			core.Int64("created_at", u.CreatedAt.UnixNano()),
		}
	}
	ints := make([]int64, len(zapInts))
	for i, v := range zapInts {
		ints[i] = int64(v)
	}
	times := make([]string, 10)
	for i := range times {
		times[i] = zapTime(i).Format(time.RFC3339Nano)
	}
	users := make([]core.Field, 10)
	for i := range users {
		users[i] = core.Group(strconv.Itoa(i), user(zapUser1)...)
	}
	return []core.Field{
		core.Int("int", zapInts[0]),
		core.Ints("ints", ints),
		core.String("string", zapStrings[0]),
		core.Strings("strings", zapStrings[:]),
		core.Time("time", zapTime(0)),
		core.Strings("times", times),
		core.Group("user", user(zapUser1)...),
		core.Group("users", users...),
		core.String("error", errFail.Error()),
		core.Duration("duration", time.Second),
	}
}

// ---- logrus

// LogrusMessage is the message of the logrus benchmarks.
const LogrusMessage = "Test logging, but use a somewhat realistic message length."

// LogrusTime returns the time of the logrus fields.
func LogrusTime() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC) }

// Logrus returns the ten fields as logrus.Fields; users are structs.
func Logrus() logrus.Fields {
	t0 := LogrusTime()
	user := &metlogtest.User{Name: "Jane Doe", Email: "jane@example.com", CreatedAt: t0}
	users := make([]*metlogtest.User, 10)
	for i := range users {
		users[i] = &metlogtest.User{Name: "user" + string(rune('a'+i)), Email: "u@example.com", CreatedAt: t0.Add(time.Duration(i) * time.Hour)}
	}
	return logrus.Fields{
		"int":     1,
		"ints":    []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		"string":  "a string",
		"strings": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
		"time":    t0,
		"times":   []time.Time{t0, t0.Add(time.Second), t0.Add(time.Minute)},
		"user1":   user,
		"user2":   user,
		"users":   users,
		"error":   errors.New("fail"),
	}
}

// ---- zerolog

// ZerologMessage is the message of the zerolog benchmarks.
const ZerologMessage = "Log a message of the length a real service would log. (#0)"

// ZerologFields is what takes zerolog's fields: *zerolog.Event for one
// event, zerolog.Context for a logger's context.
type ZerologFields[T any] interface {
	Int(key string, i int) T
	Ints(key string, i []int) T
	Str(key, val string) T
	Strs(key string, vals []string) T
	Time(key string, t time.Time) T
	Times(key string, t []time.Time) T
	Object(key string, obj zerolog.LogObjectMarshaler) T
	Array(key string, arr zerolog.LogArrayMarshaler) T
	Err(err error) T
}

// Zerolog adds the ten fields to e, an event or a logger's context.
func Zerolog[T ZerologFields[T]](e T) T {
	return e.Int("int", zerologInts[0]).
		Ints("ints", zerologInts[:]).
		Str("string", zerologStrings[0]).
		Strs("strings", zerologStrings[:]).
		Time("time", time.Unix(0, 0)).
		Times("times", zerologTimes[:]).
		Object("user1", zerologUser1).
		Object("user2", zerologUser1).
		Array("users", zerologUserList).
		Err(errFail)
}

// zerologUser is zap's benchmark user for zerolog.
type zerologUser struct {
	Name, Email string
	CreatedAt   time.Time
}

// MarshalZerologObject writes the user's fields; the time in nanoseconds.
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
	// Read only: the values Zerolog logs.
	zerologInts    = [...]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}
	zerologStrings = [...]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	zerologTimes   = [...]time.Time{
		time.Unix(0, 0), time.Unix(1, 0), time.Unix(2, 0), time.Unix(3, 0), time.Unix(4, 0),
		time.Unix(5, 0), time.Unix(6, 0), time.Unix(7, 0), time.Unix(8, 0), time.Unix(9, 0),
	}
	zerologUser1    = &zerologUser{Name: "Jane Doe", Email: "jane@test.com", CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	zerologUserList = zerologUsers{zerologUser1, zerologUser1, zerologUser1, zerologUser1, zerologUser1,
		zerologUser1, zerologUser1, zerologUser1, zerologUser1, zerologUser1}
)
