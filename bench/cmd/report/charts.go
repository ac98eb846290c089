package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// chart is a grouped bar chart: one group per label, one bar per series.
// Values span orders of magnitude (the OpenTelemetry bridge beside a
// socket, a millisecond stall beside a microsecond call), so bar heights
// are log10 of the value over a floor (the power of ten below the
// smallest value), on an axis labelled in the value's unit.
type chart struct {
	title, ylabel string
	groups        []string
	series        []string
	values        map[string][]float64 // series -> one value per group; <= 0: missing
}

// palette has a distinct colour for each of up to 8 series.
var palette = []color.Color{
	color.RGBA{0x4e, 0x79, 0xa7, 0xff}, color.RGBA{0xf2, 0x8e, 0x2b, 0xff},
	color.RGBA{0xe1, 0x57, 0x59, 0xff}, color.RGBA{0x76, 0xb7, 0xb2, 0xff},
	color.RGBA{0x59, 0xa1, 0x4f, 0xff}, color.RGBA{0xed, 0xc9, 0x48, 0xff},
	color.RGBA{0xb0, 0x7a, 0xa1, 0xff}, color.RGBA{0x9c, 0x75, 0x5f, 0xff},
}

func (c *chart) save(path string) error {
	lo, hi := math.Inf(1), 0.0
	for _, vs := range c.values {
		for _, v := range vs {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if hi == 0 {
		return nil
	}
	floor := math.Pow(10, math.Floor(math.Log10(lo)))
	p := plot.New()
	p.Title.Text = c.title
	p.Y.Label.Text = c.ylabel
	p.Y.Tick.Marker = logTicks{floor}
	p.Legend.Top = true
	p.Legend.Left = true
	w := vg.Points(float64(min(14, 120/max(1, len(c.series)))))
	for i, s := range c.series {
		vals := make(plotter.Values, len(c.groups))
		for j := range c.groups {
			if v := c.values[s][j]; v > floor {
				vals[j] = math.Log10(v / floor)
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(float64(i)-float64(len(c.series)-1)/2)
		p.Add(bars)
		p.Legend.Add(s, bars)
	}
	p.NominalX(c.groups...)
	// Headroom for the legend above the tallest bar.
	p.Y.Min = 0
	p.Y.Max = math.Log10(hi/floor) / 0.6
	p.Add(plotter.NewGrid())
	p.BackgroundColor = color.White
	width := vg.Length(max(6, 1.8*float64(len(c.groups)))) * vg.Inch
	return p.Save(width, 5*vg.Inch, path)
}

// logTicks labels an axis of log10(value/floor) with the values.
type logTicks struct{ floor float64 }

func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		if e >= lo && e <= hi {
			ts = append(ts, plot.Tick{Value: e, Label: nsLabel(math.Pow(10, e) * t.floor)})
		}
		for m := 2.0; m < 10; m++ {
			if v := e + math.Log10(m); v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	return ts
}

// nsLabel writes a power of ten of nanoseconds as a duration.
func nsLabel(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.0f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.0f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// charts writes the report's charts into dir and returns their file names:
// CPU per delivered message per framework and row, one chart per
// scenario; and the sustained load's p99.9 per framework and row, one
// chart per rate.
func (r *results) charts(dir string) ([]string, error) {
	var files []string
	add := func(name string, c *chart) error {
		if len(c.series) == 0 {
			return nil
		}
		if err := c.save(filepath.Join(dir, name)); err != nil {
			return err
		}
		files = append(files, name)
		return nil
	}
	for _, sc := range []string{"static", "10fields", "10context"} {
		c := r.frameworkChart("CPU per delivered message, "+sc+" (log scale)", "CPU time per message", "cpu-ns/msg",
			"Log/", func(fw string) string { return "Log/" + fw + "/" + sc + "/" })
		if err := add("cpu-per-msg-"+sc+".svg", c); err != nil {
			return files, err
		}
	}
	for _, rate := range r.distinct("Sustained/", 1) {
		perSec := strings.TrimPrefix(rate, "rate=")
		c := r.frameworkChart("p99.9 of the log call at "+perSec+" msgs/s (log scale)", "p99.9 latency", "p99.9-ns",
			"Sustained/"+rate+"/", func(fw string) string { return "Sustained/" + rate + "/" + fw + "/" })
		if err := add("sustained-p999-"+perSec+".svg", c); err != nil {
			return files, err
		}
	}
	return files, nil
}

// frameworkChart charts unit with one group per framework (the names'
// part after prefix, but the harness) and one series per row (the part
// after rowPrefix(framework)).
func (r *results) frameworkChart(title, ylabel, unit, prefix string, rowPrefix func(fw string) string) *chart {
	c := &chart{title: title, ylabel: ylabel, values: map[string][]float64{}}
	depth := strings.Count(prefix, "/")
	for _, fw := range r.distinct(prefix, depth) {
		if fw != "harness" {
			c.groups = append(c.groups, fw)
		}
	}
	for _, fw := range c.groups {
		p := rowPrefix(fw)
		for _, row := range inRowOrder(r.distinct(p, strings.Count(p, "/"))) {
			if _, ok := c.values[row]; !ok {
				c.series = append(c.series, row)
				c.values[row] = make([]float64, len(c.groups))
			}
		}
	}
	for j, fw := range c.groups {
		for _, row := range c.series {
			c.values[row][j] = r.center(rowPrefix(fw)+row, unit)
		}
	}
	return c
}
