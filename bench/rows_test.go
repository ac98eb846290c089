package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"github.com/metlog-go/metlog/core"
)

// destination is where one row's logger writes, and how to tell what
// reached it.
type destination interface {
	// sinks are the writers, client and provider the logger is built on.
	sinks() sinks
	// begin notes the counts before a timed run.
	begin() error
	// settle, at the end of the timed run, delivers what the pipeline
	// still holds (Flush, ForceFlush) and returns once the receiver has
	// counted everything sent.
	settle() error
	// delivered returns the messages that reached the destination since
	// begin, and over how many copies of each message (2 for a tee); n < 0
	// means not counted (io.Discard).
	delivered() (n int64, copies int, err error)
}

// config holds the buffer sizes of a set of rows: our ring, in bytes,
// and the BatchProcessor's queue, in records (0: the libraries' defaults).
type config struct {
	ring  int
	queue int
}

// row is one way of logging: a destination a logger can be built on.
type row struct {
	name string
	otel bool // needs the framework's OpenTelemetry bridge
	log  bool // only in BenchmarkLog (not the sustained load)
	open func(cfg config, cleanup func(func())) (destination, error)
}

var rows = []row{
	{"discard", false, false, func(config, func(func())) (destination, error) { return discardDest{}, nil }},
	{"file", false, false, func(_ config, cleanup func(func())) (destination, error) { return newFileDest(cleanup) }},
	{"otel", true, false, func(cfg config, _ func(func())) (destination, error) {
		p, err := shared.otelPipeline(cfg.queue)
		if err != nil {
			return nil, err
		}
		return &otelDest{p: p}, nil
	}},
	ours(core.FormatJSON, "unix"),
	ours(core.FormatJSON, "tcp"),
	ours(core.FormatHeka, "unix"),
	ours(core.FormatHeka, "tcp"),
	// Ours over OTLP/HTTP, to the receiver the otel row posts to: the same
	// destination as the OpenTelemetry bridge, at our cost.
	{"metlog-otlp-http", false, true, func(cfg config, _ func(func())) (destination, error) {
		oc, err := shared.client(clientKey{core.FormatOTLP, "otlp", cfg.ring})
		if err != nil {
			return nil, err
		}
		return &clientDest{oc: oc}, nil
	}},
	{"tee-file+metlog-json-unix", false, false, func(cfg config, cleanup func(func())) (destination, error) {
		f, err := newFileDest(cleanup)
		if err != nil {
			return nil, err
		}
		oc, err := shared.client(clientKey{core.FormatJSON, "unix", cfg.ring})
		if err != nil {
			return nil, err
		}
		return &teeDest{f, &clientDest{oc: oc}}, nil
	}},
}

func ours(f core.Format, network string) row {
	return row{"metlog-" + f.String() + "-" + network, false, false, func(cfg config, _ func(func())) (destination, error) {
		oc, err := shared.client(clientKey{f, network, cfg.ring})
		if err != nil {
			return nil, err
		}
		return &clientDest{oc: oc}, nil
	}}
}

// discardDest is io.Discard: what reaches it is not counted (the write is
// synchronous and cannot fail).
type discardDest struct{}

func (discardDest) sinks() sinks                   { return sinks{w: io.Discard} }
func (discardDest) begin() error                   { return nil }
func (discardDest) settle() error                  { return nil }
func (discardDest) delivered() (int64, int, error) { return -1, 1, nil }

// fileDest is a log file in a temporary directory, opened for appending
// as loggers open their files; delivered counts its lines. Nothing is
// synced to disk: a log shipper tailing the file reads the page cache,
// so a line is delivered once write(2) returns.
type fileDest struct {
	f    *os.File
	path string
}

func newFileDest(cleanup func(func())) (*fileDest, error) {
	dir, err := shared.tempDir()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "log-*.json")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	f.Close()
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cleanup(func() { f.Close(); os.Remove(path) })
	return &fileDest{f: f, path: path}, nil
}

func (d *fileDest) sinks() sinks { return sinks{w: d.f} }

// begin empties the file, so that it holds one run at most.
func (d *fileDest) begin() error  { return d.f.Truncate(0) }
func (d *fileDest) settle() error { return nil }

func (d *fileDest) delivered() (int64, int, error) {
	f, err := os.Open(d.path)
	if err != nil {
		return 0, 1, err
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if errors.Is(err, io.EOF) {
			return n, 1, nil
		}
		if err != nil {
			return n, 1, err
		}
	}
}

// clientDest is one of our clients and its receiver.
type clientDest struct {
	oc          *ourClient
	sent0, base int64
}

func (d *clientDest) sinks() sinks { return sinks{c: d.oc.c} }

func (d *clientDest) begin() error {
	d.sent0 = int64(d.oc.c.Stats().Sent)
	c, err := d.oc.r.Count()
	d.base = c.Frames
	return err
}

func (d *clientDest) settle() error { return d.oc.flush() }

func (d *clientDest) delivered() (int64, int, error) {
	c, err := d.oc.r.Count()
	return c.Frames - d.base, 1, err
}

// otelDest is an OpenTelemetry pipeline and its receiver. ForceFlush
// returns once the exporter has posted every queued record and had its
// answer, which the receiver sends after counting.
type otelDest struct {
	p    *otelPipe
	base int64
}

func (d *otelDest) sinks() sinks { return sinks{otel: d.p.lp} }

func (d *otelDest) begin() error {
	c, err := d.p.r.Count()
	d.base = c.Frames
	return err
}

func (d *otelDest) settle() error {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	return d.p.lp.ForceFlush(ctx)
}

func (d *otelDest) delivered() (int64, int, error) {
	c, err := d.p.r.Count()
	return c.Frames - d.base, 1, err
}

// teeDest is the native file output and one of our clients side by side.
type teeDest struct {
	file *fileDest
	ours *clientDest
}

func (d *teeDest) sinks() sinks { return sinks{w: d.file.f, c: d.ours.oc.c} }

func (d *teeDest) begin() error {
	return errors.Join(d.file.begin(), d.ours.begin())
}

func (d *teeDest) settle() error { return d.ours.settle() }

func (d *teeDest) delivered() (int64, int, error) {
	a, _, err1 := d.file.delivered()
	b, _, err2 := d.ours.delivered()
	if err := errors.Join(err1, err2); err != nil {
		return 0, 2, err
	}
	return a + b, 2, nil
}
