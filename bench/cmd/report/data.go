package main

import (
	"bytes"
	"io"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// results holds every measurement of a set of runs: for each benchmark
// (its name without the Benchmark prefix and the -GOMAXPROCS suffix) and
// unit, the values of all its runs, and the file's configuration (goos,
// cpu, ...).
type results struct {
	values map[string]map[string][]float64
	order  []string // benchmark names in the order first seen
	config map[string]string
}

// parse reads Go benchmark output with benchfmt.
func parse(r io.Reader, name string) (*results, error) {
	res := &results{values: map[string]map[string][]float64{}, config: map[string]string{}}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		rec, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // syntax errors: lines that are not results
		}
		for _, c := range rec.Config {
			if c.File {
				res.config[c.Key] = string(c.Value)
			}
		}
		n := benchName(rec.Name)
		units := res.values[n]
		if units == nil {
			units = map[string][]float64{}
			res.values[n] = units
			res.order = append(res.order, n)
		}
		for _, v := range rec.Values {
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			units[unit] = append(units[unit], val)
		}
	}
	return res, br.Err()
}

// benchName is the benchmark's base name and its sub-benchmark parts,
// joined by "/", without the -GOMAXPROCS part.
func benchName(n benchfmt.Name) string {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(bytes.TrimPrefix(base, []byte("Benchmark")))
	for _, p := range parts {
		if len(p) > 0 && p[0] == '/' {
			b.Write(p)
		}
	}
	return b.String()
}

// summary is the median of one benchmark's values of one unit over its
// runs, with benchmath's confidence interval (no assumption about the
// distribution).
type summary struct {
	benchmath.Summary
	n int
}

// get summarises unit for benchmark name; ok is false without values.
func (r *results) get(name, unit string) (summary, bool) {
	vs := r.values[name][unit]
	if len(vs) == 0 {
		return summary{}, false
	}
	s := benchmath.NewSample(vs, &benchmath.DefaultThresholds)
	return summary{benchmath.AssumeNothing.Summary(s, 0.95), len(vs)}, true
}

// center returns the median of unit for name, or -1.
func (r *results) center(name, unit string) float64 {
	s, ok := r.get(name, unit)
	if !ok {
		return -1
	}
	return s.Center
}

// names returns the benchmark names under prefix, in the order seen.
func (r *results) names(prefix string) []string {
	var out []string
	for _, n := range r.order {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// distinct returns the distinct values of the i-th "/" part of the
// names under prefix, in the order seen.
func (r *results) distinct(prefix string, i int) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range r.names(prefix) {
		parts := strings.Split(n, "/")
		if i < len(parts) && !seen[parts[i]] {
			seen[parts[i]] = true
			out = append(out, parts[i])
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
