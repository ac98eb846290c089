package zerologmetlog_test

import (
	"context"
	"fmt"
	"os"

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

	if err := c.Close(context.Background()); err != nil {
		panic(err)
	}
	msgs, err := capture.Messages()
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		fmt.Printf("type=%s logger=%s severity=%s payload=%q\n", m.Type, m.Logger, m.Severity, m.Payload)
		printFields("", m.Fields)
	}
	// Output:
	// type=oldstyle logger=shop severity=warning payload="payment retried"
	// user = ann
	// items = [3 5]
	// http.status = 503
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
