// Package adaptertest_test checks the adapters against each other: the
// same value logged through zap, slog and logrus gives the same fields,
// those of core.Entry.AddAny, in both wire formats.
package adaptertest_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/metlog-go/metlog/slogmetlog"
	"github.com/metlog-go/metlog/zapmetlog"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"
	"go.uber.org/zap"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

type Base struct {
	ID   int    `json:"id"`
	Kind string `json:"kind,omitempty"`
}

type Named struct {
	Name string `json:"name"`
}

type user struct {
	Base
	Named
	Name    string         `json:"name"` // wins over Named's
	Age     int            `json:"age"`
	Email   string         `json:"email,omitempty"`
	Score   float64        `json:"score,omitempty"`
	Joined  time.Time      `json:"joined"`
	Left    time.Time      `json:"left,omitzero"`
	Tags    []string       `json:"tags"`
	Count   int64          `json:"count,string"`
	Manager *user          `json:"manager,omitempty"`
	Meta    map[string]any `json:"meta"`
	Skip    string         `json:"-"`
}

// adapters log the field "u" holding v through each adapter, with a client
// in format f, and return the message each one sent.
var adapters = map[string]func(t *testing.T, f core.Format, v any) *core.Message{
	"AddAny": func(t *testing.T, f core.Format, v any) *core.Message {
		c, capt := metlogtest.NewClient(t, f)
		e := core.GetEntry()
		e.AddAny("u", v)
		if err := c.SendEntry(e); err != nil {
			t.Fatal(err)
		}
		e.Free()
		return metlogtest.One(t, c, capt)
	},
	"zap.Any": func(t *testing.T, f core.Format, v any) *core.Message {
		c, capt := metlogtest.NewClient(t, f)
		zap.New(zapmetlog.NewCore(c, zap.DebugLevel)).Info("m", zap.Any("u", v))
		return metlogtest.One(t, c, capt)
	},
	"zap.Reflect": func(t *testing.T, f core.Format, v any) *core.Message {
		c, capt := metlogtest.NewClient(t, f)
		zap.New(zapmetlog.NewCore(c, zap.DebugLevel)).Info("m", zap.Reflect("u", v))
		return metlogtest.One(t, c, capt)
	},
	"slog.Any": func(t *testing.T, f core.Format, v any) *core.Message {
		c, capt := metlogtest.NewClient(t, f)
		slog.New(slogmetlog.NewHandler(c, nil)).Info("m", slog.Any("u", v))
		return metlogtest.One(t, c, capt)
	},
	"logrus": func(t *testing.T, f core.Format, v any) *core.Message {
		c, capt := metlogtest.NewClient(t, f)
		l := logrus.New()
		l.Out = io.Discard
		l.AddHook(logrusmetlog.NewHook(c))
		l.WithField("u", v).Info("m")
		return metlogtest.One(t, c, capt)
	},
}

// fieldsOfU returns m's field "u", flattened; other fields (such as an
// adapter's own) are left out.
func fieldsOfU(m *core.Message) map[string]any {
	out := map[string]any{}
	for k, v := range metlogtest.DecodedFields(m) {
		if k == "u" || strings.HasPrefix(k, "u.") {
			out[k] = v
		}
	}
	return out
}

// TestAdaptersSameFields logs the same values through every adapter and
// checks that each gives the fields AddAny gives, and that AddAny gives
// some (an empty map gives an empty group, which Heka cannot carry).
func TestAdaptersSameFields(t *testing.T) {
	boss := &user{Name: "Boss", Age: 60, Joined: t0.Add(-time.Hour)}
	u := user{Base: Base{ID: 7}, Named: Named{"hidden"}, Name: "Jane", Age: 41, Score: -0.0, Joined: t0,
		Tags: []string{"a", "b"}, Count: 12, Manager: boss, Meta: map[string]any{"k": 1.5, "n": nil}, Skip: "x"}
	values := map[string]any{
		"struct":         u,
		"struct pointer": &u,
		"map": map[string]any{"a": 1, "b": "x", "f": float32(0.1), "t": t0, "d": time.Second,
			"nested": map[string]any{"deep": true, "u": u}, "list": []int{1, 2}, "users": []user{u}},
		"slice of structs":          []user{u, {Name: "Bob"}},
		"slice of struct pointers":  []*user{&u, nil},
		"nil map":                   map[string]any(nil),
		"nil pointer":               (*user)(nil),
		"empty map":                 map[string]any{},
		"map of strings":            map[string]string{"x": "y"},
		"map with int keys":         map[int]user{2: u},
		"struct with a nil map":     struct{ M map[string]any }{},
		"pointer cycle through map": cyclic(),
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			for _, f := range metlogtest.Formats {
				want := fieldsOfU(adapters["AddAny"](t, f, v))
				if len(want) == 0 && name != "empty map" {
					t.Fatalf("%s: AddAny wrote no field", f)
				}
				for a, log := range adapters {
					metlogtest.CompareFlat(t, f.String()+" "+a, fieldsOfU(log(t, f, v)), want, false)
				}
			}
		})
	}
}

// TestAdaptersNull: a nil map, nil pointer and nil slice are null in every
// adapter (slog once wrote a nil map[string]any as an empty group: {} in
// JSON, nothing in Heka).
func TestAdaptersNull(t *testing.T) {
	for _, v := range []any{map[string]any(nil), (*user)(nil), []user(nil)} {
		for _, f := range metlogtest.Formats {
			for a, log := range adapters {
				got := fieldsOfU(log(t, f, v))
				if len(got) != 1 || got["u"] != nil {
					t.Errorf("%s %s %T: %v, want u = null", f, a, v, got)
				}
			}
		}
	}
}

// TestAdaptersStructGroups: a struct is a group in every adapter, by
// encoding/json's field rules (zap once sent it as one JSON string).
func TestAdaptersStructGroups(t *testing.T) {
	v := user{Named: Named{"hidden"}, Name: "Jane", Age: 41, Joined: t0, Count: 3}
	want := map[string]any{
		"u.id": metlogtest.Num("0"), "u.name": "Jane", "u.age": metlogtest.Num("41"),
		"u.joined": "2024-05-06T07:08:09.123456789Z", "u.tags": nil, "u.count": "3", "u.meta": nil,
	}
	for _, f := range metlogtest.Formats {
		for a, log := range adapters {
			metlogtest.CompareFlat(t, f.String()+" "+a, fieldsOfU(log(t, f, v)), want, false)
		}
	}
}

// cyclic returns a map that holds itself through a struct pointer.
func cyclic() map[string]any {
	type loop struct{ M map[string]any }
	m := map[string]any{}
	m["l"] = &loop{M: m}
	return m
}
