package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metlog-go/metlog/bench/internal/sink"
	"github.com/metlog-go/metlog/core"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

func TestMain(m *testing.M) {
	if os.Getenv(sink.EnvVar) != "" {
		sink.Main() // this binary, started again as the receiver process
	}
	code := m.Run()
	if err := shared.close(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// waitTimeout bounds every wait for a delivery: a pipeline that has not
// delivered by then has lost messages, and the benchmark says so.
const waitTimeout = 30 * time.Second

// shared holds what the benchmarks of one process share, made on first use:
// the receiver process, warmed-up clients and OpenTelemetry pipelines
// (clients and pipelines are reused across frameworks and scenarios, as a
// service reuses them across call sites).
var shared env

type env struct {
	mu      sync.Mutex
	srv     *sink.Server
	dir     string
	clients map[clientKey]*ourClient
	otel    map[int]*otelPipe
}

// clientKey identifies one of our clients: its wire format, its socket
// ("unix" or "tcp") and its ring size (0: core's default).
type clientKey struct {
	format  core.Format
	network string
	ring    int
}

// ourClient is a client and the receiver counting what it delivers.
type ourClient struct {
	c *core.Client
	r *sink.Receiver
}

// otelPipe is an OpenTelemetry LoggerProvider (BatchProcessor, OTLP/HTTP
// exporter) and the receiver its exporter posts to.
type otelPipe struct {
	lp *sdklog.LoggerProvider
	r  *sink.Receiver
}

func (e *env) server() (*sink.Server, error) {
	if e.srv == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		if e.srv, err = sink.Start(exe); err != nil {
			return nil, err
		}
	}
	return e.srv, nil
}

// tempDir returns a directory for the benchmarks' log files.
func (e *env) tempDir() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dir == "" {
		d, err := os.MkdirTemp("", "metlog-bench-")
		if err != nil {
			return "", err
		}
		e.dir = d
	}
	return e.dir, nil
}

// receiver opens a new receiver of kind k.
func (e *env) receiver(k sink.Kind) (*sink.Receiver, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	srv, err := e.server()
	if err != nil {
		return nil, err
	}
	return srv.Open(k)
}

// client returns the shared client for k, made and warmed up on first use.
func (e *env) client(k clientKey) (*ourClient, error) {
	e.mu.Lock()
	if oc := e.clients[k]; oc != nil {
		e.mu.Unlock()
		return oc, nil
	}
	e.mu.Unlock()
	kind := sink.Kind(k.network + "-" + k.format.String())
	if k.format == core.FormatOTLP {
		kind = sink.OTLPHTTP
	}
	r, err := e.receiver(kind)
	if err != nil {
		return nil, err
	}
	opts := []core.Option{core.WithFormat(k.format), core.WithLogger("bench")}
	if k.ring > 0 {
		opts = append(opts, core.WithBufferSize(k.ring))
	}
	c, err := core.New(k.network+"://"+r.Addr, opts...)
	if err != nil {
		return nil, err
	}
	oc := &ourClient{c: c, r: r}
	if err := oc.warm(max(k.ring, core.DefaultBufferSize)); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.clients == nil {
		e.clients = map[clientKey]*ourClient{}
	}
	e.clients[k] = oc
	return oc, nil
}

// warm writes the client's whole ring through once, so that no benchmark
// pays the page faults of its fresh memory or the socket's first
// connection, and waits until the receiver has counted it all.
func (oc *ourClient) warm(ring int) error {
	payload := strings.Repeat("warming the ring ", 60)
	for oc.c.Stats().BytesSent < uint64(ring+ring/8) {
		for range 256 {
			m := core.Message{Type: "warm-up", Payload: payload}
			for oc.c.Send(&m) == core.ErrFull {
				time.Sleep(100 * time.Microsecond)
			}
		}
		if err := oc.flush(); err != nil {
			return err
		}
	}
	return nil
}

// flush delivers what the client holds and waits until the receiver has
// counted every message the client has sent.
func (oc *ourClient) flush() error {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := oc.c.Flush(ctx); err != nil {
		return err
	}
	sent := int64(oc.c.Stats().Sent)
	got, err := oc.r.Wait(sent, waitTimeout)
	if err != nil {
		return err
	}
	if got.Frames < sent {
		return fmt.Errorf("%s receiver counted %d of %d messages sent", oc.r.Kind, got.Frames, sent)
	}
	return nil
}

// otelPipeline returns the shared OpenTelemetry pipeline whose
// BatchProcessor queue holds queue records (0: the SDK's default, 2048).
// Loggers are at Info, as every other row's (minSeverity).
func (e *env) otelPipeline(queue int) (*otelPipe, error) {
	e.mu.Lock()
	if p := e.otel[queue]; p != nil {
		e.mu.Unlock()
		return p, nil
	}
	e.mu.Unlock()
	r, err := e.receiver(sink.OTLPHTTP)
	if err != nil {
		return nil, err
	}
	exp, err := otlploghttp.New(context.Background(), otlploghttp.WithEndpoint(r.Addr), otlploghttp.WithInsecure())
	if err != nil {
		return nil, err
	}
	var opts []sdklog.BatchProcessorOption
	if queue > 0 {
		opts = append(opts, sdklog.WithMaxQueueSize(queue))
	}
	bp := sdklog.NewBatchProcessor(exp, opts...)
	p := &otelPipe{
		lp: sdklog.NewLoggerProvider(sdklog.WithProcessor(minSeverity{bp, otellog.SeverityInfo})),
		r:  r,
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.otel == nil {
		e.otel = map[int]*otelPipe{}
	}
	e.otel[queue] = p
	return p, nil
}

func (e *env) close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for _, oc := range e.clients {
		errs = append(errs, oc.c.Close(ctx))
	}
	for _, p := range e.otel {
		errs = append(errs, p.lp.Shutdown(ctx))
	}
	if e.srv != nil {
		errs = append(errs, e.srv.Close())
	}
	if e.dir != "" {
		errs = append(errs, os.RemoveAll(e.dir))
	}
	return errors.Join(errs...)
}
