package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/metlog-go/metlog/core"
)

// An otlp:// client posts each batch to an OpenTelemetry Collector's
// OTLP/HTTP receiver as one ExportLogsServiceRequest. Here the receiver is
// a stand-in on 127.0.0.1 that says what it got.
func Example_otlp() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"))
	}))
	defer srv.Close()

	c, err := core.New("otlp://"+srv.Listener.Addr().String(), core.WithLogger("shop"),
		core.WithHeaders(map[string]string{"Authorization": "Bearer t0ken"}))
	if err != nil {
		panic(err)
	}
	c.Send(&core.Message{Type: "deploy", Severity: core.Notice, Payload: "v1.2 rolled out",
		Fields: []core.Field{core.String("version", "1.2")}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Close(ctx)
	st := c.Stats()
	fmt.Println(c.Format(), "sent", st.Sent, "failed", st.Drops.Failed)
	// Output:
	// POST /v1/logs application/x-protobuf Bearer t0ken
	// otlp sent 1 failed 0
}
