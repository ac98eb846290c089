package router

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metlog-go/metlog/core"
)

// A Router receives Metlog messages on its inputs, verifies and decodes
// them, matches them against its routes and delivers each to the endpoints
// of the routes it matches, once per endpoint. New starts it; Close stops
// it. A Router is safe for concurrent use.
type Router struct {
	keys          map[keyID]string
	keyFunc       core.KeyFunc // nil without keys: signatures are not checked
	requireSigned bool
	maxSize       int
	idle          time.Duration
	log           *slog.Logger
	routes        []route
	endpoints     []*endpoint
	words         int // uint64 words of an endpoint set

	sem       chan struct{} // one token per open stream connection
	mu        sync.Mutex    // guards conns, and closed's change with it
	conns     map[net.Conn]struct{}
	closed    atomic.Bool // set under mu, before Close wakes the readers
	listeners []input
	wg        sync.WaitGroup // the accept and read goroutines
	closeOnce sync.Once
	closeErr  error

	counters counters
}

// route is a compiled route.
type route struct {
	name string
	m    *Matcher
	eps  []uint64 // the set of its endpoints, one bit each
}

// input is a bound listener: a stream listener or a datagram socket.
type input struct {
	ln      net.Listener
	pc      net.PacketConn
	cleanup string // a unixgram socket file to remove
}

func (in input) addr() net.Addr {
	if in.ln != nil {
		return in.ln.Addr()
	}
	return in.pc.LocalAddr()
}

func (in input) close() error {
	var err error
	if in.ln != nil {
		err = in.ln.Close()
	} else {
		err = in.pc.Close()
	}
	if in.cleanup != "" {
		os.Remove(in.cleanup)
	}
	return err
}

// New builds a router from cfg and starts it: it creates the endpoints,
// compiles the routes, binds every input and serves them until Close.
func New(cfg Config) (*Router, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	keys, err := parseKeys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	r := &Router{
		keys:          keys,
		requireSigned: cfg.RequireSigned,
		maxSize:       cfg.MaxMessageSize,
		idle:          time.Duration(cfg.IdleTimeout),
		log:           cfg.Logger,
		conns:         map[net.Conn]struct{}{},
	}
	if len(keys) > 0 {
		r.keyFunc = r.key
	}
	if r.maxSize == 0 {
		r.maxSize = core.DefaultMaxMessageSize
	}
	if r.idle == 0 {
		r.idle = DefaultIdleTimeout
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	maxConns := cfg.MaxConnections
	if maxConns == 0 {
		maxConns = DefaultMaxConnections
	}
	r.sem = make(chan struct{}, maxConns)
	if err := r.buildEndpoints(&cfg); err != nil {
		return nil, err
	}
	if err := r.buildRoutes(cfg.Routes); err != nil {
		r.closeEndpoints(context.Background())
		return nil, err
	}
	for i := range cfg.Inputs {
		in, err := listen(&cfg.Inputs[i])
		if err != nil {
			for _, l := range r.listeners {
				l.close()
			}
			r.closeEndpoints(context.Background())
			return nil, fmt.Errorf("router: input %q: %w", cfg.Inputs[i].Address, err)
		}
		r.listeners = append(r.listeners, in)
	}
	for _, in := range r.listeners {
		r.wg.Add(1)
		if in.ln != nil {
			go r.accept(in.ln)
		} else {
			go r.readDatagrams(in.pc)
		}
	}
	return r, nil
}

// key is the router's core.KeyFunc.
func (r *Router) key(signer string, version uint32) (string, bool) {
	k, ok := r.keys[keyID{signer, version}]
	return k, ok
}

func (r *Router) buildEndpoints(cfg *Config) error {
	names := map[string]bool{}
	// Endpoints encode what the router accepted: leave room for a
	// re-encoding that is larger than its input (base64, escapes).
	maxSize := 2 * r.maxSize
	for i := range cfg.Endpoints {
		e := &cfg.Endpoints[i]
		name := endpointName(e, i)
		if e.Name == "" || names[e.Name] {
			r.closeEndpoints(context.Background())
			return fmt.Errorf("router: endpoint %s: a name is required, and names must differ", name)
		}
		names[e.Name] = true
		log := r.log.With("endpoint", e.Name)
		ep, err := newEndpoint(e, r.keys, maxSize, func(err error) { log.Warn("delivery failed", "err", err) })
		if err != nil {
			r.closeEndpoints(context.Background())
			return fmt.Errorf("router: endpoint %s: %w", name, err)
		}
		r.endpoints = append(r.endpoints, ep)
	}
	r.words = (len(r.endpoints) + 63) / 64
	return nil
}

func (r *Router) buildRoutes(routes []Route) error {
	byName := map[string]int{}
	for i, e := range r.endpoints {
		byName[e.name] = i
	}
	seen := map[string]bool{}
	for i, rc := range routes {
		name := rc.Name
		if name == "" {
			name = fmt.Sprintf("route-%d", i+1)
		}
		if seen[name] {
			return fmt.Errorf("router: route %q: names must differ", name)
		}
		seen[name] = true
		m, err := ParseMatcher(rc.Matcher)
		if err != nil {
			return fmt.Errorf("router: route %q: %w", name, err)
		}
		if len(rc.Endpoints) == 0 {
			return fmt.Errorf("router: route %q: no endpoints", name)
		}
		rt := route{name: name, m: m, eps: make([]uint64, r.words)}
		for _, en := range rc.Endpoints {
			j, ok := byName[en]
			if !ok {
				return fmt.Errorf("router: route %q: no endpoint %q", name, en)
			}
			rt.eps[j/64] |= 1 << (j % 64)
		}
		r.routes = append(r.routes, rt)
	}
	r.counters.routes = make([]atomic.Uint64, len(r.routes))
	return nil
}

// listen binds one input.
func listen(in *Input) (input, error) {
	scheme, rest, ok := strings.Cut(in.Address, "://")
	if !ok {
		return input{}, errors.New("not scheme://address (tcp, tls, udp, unix, unixgram)")
	}
	switch strings.ToLower(scheme) {
	case "tcp":
		ln, err := net.Listen("tcp", rest)
		return input{ln: ln}, err
	case "tls":
		tc := in.TLS
		if tc == nil {
			cert, err := tls.LoadX509KeyPair(in.CertFile, in.KeyFile)
			if err != nil {
				return input{}, err
			}
			tc = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		ln, err := tls.Listen("tcp", rest, tc)
		return input{ln: ln}, err
	case "udp":
		pc, err := net.ListenPacket("udp", rest)
		return input{pc: pc}, err
	case "unix":
		removeSocket(rest)
		ln, err := net.Listen("unix", rest)
		return input{ln: ln}, err
	case "unixgram":
		removeSocket(rest)
		pc, err := net.ListenPacket("unixgram", rest)
		return input{pc: pc, cleanup: rest}, err
	}
	return input{}, fmt.Errorf("unknown scheme %q (tcp, tls, udp, unix, unixgram)", scheme)
}

// removeSocket removes a stale unix socket file left by an earlier run, and
// nothing else.
func removeSocket(path string) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
}

// Addrs returns the inputs' bound addresses, in the order of
// Config.Inputs: with port 0 in the configuration, the ports chosen.
func (r *Router) Addrs() []net.Addr {
	out := make([]net.Addr, len(r.listeners))
	for i, in := range r.listeners {
		out[i] = in.addr()
	}
	return out
}

// Reopen reopens the files of the file endpoints, after logrotate has
// moved them away (metlog-router calls it on SIGHUP).
func (r *Router) Reopen() error {
	var errs []error
	for _, e := range r.endpoints {
		if e.file != nil {
			if err := e.file.Reopen(); err != nil {
				errs = append(errs, fmt.Errorf("router: endpoint %q: reopen: %w", e.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Close stops the router: it closes the inputs and the connections,
// waits for the messages already read to be routed, then drains every
// endpoint's queue until ctx is done (a ctx without a deadline is bounded
// by each endpoint's close timeout, core.DefaultCloseTimeout) and closes
// the endpoints. What is still queued then is counted as dropped. Close is
// idempotent; later calls return the first call's result.
func (r *Router) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed.Store(true)
		for c := range r.conns {
			// Wake the reader: it routes what it has read and ends.
			c.SetReadDeadline(time.Now())
		}
		r.mu.Unlock()
		var errs []error
		for _, in := range r.listeners {
			if err := in.close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		r.wg.Wait()
		errs = append(errs, r.closeEndpoints(ctx))
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// closeEndpoints closes every endpoint's client at once, so that ctx's
// deadline bounds them together.
func (r *Router) closeEndpoints(ctx context.Context) error {
	errs := make([]error, len(r.endpoints))
	var wg sync.WaitGroup
	for i, e := range r.endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.client.Close(ctx); err != nil {
				errs[i] = fmt.Errorf("router: endpoint %q: %w", e.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
