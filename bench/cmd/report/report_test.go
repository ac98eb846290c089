package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample builds benchmark output as the bench package prints it: three
// runs of zap's static scenario, where ours costs cpu (per message) and
// the file row 1000, the OTel bridge otel; a sustained rate where ours has
// p99.9 p999 and delivered del, and the file row p99.9 5000.
func sample(cpu, otel, p999, del float64) string {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\npkg: github.com/metlog-go/metlog/bench\ncpu: Test CPU @ 1GHz   \n")
	for run := range 3 {
		jitter := float64(run) // runs differ a little; the median is run 1's
		line := func(name string, ns, c float64, allocs int) {
			fmt.Fprintf(&b, "BenchmarkLog/zap/static/%s-2 \t 20000\t %.1f ns/op\t %.1f cpu-ns/msg\t %.1f cpu-ns/op\t 1.000 delivered\t 16 B/op\t %d allocs/op\n",
				name, ns+jitter, c+jitter, c+jitter, allocs)
		}
		line("discard", 400, 400, 0)
		line("file", 1200, 1000, 0)
		line("otel", 9000, otel, 6)
		for _, r := range oursRows {
			line(r, 600, cpu, 0)
		}
		fmt.Fprintf(&b, "BenchmarkLog/zap/disabled/file-2 \t 20000\t 5.0 ns/op\t 4.0 cpu-ns/op\t 0 B/op\t 0 allocs/op\n")
		fmt.Fprintf(&b, "BenchmarkSustained/rate=50k/harness/noop-2 \t 15\t 100000000 ns/op\t 300 cpu-ns/op\t 50000 msgs/s\t 30 p50-ns\t 40 p99-ns\t 90 p99.9-ns\t 0 B/op\t 0 allocs/op\n")
		fmt.Fprintf(&b, "BenchmarkSustained/rate=50k/zap/file-2 \t 15\t 100000000 ns/op\t 1500 cpu-ns/msg\t 1500 cpu-ns/op\t 1.000 delivered\t 50000 msgs/s\t 1000 p50-ns\t 3000 p99-ns\t 5000 p99.9-ns\t 0 B/op\t 0 allocs/op\n")
		for _, r := range oursRows {
			fmt.Fprintf(&b, "BenchmarkSustained/rate=50k/zap/%s-2 \t 15\t 100000000 ns/op\t 900 cpu-ns/msg\t 900 cpu-ns/op\t %.3f delivered\t 50000 msgs/s\t 500 p50-ns\t 900 p99-ns\t %.0f p99.9-ns\t 0 B/op\t 0 allocs/op\n", r, del, p999)
		}
		fmt.Fprintf(&b, "BenchmarkMetrics/incr/datadog-default-2 \t 1000000\t 55.0 ns/op\t 57.0 cpu-ns/op\t 1.000 delivered\t 0.0000010 msgs/op\t 0 B/op\t 0 allocs/op\n")
		fmt.Fprintf(&b, "BenchmarkThroughput/tcp-json/single-2 \t 300000\t 400 ns/op\t 500.0 MB/s\t 350 cpu-ns/msg\t 350 cpu-ns/op\t 1.000 delivered\t 2500000 msgs/s\t 0 B/op\t 0 allocs/op\n")
	}
	b.WriteString("PASS\nok  \tgithub.com/metlog-go/metlog/bench\t9.9s\n")
	return b.String()
}

func mustParse(t *testing.T, text string) *results {
	t.Helper()
	r, err := parse(strings.NewReader(text), "sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParse(t *testing.T) {
	r := mustParse(t, sample(450, 9000, 800, 1))
	if got := r.config["cpu"]; strings.TrimSpace(got) != "Test CPU @ 1GHz" {
		t.Errorf("cpu config = %q", got)
	}
	if got := r.values["Log/zap/static/file"]["cpu-ns/msg"]; len(got) != 3 {
		t.Fatalf("file cpu-ns/msg values %v, want 3 runs", got)
	}
	if got := r.center("Log/zap/static/file", "cpu-ns/msg"); got != 1001 {
		t.Errorf("median cpu-ns/msg = %v, want 1001", got)
	}
	if got := r.center("Log/zap/static/file", "ns/op"); got != 1201 {
		t.Errorf("median ns/op = %v, want 1201 (the untidied unit)", got)
	}
	if got := r.center("Log/zap/static/file", "nope"); got != -1 {
		t.Errorf("missing unit = %v, want -1", got)
	}
	if got := r.distinct("Log/zap/", 2); strings.Join(got, ",") != "static,disabled" {
		t.Errorf("scenarios %v", got)
	}
	if got := r.distinct("Sustained/", 1); strings.Join(got, ",") != "rate=50k" {
		t.Errorf("rates %v", got)
	}
}

func TestTargets(t *testing.T) {
	for _, c := range []struct {
		name                 string
		cpu, otel, p999, del float64
		missed               []string
	}{
		{"all met", 450, 9000, 800, 1, nil},
		{"ours too costly", 600, 9000, 800, 1, []string{"(a) zap static"}},
		{"otel too close", 450, 2000, 800, 1, []string{"(b) zap static"}},
		{"dropped", 450, 9000, 800, 0.99, []string{"(c) rate=50k zap"}},
		{"slow tail", 450, 9000, 6000, 1, []string{"(c) rate=50k zap"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			text, missed := mustParse(t, sample(c.cpu, c.otel, c.p999, c.del)).targets()
			if len(c.missed) == 0 && len(missed) != 0 {
				t.Fatalf("missed %v, want none\n%s", missed, text)
			}
			for _, want := range c.missed {
				found := false
				for _, m := range missed {
					found = found || strings.HasPrefix(m, want)
				}
				if !found {
					t.Errorf("missed %v, want %q among them\n%s", missed, want, text)
				}
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	r := mustParse(t, sample(450, 9000, 800, 1))
	md, missed := r.markdown(header{date: "2026-01-02", goVersion: "go1.26", cpu: "Test CPU", cores: 2, count: 3},
		func(n string) string { return "docs/bench/" + n }, []string{"cpu-per-msg-static.svg"})
	if len(missed) != 0 {
		t.Errorf("missed %v", missed)
	}
	for _, want := range []string{
		"go1.26, Test CPU, 2 cores",
		"Every target met",
		"| static | file | 1201 ",   // ns/op median
		"| 1001 ±∞ |",               // cpu-ns/msg median; too few runs for an interval
		"| 2.50× | 1.00× |",         // file: ratios to discard and to itself
		"| disabled | file | 5.00 ", // a disabled row
		"(per call)",                // its cost per call
		"| zap | metlog-heka-tcp | 500 ns | 900 ns | 800 ns |", // sustained percentiles
		"![cpu-per-msg-static](docs/bench/cpu-per-msg-static.svg)",
		"| incr | datadog-default |",
		"| tcp-json | single | 2500000 ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestCharts(t *testing.T) {
	r := mustParse(t, sample(450, 9000, 800, 1))
	dir := t.TempDir()
	files, err := r.charts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, ",") != "cpu-per-msg-static.svg,sustained-p999-50k.svg" {
		t.Fatalf("charts %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.Contains(s, "<svg") || !strings.Contains(s, "metlog-json-unix") || !strings.Contains(s, "zap") {
			t.Errorf("%s is not the chart expected: %.200s", f, s)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	doc := "# T\n\n## Benchmarks\n\n" + beginMarker + "\nold\n" + endMarker + "\n\nafter\n"
	got, err := replaceSection(doc, "\nnew table\n\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# T\n\n## Benchmarks\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\nafter\n"
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	again, err := replaceSection(got, "new table")
	if err != nil || again != got {
		t.Fatalf("not idempotent: %q, %v", again, err)
	}
	for _, bad := range []string{
		"no markers",
		endMarker + beginMarker,
		beginMarker + endMarker + beginMarker + endMarker,
		beginMarker + " only",
	} {
		if _, err := replaceSection(bad, "x"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{num(-1), "—"}, {num(0), "0"}, {num(1.234), "1.23"}, {num(12.34), "12.3"}, {num(1234.5), "1234"},
		{ratio(1, 2), "0.50×"}, {ratio(1, 0), "—"}, {ratio(-1, 2), "—"},
		{dur(500), "500 ns"}, {dur(1500), "1.5 µs"}, {dur(2.5e6), "2.5 ms"}, {dur(3e9), "3.00 s"},
		{nsLabel(1e3), "1 µs"}, {nsLabel(100), "100 ns"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
