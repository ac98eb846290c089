// Command report runs the bench module's benchmarks several times, computes
// medians and confidence intervals with golang.org/x/perf's benchmath, prints
// Markdown tables (with ratios to the io.Discard and file rows and the
// issue's targets judged), draws SVG charts with gonum plot into -out, and
// with -readme rewrites the README's section between <!-- bench:begin -->
// and <!-- bench:end --> (copying the charts to docs/bench/ beside it).
//
//	cd bench && go run ./cmd/report                     # under 10 minutes on 2 cores
//	cd bench && go run ./cmd/report -readme ../README.md
//	cd bench && go run ./cmd/report -in out/raw-....txt  # tables from an earlier run
//
// The raw benchmark output is kept in -out (its path is printed), for
// benchstat.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// step is one run of the benchmark binary.
type step struct {
	name string
	args []string
}

func main() {
	count := flag.Int("count", 6, "runs of each Log, Metrics and Throughput benchmark")
	sustainedCount := flag.Int("sustained-count", 2, "runs of each Sustained benchmark")
	logTime := flag.String("log-benchtime", "50000x", "-benchtime of BenchmarkLog's rows but otel (iterations: our ring is sized for them; fewer leave the fixed cost of delivering the backlog at the end of a run, some 4 ms, in the figures)")
	otelTime := flag.String("otel-benchtime", "2000x", "-benchtime of BenchmarkLog's otel rows (each call costs tens of microseconds)")
	sustainedTime := flag.String("sustained-benchtime", "15x", "-benchtime of BenchmarkSustained, in units of -sustained-unit")
	sustainedUnit := flag.Duration("sustained-unit", 100*time.Millisecond, "BenchmarkSustained's unit of duration")
	otherTime := flag.String("benchtime", "100ms", "-benchtime of BenchmarkMetrics and BenchmarkThroughput")
	only := flag.String("only", "log,sustained,metrics,throughput", "which benchmarks to run")
	in := flag.String("in", "", "make the report from this raw benchmark output instead of running")
	outDir := flag.String("out", "out", "directory for the raw output, the report and the charts")
	readme := flag.String("readme", "", "rewrite the bench section of this README and copy the charts to docs/bench/ beside it")
	flag.Parse()

	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fail(err)
	}
	start := time.Now()
	load0 := loadAverage()
	raw := *in
	if raw == "" {
		want := map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			want[strings.TrimSpace(s)] = true
		}
		steps := []step{
			{"log", []string{"-test.bench=^BenchmarkLog$/././^(discard|file|metlog-.*|tee-.*)$", "-test.benchtime=" + *logTime, fmt.Sprint("-test.count=", *count)}},
			{"log", []string{"-test.bench=^BenchmarkLog$/././^otel$", "-test.benchtime=" + *otelTime, fmt.Sprint("-test.count=", *count)}},
			{"sustained", []string{"-test.bench=^BenchmarkSustained$", "-test.benchtime=" + *sustainedTime,
				fmt.Sprint("-test.count=", *sustainedCount), "-sustained.unit=" + sustainedUnit.String()}},
			{"metrics", []string{"-test.bench=^BenchmarkMetrics$", "-test.benchtime=" + *otherTime, fmt.Sprint("-test.count=", *count)}},
			{"throughput", []string{"-test.bench=^BenchmarkThroughput$", "-test.benchtime=" + *otherTime, fmt.Sprint("-test.count=", *count)}},
		}
		var err error
		if raw, err = runAll(*outDir, steps, want, start); err != nil {
			fail(err)
		}
	}
	f, err := os.Open(raw)
	if err != nil {
		fail(err)
	}
	res, err := parse(f, raw)
	f.Close()
	if err != nil {
		fail(err)
	}
	charts, err := res.charts(*outDir)
	if err != nil {
		fail(err)
	}
	took := time.Since(start).Round(time.Second)
	hdr := header{
		date: start.UTC().Format("2006-01-02"), goVersion: runtime.Version(), cpu: strings.TrimSpace(res.config["cpu"]),
		cores: runtime.NumCPU(), load0: load0, load1: loadAverage(), took: took, ran: *in == "",
		count: *count, sustainedCount: *sustainedCount, logTime: *logTime, otelTime: *otelTime,
		sustained: fmt.Sprintf("%s × %s", strings.TrimSuffix(*sustainedTime, "x"), *sustainedUnit), otherTime: *otherTime,
	}
	report, missed := res.markdown(hdr, func(name string) string { return filepath.Join(*outDir, name) }, charts)
	fmt.Print(report)
	if err := os.WriteFile(filepath.Join(*outDir, "report.md"), []byte(report), 0o644); err != nil {
		fail(err)
	}
	if *readme != "" {
		if err := rewriteReadme(*readme, res, hdr, *outDir, charts); err != nil {
			fail(err)
		}
		fmt.Fprintln(os.Stderr, "report: rewrote", *readme)
	}
	fmt.Fprintf(os.Stderr, "report: raw benchmark output: %s (compare runs: cd bench && go run golang.org/x/perf/cmd/benchstat old.txt new.txt)\n", raw)
	fmt.Fprintf(os.Stderr, "report: %d targets missed; wall time %s\n", len(missed), took)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// runAll builds the benchmark binary and runs the wanted steps, appending
// their output to one raw file (also echoed to standard error), whose path
// it returns.
func runAll(outDir string, steps []step, want map[string]bool, start time.Time) (string, error) {
	bin, err := filepath.Abs(filepath.Join(outDir, "bench.test"))
	if err != nil {
		return "", err
	}
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building the benchmarks: %w", err)
	}
	raw := filepath.Join(outDir, "raw-"+start.UTC().Format("20060102-150405")+".txt")
	f, err := os.Create(raw)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, s := range steps {
		if !want[s.name] {
			continue
		}
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "report: running %s (%s)\n", s.name, strings.Join(s.args, " "))
		args := append([]string{"-test.run=^$", "-test.benchmem", "-test.timeout=30m"}, s.args...)
		cmd := exec.Command(bin, args...)
		var out bytes.Buffer
		cmd.Stdout = io.MultiWriter(f, os.Stderr, &out)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return raw, fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(os.Stderr, "report: %s took %s\n", s.name, time.Since(t0).Round(time.Second))
	}
	return raw, f.Sync()
}

// loadAverage returns the 1-minute load average, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fs := strings.Fields(string(b))
	if len(fs) == 0 {
		return ""
	}
	return fs[0]
}

// rewriteReadme copies the charts next to the README (docs/bench/) and
// rewrites its bench section, linking them there.
func rewriteReadme(path string, res *results, hdr header, outDir string, charts []string) error {
	docs := filepath.Join(filepath.Dir(path), "docs", "bench")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		return err
	}
	for _, c := range charts {
		b, err := os.ReadFile(filepath.Join(outDir, c))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(docs, c), b, 0o644); err != nil {
			return err
		}
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// The full report goes beside the charts; the README gets its
	// summary (header, targets, charts) and a link to it.
	full, _ := res.markdown(hdr, func(name string) string { return name }, charts)
	if err := os.WriteFile(filepath.Join(docs, "report.md"), []byte("# Benchmark report\n\n"+full), 0o644); err != nil {
		return err
	}
	var section strings.Builder
	res.summary(&section, hdr, func(name string) string { return "docs/bench/" + name }, charts)
	section.WriteString("The full tables (every framework, scenario and row; sustained load; metrics; throughput): [docs/bench/report.md](docs/bench/report.md).\n")
	out, err := replaceSection(string(doc), section.String())
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(out), 0o644)
}
