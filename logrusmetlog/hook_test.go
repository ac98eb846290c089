package logrusmetlog_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
	logrustest "github.com/sirupsen/logrus/hooks/test"
)

var (
	t0      = benchfields.LogrusTime()
	oneUser = &metlogtest.User{Name: "Jane Doe", Email: "jane@example.com", CreatedAt: t0}
)

type nilSlices struct {
	B  []byte
	S  []string
	I  []int
	I6 []int64
	F  []float64
	Bo []bool
	BS [][]byte
	T  []time.Time
	E  []error
}

// wantSeverity is the level mapping of the package documentation.
// wantSeverity holds the syslog numbers of the design's level mapping.
var wantSeverity = map[logrus.Level]int{
	logrus.TraceLevel: 7, logrus.DebugLevel: 7, logrus.InfoLevel: 6, logrus.WarnLevel: 4,
	logrus.ErrorLevel: 3, logrus.PanicLevel: 1, logrus.FatalLevel: 0,
}

// logVariety logs entries of every level with values of many types.
func logVariety(logger *logrus.Logger) {
	logger.Info("static message")
	logger.WithFields(benchfields.Logrus()).Warn("ten fields")
	logger.WithError(errors.New("boom")).Error("failed")
	logger.WithFields(logrus.Fields{
		"req": logrus.Fields{"method": "GET", "status": 200, "hdr": map[string]any{"ua": "x/1", "n": 2.5}},
		"by_value": metlogtest.Audit{By: oneUser, At: t0, Note: "n", Skip: "s", Took: time.Second,
			Tags: []string{"a"}, Raw: json.RawMessage(`{"a":[1,2]}`), Base: metlogtest.Base{ID: 7, Kind: "k"}}.WithHidden("h"),
		"by_ptr": &metlogtest.Audit{At: t0, Tags: []string{}, Raw: json.RawMessage(`"x"`)},
	}).Debug("nested")
	logger.WithFields(logrus.Fields{
		"bytes": []byte{0, 1, 2, 255}, "dur": 1500 * time.Millisecond, "f32": float32(0.1), "f64": 2.5,
		"neg": -7, "u8": uint8(200), "u64": uint64(1 << 40), "bad": "a\xffb\x00c\"", "nilval": nil,
		"nilptr": (*metlogtest.User)(nil), "arr": [3]int{1, 2, 3}, "grid": [][]int{{1, 2}, {3}},
		"m_int": map[int]string{2: "b", 1: "a"}, "m_si": map[string]int{"x": 1, "y": -1},
		"ms": map[string]string{"k": "v", "a": "b"}, "empty": []string{}, "raw": json.RawMessage(`{"a":[1,2]}`),
		"bools": []bool{true, false}, "floats": []float64{1.5, -2}, "i64s": []int64{-1, 1 << 40},
		"bs": [][]byte{{1}, {2, 3}}, "": "empty key", "named": []uint16{1, 2},
	}).Trace("scalars")
	logger.WithFields(logrus.Fields{
		"users_by_value": []metlogtest.User{*oneUser, {Name: "b"}},
		"nil_b":          []byte(nil),
		"nil_i":          []int(nil),
		"nil_t":          []time.Time(nil),
		"users_with_nil": []*metlogtest.User{oneUser, nil},
		"user_array":     [2]metlogtest.User{*oneUser},
		"omit_ptr":       &metlogtest.Omit{A: 0, S: []int{1}, M: "m"},
		"omit_zero_ptr":  &metlogtest.Omit{},
		"nil_slices":     &nilSlices{},
		"nil_top":        []string(nil),
		"nested_fields":  &struct{ F logrus.Fields }{F: logrus.Fields{"b": 1, "a": map[string]string{"y": "1", "x": "2"}}},
		"all_scalars":    &metlogtest.Scalars{I8: -8, I16: -16, I32: -32, I64: -64, U: 1, U8: 8, U16: 16, U32: 32, U64: 64, UP: 7, F32: 0.25, F64: -1.5, B: true, D: time.Millisecond, T: t0, S: "s", N: metlogtest.Level(3)},
		"all_zero":       &metlogtest.Scalars{},
	}).Info("structs")
	logger.ReportCaller = true
	logger.WithField("k", "v").Info("with caller")
	logger.ReportCaller = false
	func() {
		defer func() { _ = recover() }()
		logger.WithField("p", true).Panic("panic level")
	}()
	logger.ExitFunc = func(int) {}
	logger.Fatal("fatal level")
}

// TestMatchesTestHook logs entries to logrus's test hook and ours, then
// checks every decoded message against the entry the test hook recorded.
func TestMatchesTestHook(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			rec := logrustest.NewLocal(logger)
			logger.AddHook(logrusmetlog.NewHook(c))
			logVariety(logger)

			entries := rec.AllEntries()
			msgs := metlogtest.Messages(t, c, capt)
			if len(entries) != 9 || len(msgs) != len(entries) {
				t.Fatalf("%d entries and %d messages, want 9 of each", len(entries), len(msgs))
			}
			for i, e := range entries {
				m := msgs[i]
				what := e.Message
				if m.Payload != e.Message {
					t.Errorf("%s: payload %q", what, m.Payload)
				}
				if m.Severity.Number() != wantSeverity[e.Level] {
					t.Errorf("%s: severity %d, want %d for %s", what, m.Severity.Number(), wantSeverity[e.Level], e.Level)
				}
				if m.Type != "oldstyle" || m.Logger != "test" {
					t.Errorf("%s: type %q logger %q", what, m.Type, m.Logger)
				}
				want := e.Time
				if f == core.FormatJSON {
					want = want.Truncate(time.Microsecond) // the envelope's precision
				}
				if !m.Timestamp.Equal(want) {
					t.Errorf("%s: timestamp %v, want %v", what, m.Timestamp, want)
				}
				metlogtest.CompareFlat(t, what, metlogtest.DecodedFields(m), expectedFields(t, e), f == core.FormatHeka)
			}
		})
	}
}

// TestNested checks the shape of groups: nested objects in JSON, dotted
// names in Heka.
func TestNested(t *testing.T) {
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			logger := newLogger()
			logger.AddHook(logrusmetlog.NewHook(c))
			logger.WithField("user", oneUser).Info("x")
			want := "user.name,user.email,user.created_at"
			if f == core.FormatJSON {
				want = "user,  name,  email,  created_at"
			}
			if got := metlogtest.FieldNames(metlogtest.One(t, c, capt)); got != want {
				t.Errorf("fields %s, want %s", got, want)
			}
		})
	}
}
