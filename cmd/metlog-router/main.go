// Command metlog-router receives Metlog messages (Heka framing or JSON
// lines) on TCP, TLS, UDP and unix sockets, verifies their signatures,
// routes them with Heka's message matcher language and delivers them to
// endpoints: stdout, files, statsd, Sentry, or another router. It is meant
// for local development, tests and small deployments.
//
//	metlog-router -listen tcp://127.0.0.1:5565 -stdout
//	metlog-router -config router.toml
//
// See example.toml for the configuration file. Signals: SIGHUP reopens the
// file endpoints' files (after logrotate), SIGUSR1 prints the stats,
// SIGTERM and SIGINT stop it, draining the endpoints' queues within the
// drain timeout. The stats are printed at exit too, and served as JSON on
// -stats-addr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/metlog-go/metlog/router"
)

func main() {
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGINT, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stderr, sig); err != nil {
		fmt.Fprintln(os.Stderr, "metlog-router:", err)
		os.Exit(1)
	}
}

// fileConfig is the configuration file: the router's and the program's.
type fileConfig struct {
	router.Config
	// StatsAddr serves the stats as JSON over HTTP (none when empty).
	StatsAddr string `toml:"stats_addr"`
	// DrainTimeout bounds the endpoints' draining at exit (5s when 0).
	DrainTimeout router.Duration `toml:"drain_timeout"`
}

// loadConfig reads a configuration file; unknown keys are errors.
func loadConfig(path string) (fileConfig, error) {
	var cfg fileConfig
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		return cfg, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return cfg, fmt.Errorf("%s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	return cfg, nil
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// run is the program; events reports what it would otherwise learn from
// signals, and everything it says goes to errOut.
func run(args []string, errOut io.Writer, events <-chan os.Signal) error {
	fs := flag.NewFlagSet("metlog-router", flag.ContinueOnError)
	fs.SetOutput(errOut)
	var listen listFlag
	configPath := fs.String("config", "", "TOML configuration `file` (see example.toml)")
	fs.Var(&listen, "listen", "listen on `address` (tcp://, tls://, udp://, unix://, unixgram://); repeatable")
	toStdout := fs.Bool("stdout", false, "route every message to standard output, one line each")
	toFile := fs.String("file", "", "route every message to `path` as JSON lines")
	statsAddr := fs.String("stats-addr", "", "serve the stats as JSON on this local HTTP `address`")
	drain := fs.Duration("drain", 0, "how long the endpoints may drain at exit (default 5s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg fileConfig
	if *configPath != "" {
		var err error
		if cfg, err = loadConfig(*configPath); err != nil {
			return err
		}
	}
	for _, a := range listen {
		cfg.Inputs = append(cfg.Inputs, router.Input{Address: a})
	}
	var all []string
	if *toStdout {
		cfg.Endpoints = append(cfg.Endpoints, router.Endpoint{Name: "stdout", Type: "stdout"})
		all = append(all, "stdout")
	}
	if *toFile != "" {
		cfg.Endpoints = append(cfg.Endpoints, router.Endpoint{Name: "file", Type: "file", Path: *toFile})
		all = append(all, "file")
	}
	if len(all) > 0 {
		cfg.Routes = append(cfg.Routes, router.Route{Name: "all", Matcher: "TRUE", Endpoints: all})
	}
	if len(cfg.Inputs) == 0 {
		return errors.New("nothing to listen on: give -listen or -config")
	}
	if len(cfg.Routes) == 0 {
		return errors.New("no routes: give -stdout, -file or a -config with routes")
	}
	if *statsAddr != "" {
		cfg.StatsAddr = *statsAddr
	}
	if *drain > 0 {
		cfg.DrainTimeout = router.Duration(*drain)
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = router.Duration(5 * time.Second)
	}
	log := slog.New(slog.NewTextHandler(errOut, nil))
	cfg.Logger = log

	r, err := router.New(cfg.Config)
	if err != nil {
		return err
	}
	for i, a := range r.Addrs() {
		log.Info("listening", "input", cfg.Inputs[i].Address, "addr", a.Network()+"://"+a.String())
	}
	var srv *http.Server
	if cfg.StatsAddr != "" {
		ln, err := net.Listen("tcp", cfg.StatsAddr)
		if err != nil {
			r.Close(context.Background())
			return fmt.Errorf("stats address: %w", err)
		}
		srv = &http.Server{Handler: statsHandler(r), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		log.Info("serving stats", "url", "http://"+ln.Addr().String()+"/")
	}
	for s := range events {
		switch s {
		case syscall.SIGHUP:
			if err := r.Reopen(); err != nil {
				log.Error("reopen", "err", err)
			} else {
				log.Info("reopened the files")
			}
			continue
		case syscall.SIGUSR1:
			printStats(errOut, r)
			continue
		}
		log.Info("stopping", "signal", s.String(), "drain", time.Duration(cfg.DrainTimeout).String())
		break
	}
	if srv != nil {
		srv.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.DrainTimeout))
	defer cancel()
	err = r.Close(ctx)
	printStats(errOut, r)
	return err
}

func statsHandler(r *router.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r.Stats())
	})
}

func printStats(w io.Writer, r *router.Router) {
	b, _ := json.MarshalIndent(r.Stats(), "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}
