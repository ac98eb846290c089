package core_test

import (
	"context"
	"time"

	"github.com/metlog-go/metlog/core"
)

// FormatText writes one line per message for people to read; here to
// stdout, as the router's stdout endpoint does.
func ExampleFormatText() {
	c, err := core.New("stdout://", core.WithFormat(core.FormatText), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	c.Send(&core.Message{Timestamp: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Type: "oldstyle",
		Severity: core.Error, Payload: "payment failed",
		Fields: []core.Field{core.String("error", "upstream timeout"), core.Group("http", core.Int("status", 502))}})
	c.Close(context.Background())
	// Output:
	// 2024-05-01T10:00:00.000000Z error app oldstyle "payment failed" error="upstream timeout" http.status=502
}
