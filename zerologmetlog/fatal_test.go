package zerologmetlog_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
)

// gate is a sender that delivers only once opened.
type gate struct {
	*core.Capture
	open chan struct{}
}

func (g *gate) Send(b *core.Batch) (int, error) {
	<-g.open
	return g.Capture.Send(b)
}

// TestFatalFlushes: zerolog calls Close on its writer after a Fatal event,
// before it exits; the Writer's Close waits until the client has delivered
// the Fatal line (and what came before), directly or inside
// zerolog.MultiLevelWriter. With WithCloseTimeout(0) it does not wait.
func TestFatalFlushes(t *testing.T) {
	exit := zerolog.FatalExitFunc
	defer func() { zerolog.FatalExitFunc = exit }()
	zerolog.FatalExitFunc = func() {} // Fatal returns instead of exiting
	for _, tc := range []struct {
		name  string
		wait  bool
		multi bool
		opts  []zerologmetlog.Option
	}{
		{"direct", true, false, nil},
		{"multi-level-writer", true, true, nil},
		{"no-wait", false, false, []zerologmetlog.Option{zerologmetlog.WithCloseTimeout(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &gate{Capture: core.NewCapture(), open: make(chan struct{})}
			c, err := core.New("", core.WithSender(g))
			if err != nil {
				t.Fatal(err)
			}
			var w io.Writer = zerologmetlog.NewWriter(c, tc.opts...)
			if tc.multi {
				w = zerolog.MultiLevelWriter(io.Discard, w)
			}
			var once sync.Once
			open := func() { once.Do(func() { close(g.open) }) }
			// Delivery comes a little later, in every case: a Close that
			// waited would see it, so the no-wait case can fail too. Its
			// gate opens later still, so that only a wait (not a slow
			// machine) lets the messages through before Fatal returns.
			if tc.wait {
				time.AfterFunc(20*time.Millisecond, open)
			} else {
				time.AfterFunc(300*time.Millisecond, open)
			}
			l := zerolog.New(w)
			l.Info().Msg("before")
			l.Fatal().Msg("bye")
			got := g.Len()
			open()
			if tc.wait && got != 2 {
				t.Errorf("%d messages delivered when Fatal returned, want 2", got)
			} else if !tc.wait && got != 0 {
				t.Errorf("%d messages delivered when Fatal returned, want 0 (Close waited)", got)
			}
			if err := c.Close(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}
