package zerologmetlog_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/zerologmetlog"
	"github.com/rs/zerolog"
)

func Example() {
	// A real program dials its router: core.New("tcp://127.0.0.1:5565").
	// Here an in-memory capture shows what the router receives.
	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture), core.WithLogger("shop"))
	if err != nil {
		panic(err)
	}

	log := zerolog.New(zerolog.MultiLevelWriter(os.Stderr, zerologmetlog.NewWriter(c)))
	log.Warn().
		Str("user", "ann").
		Ints("items", []int{3, 5}).
		Dict("http", zerolog.Dict().Int("status", 503)).
		Msg("payment retried")

	for _, m := range delivered(c, capture) {
		fmt.Printf("type=%s logger=%s severity=%s payload=%q\n", m.Type, m.Logger, m.Severity, m.Payload)
		printFields("", m.Fields)
	}
	// Output:
	// type=oldstyle logger=shop severity=warning payload="payment retried"
	// user = ann
	// items = [3 5]
	// http.status = 503
}

// delivered closes c, which delivers its messages to capture, and
// returns them.
func delivered(c *core.Client, capture *core.Capture) []*core.Message {
	if err := c.Close(context.Background()); err != nil {
		panic(err)
	}
	msgs, err := capture.Messages()
	if err != nil {
		panic(err)
	}
	return msgs
}

func printFields(prefix string, fields []core.Field) {
	for _, f := range fields {
		if f.Kind() == core.KindGroup {
			printFields(prefix+f.Name+".", f.GroupValue())
			continue
		}
		fmt.Printf("%s%s = %v\n", prefix, f.Name, f.Value())
	}
}

// Example_fullPrecision shows the zerolog settings that give messages the
// precision of the other adapters: timestamps with their fraction
// (zerolog writes whole seconds by default) and durations as integer
// nanoseconds (zerolog writes float milliseconds by default; the writer
// sees only a number, in zerolog's unit).
func Example_fullPrecision() {
	// zerolog's settings are process-wide: set them once, at start-up.
	zerolog.TimeFieldFormat = time.RFC3339Nano
	zerolog.DurationFieldUnit = time.Nanosecond
	zerolog.DurationFieldInteger = true
	defer restoreZerologDefaults()
	zerolog.TimestampFunc = func() time.Time { return time.Date(2026, 11, 24, 1, 2, 3, 456789000, time.UTC) }

	capture := core.NewCapture()
	c, err := core.New("", core.WithSender(capture))
	if err != nil {
		panic(err)
	}
	log := zerolog.New(zerologmetlog.NewWriter(c)).With().Timestamp().Logger()
	log.Info().Dur("took", 1500*time.Microsecond).Msg("done")

	for _, m := range delivered(c, capture) {
		fmt.Println("timestamp =", m.Timestamp.UTC().Format(time.RFC3339Nano))
		printFields("", m.Fields)
	}
	// Output:
	// timestamp = 2026-11-24T01:02:03.456789Z
	// took = 1500000
}

// restoreZerologDefaults undoes Example_fullPrecision's settings.
func restoreZerologDefaults() {
	zerolog.TimeFieldFormat = time.RFC3339
	zerolog.DurationFieldUnit = time.Millisecond
	zerolog.DurationFieldInteger = false
	zerolog.TimestampFunc = time.Now
}
