package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The rows BenchmarkLog runs, by name; see the bench package.
const (
	rowDiscard = "discard"
	rowFile    = "file"
	rowOTel    = "otel"
)

// oursRows are the rows where our client is the only sink.
var oursRows = []string{"metlog-json-unix", "metlog-json-tcp", "metlog-heka-unix", "metlog-heka-tcp"}

// rowOursOTLP is our client posting OTLP/HTTP to the otel row's receiver.
const rowOursOTLP = "metlog-otlp-http"

// rowOrder is the order rows are shown in, whatever order they ran in
// (the report runs the otel rows separately).
var rowOrder = append(append([]string{rowDiscard, rowFile, rowOTel}, oursRows...), rowOursOTLP, "tee-file+metlog-json-unix")

// inRowOrder sorts row names by rowOrder; others keep their order after.
func inRowOrder(rows []string) []string {
	rank := func(r string) int {
		if i := slices.Index(rowOrder, r); i >= 0 {
			return i
		}
		return len(rowOrder)
	}
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// table is a Markdown table under construction.
type table struct {
	head []string
	left int // leading columns of text, aligned left; the rest right
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(t.head)
	sep := make([]string, len(t.head))
	for i := range sep {
		sep[i] = "---"
		if i >= max(t.left, 1) {
			sep[i] = "--:"
		}
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// num formats a measurement; negative means missing.
func num(v float64) string {
	switch {
	case v < 0 || math.IsNaN(v):
		return "—"
	case v == 0:
		return "0"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// ratio formats a/b, or "—".
func ratio(a, b float64) string {
	if a < 0 || b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// frac formats a delivered fraction.
func frac(v float64) string {
	if v < 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}

// dur formats nanoseconds for a latency.
func dur(ns float64) string {
	switch {
	case ns < 0:
		return "—"
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

// withSpread is a median and its confidence interval as benchmath gives it.
func (r *results) withSpread(name, unit string) string {
	s, ok := r.get(name, unit)
	if !ok {
		return "—"
	}
	return num(s.Center) + " ±" + s.PctRangeString()
}

// cost is what a Log row pays per delivered message (cpu-ns/msg), or per
// call where no message is delivered (a disabled level: cpu-ns/op).
func (r *results) cost(name string) float64 {
	if v := r.center(name, "cpu-ns/msg"); v >= 0 {
		return v
	}
	return r.center(name, "cpu-ns/op")
}

// logTables returns one table per framework: every scenario and row with
// ns/op, the CPU cost per delivered message and its ratios to rows 1
// (io.Discard) and 2 (a file), B/op, allocs/op and the delivered fraction.
func (r *results) logTables() []string {
	var out []string
	for _, fw := range r.distinct("Log/", 1) {
		t := &table{head: []string{"scenario", "row", "ns/op", "cpu-ns/msg", "× discard", "× file", "B/op", "allocs/op", "delivered"}, left: 2}
		for _, sc := range r.distinct("Log/"+fw+"/", 2) {
			base := "Log/" + fw + "/" + sc + "/"
			discard, file := r.cost(base+rowDiscard), r.cost(base+rowFile)
			for _, row := range inRowOrder(r.distinct(base, 3)) {
				n := base + row
				cpuCell := r.withSpread(n, "cpu-ns/msg")
				if _, ok := r.get(n, "cpu-ns/msg"); !ok {
					cpuCell = r.withSpread(n, "cpu-ns/op") + " (per call)"
				}
				t.add(sc, row, r.withSpread(n, "ns/op"), cpuCell, ratio(r.cost(n), discard), ratio(r.cost(n), file),
					num(r.center(n, "B/op")), num(r.center(n, "allocs/op")), frac(r.center(n, "delivered")))
			}
		}
		out = append(out, "#### "+fw+"\n\n"+t.String())
	}
	return out
}

// sustainedTables returns one table per offered rate.
func (r *results) sustainedTables() []string {
	var out []string
	for _, rate := range r.distinct("Sustained/", 1) {
		t := &table{head: []string{"framework", "row", "p50", "p99", "p99.9", "cpu-ns/msg", "delivered", "achieved msgs/s"}, left: 2}
		for _, n := range r.names("Sustained/" + rate + "/") {
			parts := strings.Split(n, "/")
			if len(parts) != 4 {
				continue
			}
			cpuCell := num(r.center(n, "cpu-ns/msg"))
			if parts[2] == "harness" {
				cpuCell = num(r.center(n, "cpu-ns/op")) + " (per call)"
			}
			t.add(parts[2], parts[3], dur(r.center(n, "p50-ns")), dur(r.center(n, "p99-ns")), dur(r.center(n, "p99.9-ns")),
				cpuCell, frac(r.center(n, "delivered")), num(r.center(n, "msgs/s")))
		}
		out = append(out, "#### "+strings.TrimPrefix(rate, "rate=")+" messages per second offered\n\n"+t.String())
	}
	return out
}

// metricsTable returns the metrics benchmarks.
func (r *results) metricsTable() string {
	t := &table{head: []string{"call", "client", "ns/op", "cpu-ns/op", "allocs/op", "msgs/op", "delivered"}, left: 2}
	for _, n := range r.names("Metrics/") {
		parts := strings.Split(n, "/")
		if len(parts) != 3 {
			continue
		}
		t.add(parts[1], parts[2], r.withSpread(n, "ns/op"), num(r.center(n, "cpu-ns/op")), num(r.center(n, "allocs/op")),
			fmt.Sprintf("%.4g", r.center(n, "msgs/op")), frac(r.center(n, "delivered")))
	}
	return t.String()
}

// throughputTable returns the throughput benchmarks.
func (r *results) throughputTable() string {
	t := &table{head: []string{"socket and format", "producers", "msgs/s", "MB/s", "cpu-ns/msg", "delivered"}, left: 2}
	for _, n := range r.names("Throughput/") {
		parts := strings.Split(n, "/")
		if len(parts) != 3 {
			continue
		}
		t.add(parts[1], parts[2], r.withSpread(n, "msgs/s"), num(r.center(n, "MB/s")), num(r.center(n, "cpu-ns/msg")),
			frac(r.center(n, "delivered")))
	}
	return t.String()
}

// minOf returns the smallest value of unit over name's runs, or -1.
func (r *results) minOf(name, unit string) float64 {
	vs := r.values[name][unit]
	if len(vs) == 0 {
		return -1
	}
	return slices.Min(vs)
}

// targets judges the targets on this run's medians:
//
//	(a) ours as the only sink, to a socket, costs at most half the native
//	    logger writing the same line to a file (CPU per delivered message),
//	    with no added allocs/op (logrus: 2 at most);
//	(b) at least 5x less CPU per delivered message than the OTel bridge;
//	(c) at 50k and 200k messages per second nothing is dropped, and the
//	    log call's p99.9 is no higher than the native logger's to a file.
func (r *results) targets() (string, []string) {
	var missed []string
	a := &table{head: []string{"framework", "scenario", "file cpu-ns/msg", "ours ÷ file (json-unix, json-tcp, heka-unix, heka-tcp)", "added allocs/op", "(a) met"}, left: 2}
	b := &table{head: []string{"framework", "scenario", "otel cpu-ns/msg", "otel ÷ ours (json-unix, json-tcp, heka-unix, heka-tcp)", "(b) met"}, left: 2}
	d := &table{head: []string{"framework", "scenario", "otel cpu-ns/msg", "ours over OTLP cpu-ns/msg", "otel ÷ ours", "ours delivered", "(d) met"}, left: 2}
	for _, fw := range r.distinct("Log/", 1) {
		for _, sc := range r.distinct("Log/"+fw+"/", 2) {
			if sc == "disabled" {
				continue
			}
			base := "Log/" + fw + "/" + sc + "/"
			file, fileAllocs := r.cost(base+rowFile), r.center(base+rowFile, "allocs/op")
			otel := r.cost(base + rowOTel)
			allowed := 0.0
			if fw == "logrus" {
				allowed = 2
			}
			var ra, rb []string
			okA, okB, added := file > 0, otel > 0, math.Inf(-1)
			for _, row := range oursRows {
				c := r.cost(base + row)
				ra = append(ra, ratio(c, file))
				rb = append(rb, ratio(otel, c))
				if c < 0 || file <= 0 || c > file/2 {
					okA = false
				}
				if c <= 0 || otel < 0 || otel < 5*c {
					okB = false
				}
				added = max(added, r.center(base+row, "allocs/op")-fileAllocs)
			}
			if added > allowed {
				okA = false
			}
			a.add(fw, sc, num(file), strings.Join(ra, ", "), fmt.Sprintf("%+.0f", added), yes(okA))
			if !okA {
				missed = append(missed, fmt.Sprintf("(a) %s %s", fw, sc))
			}
			if otel < 0 {
				b.add(fw, sc, "no official bridge", "—", "—")
				continue
			}
			b.add(fw, sc, num(otel), strings.Join(rb, ", "), yes(okB))
			if !okB {
				missed = append(missed, fmt.Sprintf("(b) %s %s", fw, sc))
			}
			if o := r.cost(base + rowOursOTLP); o > 0 {
				del := r.minOf(base+rowOursOTLP, "delivered")
				okD := otel >= 5*o && del >= 1
				d.add(fw, sc, num(otel), num(o), ratio(otel, o), frac(del), yes(okD))
				if !okD {
					missed = append(missed, fmt.Sprintf("(d) %s %s", fw, sc))
				}
			}
		}
	}
	c := &table{head: []string{"rate", "framework", "row", "delivered (lowest run)", "p99.9", "file p99.9", "(c) met"}, left: 3}
	for _, rate := range r.distinct("Sustained/", 1) {
		for _, fw := range r.distinct("Sustained/"+rate+"/", 2) {
			if fw == "harness" {
				continue
			}
			base := "Sustained/" + rate + "/" + fw + "/"
			fileP := r.center(base+rowFile, "p99.9-ns")
			for _, row := range oursRows {
				n := base + row
				del, p := r.minOf(n, "delivered"), r.center(n, "p99.9-ns")
				ok := del >= 1 && p >= 0 && fileP >= 0 && p <= fileP
				c.add(strings.TrimPrefix(rate, "rate="), fw, row, frac(del), dur(p), dur(fileP), yes(ok))
				if !ok {
					missed = append(missed, fmt.Sprintf("(c) %s %s %s", rate, fw, row))
				}
			}
		}
	}
	text := "(a) ours as the only sink, delivered to a socket, at most half the native logger's CPU per message to a file, and no added allocs/op (logrus: +2 at most):\n\n" + a.String() +
		"\n(b) at least 5× less CPU per delivered message than the OpenTelemetry bridge:\n\n" + b.String() +
		"\n(c) at 50k and 200k messages per second: nothing dropped in any run, and p99.9 of the log call no higher than the native logger's to a file:\n\n" + c.String() +
		"\n(d) to the bridge's own destination, an OTLP/HTTP endpoint: at least 5× less CPU per delivered record than the OpenTelemetry bridge, and every record delivered (none dropped in the lowest run):\n\n" + d.String()
	return text, missed
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
