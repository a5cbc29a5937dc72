package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart size.
const (
	chartWidth  = 8 * vg.Inch
	chartHeight = 5 * vg.Inch
)

// PlotThroughput charts msgs/s against producer count (or, for a result that
// only steps the rate, against offered rate), one line per target. With
// repeats each point is their mean, with min-max error bars. The format
// follows the extension of path (.png, .svg, .pdf, ...).
func PlotThroughput(r *Result, path string) error {
	if r == nil {
		return errors.New("plot throughput: nil result")
	}
	c := chartData(r)
	p := newChart(r, "throughput", c)
	p.Y.Label.Text = "throughput (msgs/s)"
	p.Y.Tick.Marker = plot.TickerFunc(compactTicks)
	var maxY float64
	for i, s := range c.series {
		var xys plotter.XYs
		var errs plotter.YErrors
		spread := false
		for _, pt := range s.points {
			mean, lo, hi, ok := pt.throughput()
			if !ok {
				continue
			}
			xys = append(xys, plotter.XY{X: pt.x, Y: mean})
			errs = append(errs, struct{ Low, High float64 }{mean - lo, hi - mean})
			spread = spread || len(pt.runs) > 1
			maxY = max(maxY, hi)
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("plot throughput: %w", err)
		}
		styleSeries(line, points, plotutil.Color(i), nil, plotutil.Shape(i))
		p.Add(line, points)
		if spread {
			bars, err := plotter.NewYErrorBars(errorPoints{xys, errs})
			if err != nil {
				return fmt.Errorf("plot throughput: %w", err)
			}
			bars.LineStyle.Color = plotutil.Color(i)
			p.Add(bars)
		}
		p.Legend.Add(s.target, line, points)
	}
	p.Y.Min = 0
	p.Y.Max = linearTop(maxY, legendFraction(p.Legend, len(c.series)))
	if err := saveChart(p, path); err != nil {
		return fmt.Errorf("plot throughput: %w", err)
	}
	return nil
}

// errorPoints pairs points with their error bars for plotter.NewYErrorBars.
type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// percentile is one latency line on the latency chart.
type percentile struct {
	name string
	get  func(Percentiles) float64
}

// PlotLatency charts p50, p99 and p99.9 latency against producer count (or
// offered rate) on a logarithmic axis. Colors distinguish targets and line
// styles distinguish percentiles. Repeats are merged through their
// histograms. The format follows the extension of path.
func PlotLatency(r *Result, path string) error {
	if r == nil {
		return errors.New("plot latency: nil result")
	}
	pcts := []percentile{
		{"p50", func(l Percentiles) float64 { return l.P50 }},
		{"p99", func(l Percentiles) float64 { return l.P99 }},
		{"p99.9", func(l Percentiles) float64 { return l.P999 }},
	}
	c := chartData(r)
	p := newChart(r, "latency", c)

	// Latencies per series and point, in µs; the unit is chosen from them.
	lat := make([][]Percentiles, len(c.series))
	var lo, hi float64
	for i, s := range c.series {
		for _, pt := range s.points {
			l := pt.latency()
			lat[i] = append(lat[i], l)
			for _, pc := range pcts {
				if v := pc.get(l); v > 0 && isFinite(v) {
					if lo == 0 || v < lo {
						lo = v
					}
					hi = max(hi, v)
				}
			}
		}
	}
	unit, div := "µs", 1.0
	if hi >= 10e3 {
		unit, div = "ms", 1e3
	}
	p.Y.Label.Text = "latency (" + unit + ")"
	if hi == 0 { // nothing to draw: keep a plain linear axis
		if len(c.series) > 0 {
			p.Title.Text += " (no latency data)"
		}
		p.Y.Min, p.Y.Max = 0, 1
		if err := saveChart(p, path); err != nil {
			return fmt.Errorf("plot latency: %w", err)
		}
		return nil
	}

	for i, s := range c.series {
		for k, pc := range pcts {
			var xys plotter.XYs
			for j, pt := range s.points {
				// A log axis cannot show zero; such points are left out.
				if v := pc.get(lat[i][j]); v > 0 && isFinite(v) {
					xys = append(xys, plotter.XY{X: pt.x, Y: v / div})
				}
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("plot latency: %w", err)
			}
			styleSeries(line, points, plotutil.Color(i), plotutil.Dashes(k), plotutil.Shape(k))
			p.Add(line, points)
		}
	}
	// Legend: one entry per target (its color), one per percentile (its style).
	for i, s := range c.series {
		p.Legend.Add(s.target, &plotter.Line{LineStyle: draw.LineStyle{Color: plotutil.Color(i), Width: vg.Points(2)}})
	}
	for k, pc := range pcts {
		line := &plotter.Line{LineStyle: draw.LineStyle{Color: color.Gray{Y: 64}, Width: vg.Points(1), Dashes: plotutil.Dashes(k)}}
		points := &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: color.Gray{Y: 64}, Radius: vg.Points(2.5), Shape: plotutil.Shape(k)}}
		p.Legend.Add(pc.name, line, points)
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.TickerFunc(logTicks)
	p.Y.Min, p.Y.Max = logRange(lo/div, hi/div, legendFraction(p.Legend, len(c.series)+len(pcts)))
	if err := saveChart(p, path); err != nil {
		return fmt.Errorf("plot latency: %w", err)
	}
	return nil
}

// newChart returns a plot with the title, x axis and legend placement
// shared by both charts.
func newChart(r *Result, what string, c chart) *plot.Plot {
	p := plot.New()
	name := r.Scenario.Name
	if name == "" {
		name = "stationbench"
	}
	p.Title.Text = name + ": " + what
	if r.Status != StatusComplete && r.Status != "" {
		p.Title.Text += " (" + string(r.Status) + ")"
	}
	if len(c.series) == 0 {
		p.Title.Text += " (no completed runs)"
		p.Y.Min, p.Y.Max = 0, 1
	}
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = c.xLabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(4)
	p.Add(plotter.NewGrid())
	setXAxis(p, c.xs)
	return p
}

// styleSeries gives a line and its points one color, a dash pattern and a
// glyph shape.
func styleSeries(l *plotter.Line, s *plotter.Scatter, c color.Color, dashes []vg.Length, shape draw.GlyphDrawer) {
	l.LineStyle.Color = c
	l.LineStyle.Width = vg.Points(1.5)
	l.LineStyle.Dashes = dashes
	s.GlyphStyle.Color = c
	s.GlyphStyle.Radius = vg.Points(2.5)
	s.GlyphStyle.Shape = shape
}

// saveChart renders p in the format named by path's extension and writes
// it atomically.
func saveChart(p *plot.Plot, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "" {
		return fmt.Errorf("%s: no file extension to choose an image format", path)
	}
	wt, err := p.WriterTo(chartWidth, chartHeight, format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}
