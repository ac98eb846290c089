package logrusmetlog_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/logrusmetlog"
	"github.com/sirupsen/logrus"
)

// printMessages flushes c and prints what it sent, decoded.
func printMessages(c *core.Client, capt *core.Capture) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Flush(ctx)
	msgs, err := capt.Messages()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range msgs {
		fmt.Printf("%s %s/%s %q\n", m.Severity, m.Logger, m.Type, m.Payload)
		printFields("  ", m.Fields)
	}
}

func printFields(indent string, fields []core.Field) {
	for _, f := range fields {
		if f.Kind() == core.KindGroup {
			fmt.Printf("%s%s:\n", indent, f.Name)
			printFields(indent+"  ", f.GroupValue())
			continue
		}
		fmt.Printf("%s%s = %v\n", indent, f.Name, f.Value())
	}
}

func Example() {
	// In a service: core.New("tcp://127.0.0.1:5565", core.WithLogger("app")).
	capt := core.NewCapture()
	c, err := core.New("", core.WithSender(capt), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	logger := logrus.New()
	logger.AddHook(logrusmetlog.NewHook(c))
	logger.Out = io.Discard // this example prints what the hook sent instead

	logger.WithFields(logrus.Fields{
		"user":   struct{ Name string }{"jane"},
		"status": 503,
	}).WithError(errors.New("upstream timeout")).Warn("request failed")

	printMessages(c, capt)
	// Output:
	// warning app/oldstyle "request failed"
	//   error = upstream timeout
	//   status = 503
	//   user:
	//     Name = jane
}

// With the hook as the only destination, DiscardFormatter spares logrus
// the formatting of every entry for an output nobody reads: logrus then
// does little besides copying the entry and running the hooks (the bench
// module's BenchmarkParts/logrus compares metlog-json with native-discard).
func ExampleDiscardFormatter() {
	capt := core.NewCapture()
	c, err := core.New("", core.WithSender(capt), core.WithFormat(core.FormatHeka), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	logger := logrus.New()
	logger.Out = io.Discard
	logger.Formatter = logrusmetlog.DiscardFormatter{}
	logger.AddHook(logrusmetlog.NewHook(c))

	logger.WithField("http", logrus.Fields{"method": "GET", "status": 200}).Info("served")

	printMessages(c, capt) // Heka flattens groups into dotted names
	// Output:
	// info app/oldstyle "served"
	//   http.method = GET
	//   http.status = 200
}

func ExampleWithContextFields() {
	type requestID struct{}
	capt := core.NewCapture()
	c, err := core.New("", core.WithSender(capt), core.WithLogger("app"))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())

	logger := logrus.New()
	logger.Out = io.Discard
	logger.AddHook(logrusmetlog.NewHook(c,
		logrusmetlog.WithLogger("api"),
		logrusmetlog.WithLevels(logrus.InfoLevel, logrus.WarnLevel, logrus.ErrorLevel),
		logrusmetlog.WithContextFields(func(ctx context.Context, e *core.Entry) {
			if id, ok := ctx.Value(requestID{}).(string); ok {
				e.Add(core.String("request_id", id))
			}
		})))

	ctx := context.WithValue(context.Background(), requestID{}, "r-42")
	logger.WithContext(ctx).Info("handled")
	logger.WithContext(ctx).Debug("not sent: Debug is not in WithLevels")

	printMessages(c, capt)
	// Output:
	// info api/oldstyle "handled"
	//   request_id = r-42
}
