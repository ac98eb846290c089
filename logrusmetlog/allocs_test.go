package logrusmetlog_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/benchfields"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

// TestFireAllocs checks that converting and sending an entry allocates
// nothing in steady state, for the benchmark scenarios' values.
func TestFireAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, err := core.New("", core.WithSender(core.NewWriterSender(io.Discard)), core.WithFormat(f))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			h := logrusmetlog.NewHook(c, logrusmetlog.WithContextFields(func(ctx context.Context, e *core.Entry) {
				if id, ok := ctx.Value(ctxKey{}).(string); ok {
					e.Add(core.String("request_id", id))
				}
			}))
			logger := newLogger()
			nested := logrus.Fields{"req": logrus.Fields{"method": "GET", "status": 200}, "by_ptr": &metlogtest.Audit{At: t0, Tags: []string{"a"}},
				"ms": map[string]string{"a": "b"}, "dur": time.Second, "bytes": []byte("x")}
			for name, e := range map[string]*logrus.Entry{
				"static":   {Logger: logger, Time: t0, Level: logrus.InfoLevel, Message: "static"},
				"10fields": {Logger: logger, Data: benchfields.Logrus(), Time: t0, Level: logrus.InfoLevel, Message: "ten"},
				"nested":   {Logger: logger, Data: nested, Time: t0, Level: logrus.InfoLevel, Message: "nested"},
				"context": {Logger: logger, Data: logrus.Fields{"a": 1}, Time: t0, Level: logrus.InfoLevel, Message: "ctx",
					Context: context.WithValue(context.Background(), ctxKey{}, "r-1")},
			} {
				allocs := testing.AllocsPerRun(200, func() {
					if err := h.Fire(e); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%s: %.1f allocs per Fire, want 0", name, allocs)
				}
			}
		})
	}
}
