package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/metlog-go/metlog/router"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestExampleConfig: the sample configuration parses, with no unknown key,
// every matcher compiles and every route names endpoints it defines.
func TestExampleConfig(t *testing.T) {
	cfg, err := loadConfig("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Inputs) != 2 || len(cfg.Routes) != 3 || len(cfg.Endpoints) != 4 || cfg.Keys["ops_1"] == "" ||
		cfg.StatsAddr == "" || time.Duration(cfg.DrainTimeout) != 5*time.Second || time.Duration(cfg.IdleTimeout) != 5*time.Minute ||
		cfg.Endpoints[1].RotateSize != 100<<20 || cfg.Endpoints[1].Keep != 5 {
		t.Fatalf("config %+v", cfg)
	}
	names := map[string]bool{}
	for _, e := range cfg.Endpoints {
		names[e.Name] = true
	}
	for _, r := range cfg.Routes {
		if _, err := router.ParseMatcher(r.Matcher); err != nil {
			t.Errorf("route %s: %v", r.Name, err)
		}
		for _, e := range r.Endpoints {
			if !names[e] {
				t.Errorf("route %s: no endpoint %s", r.Name, e)
			}
		}
	}
}

func TestUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[[input]]\naddress = \"tcp://127.0.0.1:0\"\nadress = \"typo\"\n"), 0o644)
	if _, err := loadConfig(path); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("error %v", err)
	}
}

// waitMatch waits for re to match out and returns its first group.
func waitMatch(t *testing.T, out *metlogtest.SyncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s in\n%s", re, out.String())
	return ""
}

// TestRun runs the program: messages to a file, stats over HTTP and on
// SIGUSR1, the file reopened on SIGHUP, and a clean stop on SIGTERM with
// the stats printed.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.jsonl")
	out := &metlogtest.SyncBuffer{}
	events := make(chan os.Signal)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-listen", "tcp://127.0.0.1:0", "-file", path, "-stats-addr", "127.0.0.1:0"}, out, events)
	}()
	addr := waitMatch(t, out, regexp.MustCompile(`addr=tcp://(\S+)`))
	url := waitMatch(t, out, regexp.MustCompile(`url=(\S+)`))

	c, err := core.New("tcp://"+addr, core.WithFormat(core.FormatHeka))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(t.Context())
	stats := func() router.Stats {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st router.Stats
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	delivered := func(n uint64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for stats().Endpoints[0].Delivered < n {
			if time.Now().After(deadline) {
				t.Fatalf("stats %+v", stats())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	c.Send(&core.Message{Type: "t", Payload: "one"})
	delivered(1)
	events <- syscall.SIGUSR1
	waitMatch(t, out, regexp.MustCompile(`"(decoded)": 1`))

	os.Rename(path, path+".1")
	events <- syscall.SIGHUP
	waitMatch(t, out, regexp.MustCompile(`(reopened)`))
	c.Send(&core.Message{Type: "t", Payload: "two"})
	delivered(2)

	events <- syscall.SIGTERM
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitMatch(t, out, regexp.MustCompile(`"(delivered)": 2`))
	for p, want := range map[string]string{path + ".1": `"payload":"one"`, path: `"payload":"two"`} {
		b, err := os.ReadFile(p)
		if err != nil || strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"-listen", "tcp://127.0.0.1:0"}, {"-config", "absent.toml"}, {"-bogus"}} {
		if err := run(args, &metlogtest.SyncBuffer{}, nil); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
