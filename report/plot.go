package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/internal/atomicfile"
	"github.com/stationbench/stationbench/result"
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
// repeats each point is their mean, with min-max error bars. A producer
// sweep also shows, faint, the ideal linear scaling from the smallest
// producer count, and the fitted USL curve of each target. The format
// follows the extension of path (.png, .svg, .pdf, ...).
func PlotThroughput(r *result.Result, path string) error {
	if r == nil {
		return errors.New("plot throughput: nil result")
	}
	if err := saveChart(throughputPlot(r), path); err != nil {
		return fmt.Errorf("plot throughput: %w", err)
	}
	return nil
}

// throughputPlot builds the throughput chart.
func throughputPlot(r *result.Result) *plot.Plot {
	p, _ := buildThroughput(r)
	return p
}

// refLine is a reference line of the throughput chart (ideal scaling, a
// USL fit, a band edge), as drawn: clipped to the chart's headroom.
type refLine struct {
	name string
	XYs  plotter.XYs
}

// throughputLines returns the reference lines the throughput chart draws.
func throughputLines(r *result.Result) []refLine {
	_, refs := buildThroughput(r)
	return refs
}

// refHeadroom is how far above the highest measured throughput reference
// lines (ideal scaling, USL fit and band) may reach before they are cut.
const refHeadroom = 1.15

// buildThroughput builds the throughput chart and lists its reference lines.
func buildThroughput(r *result.Result) (*plot.Plot, []refLine) {
	c := chartData(r)
	p := newChart(r, "throughput", c)
	p.Y.Label.Text = "throughput (msgs/s)"
	p.Y.Tick.Marker = plot.TickerFunc(compactTicks)
	producers := c.xLabel == "producers"
	fits := map[string]*result.USLFit{}
	if producers {
		for _, s := range capacities(r) {
			fits[s.Target] = s.Fit
		}
	}
	var maxY float64
	for _, s := range c.series {
		for _, pt := range s.points {
			if _, _, hi, ok := pt.throughput(); ok {
				maxY = max(maxY, hi)
			}
		}
	}
	clip := maxY * refHeadroom
	var refs []refLine
	addRef := func(name string, l *plotter.Line) {
		for _, seg := range clipBelow(l.XYs, clip) {
			seg := &plotter.Line{XYs: seg, LineStyle: l.LineStyle}
			p.Add(seg)
			refs = append(refs, refLine{name: name, XYs: seg.XYs})
		}
	}
	legendRows := 0
	ideal, band := false, false
	for i, s := range c.series {
		var xys plotter.XYs
		var errs plotter.YErrors
		repeats := 1
		for _, pt := range s.points {
			mean, lo, hi, ok := pt.throughput()
			if !ok {
				continue
			}
			xys = append(xys, plotter.XY{X: pt.x, Y: mean})
			errs = append(errs, struct{ Low, High float64 }{mean - lo, hi - mean})
			repeats = max(repeats, pt.repeats())
		}
		if len(xys) == 0 {
			continue
		}
		col := plotutil.Color(i)
		fit := fits[s.target]
		if fit != nil && fit.Interval != nil {
			if poly := bandPolygon(*fit, clip, col); poly != nil {
				p.Add(poly)
				band = true
			}
		}
		if producers && len(xys) > 1 && xys[0].X >= 1 {
			base := xys[0]
			addRef(s.target+" ideal", curve(base.X, xys[len(xys)-1].X, func(x float64) float64 { return x / base.X * base.Y },
				faint(col), []vg.Length{vg.Points(2), vg.Points(3)}))
			ideal = true
		}
		line, points := newLinePoints(xys)
		styleSeries(line, points, col, nil, plotutil.Shape(i))
		p.Add(line, points)
		name := s.target
		thumbs := []plot.Thumbnailer{line, points}
		if repeats > 1 {
			bars, err := plotter.NewYErrorBars(errorPoints{xys, errs})
			if err == nil {
				bars.LineStyle.Color = col
				p.Add(bars)
				name += fmt.Sprintf(" (mean; bars: min-max of %d repeats)", repeats)
			}
		}
		p.Legend.Add(name, thumbs...)
		legendRows++
		if fit != nil {
			f := *fit
			l := curve(xys[0].X, xys[len(xys)-1].X, f.Predict, col, []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1), vg.Points(2)})
			l.LineStyle.Width = vg.Points(1)
			addRef(s.target+" USL fit", l)
			p.Legend.Add(s.target+" USL fit ("+fitLegend(f)+")", l)
			legendRows++
		}
	}
	if band {
		p.Legend.Add(fmt.Sprintf("shaded: %.0f%% band of the USL fit (bootstrap over repeats)", 100*analysis.USLLevel),
			&plotter.Polygon{Color: faint(color.Gray{Y: 128})})
		legendRows++
	}
	if ideal {
		p.Legend.Add("ideal linear scaling (from the first point; cut above the data)",
			&plotter.Line{LineStyle: draw.LineStyle{Color: faint(color.Gray{Y: 64}), Width: vg.Points(1.5),
				Dashes: []vg.Length{vg.Points(2), vg.Points(3)}}})
		legendRows++
	}
	p.Y.Min = 0
	p.Y.Max = linearTop(clip, legendFraction(p.Legend, legendRows))
	return p, refs
}

// fitLegend is the short description of a fit in the chart's legend.
func fitLegend(f result.USLFit) string {
	s := fmt.Sprintf("σ %.2g, κ %.2g", f.Sigma, f.Kappa)
	switch {
	case f.Saturated:
		s += fmt.Sprintf("; no growth past %g", f.MinN)
	case peakReliable(f):
		s += fmt.Sprintf("; peak N* %.1f", f.PeakN)
		if ci := f.Interval; ci != nil {
			hi := fmt.Sprintf("%.1f]", ci.PeakN[1])
			if math.IsInf(ci.PeakN[1], 1) {
				hi = "∞)"
			}
			s += fmt.Sprintf(" [%.1f, %s", ci.PeakN[0], hi)
		}
	}
	return s
}

// bandPolygon is the fit's bootstrap band (over the counts it was fitted
// on), its top cut at clip; nil without a band.
func bandPolygon(f result.USLFit, clip float64, c color.Color) *plotter.Polygon {
	if f.Interval == nil || len(f.Interval.Band) == 0 {
		return nil
	}
	var lo, hi plotter.XYs
	for _, b := range f.Interval.Band {
		if !isFinite(b.Low) || !isFinite(b.High) {
			return nil
		}
		lo = append(lo, plotter.XY{X: b.N, Y: min(b.Low, clip)})
		hi = append(hi, plotter.XY{X: b.N, Y: min(b.High, clip)})
	}
	ring := append(plotter.XYs{}, lo...)
	for i := len(hi) - 1; i >= 0; i-- {
		ring = append(ring, hi[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil
	}
	r, g, b, _ := c.RGBA()
	poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 45}
	poly.LineStyle.Width = 0
	return poly
}

// clipBelow cuts a line where it rises above top, returning the pieces at
// or below it; the crossing points are interpolated so that a piece ends
// exactly at top.
func clipBelow(xys plotter.XYs, top float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, pt := range xys {
		in := pt.Y <= top
		if i > 0 {
			prev := xys[i-1]
			if (prev.Y <= top) != in && prev.Y != pt.Y {
				t := (top - prev.Y) / (pt.Y - prev.Y)
				cross := plotter.XY{X: prev.X + t*(pt.X-prev.X), Y: top}
				cur = append(cur, cross)
				if !in {
					out = append(out, cur)
					cur = nil
				}
			}
		}
		if in {
			cur = append(cur, pt)
		}
	}
	if len(cur) > 1 {
		out = append(out, cur)
	}
	var keep []plotter.XYs
	for _, seg := range out {
		if len(seg) > 1 {
			keep = append(keep, seg)
		}
	}
	return keep
}

// curve samples f between x0 and x1 (log-spaced, as x axes of producer
// counts often are) as a line.
func curve(x0, x1 float64, f func(float64) float64, c color.Color, dashes []vg.Length) *plotter.Line {
	const n = 64
	xys := make(plotter.XYs, 0, n+1)
	for i := 0; i <= n; i++ {
		x := x0 * math.Pow(x1/x0, float64(i)/n)
		if y := f(x); isFinite(y) {
			xys = append(xys, plotter.XY{X: x, Y: y})
		}
	}
	return &plotter.Line{XYs: xys, LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: dashes}}
}

// faint returns c at a low opacity, for reference lines.
func faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 100}
}

// newLinePoints is plotter.NewLinePoints for points already known finite.
func newLinePoints(xys plotter.XYs) (*plotter.Line, *plotter.Scatter) {
	return &plotter.Line{XYs: xys}, &plotter.Scatter{XYs: xys}
}

// errorPoints pairs points with their error bars for plotter.NewYErrorBars.
type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// percentile is one latency line on the latency chart.
type percentile struct {
	name string
	get  func(result.Percentiles) float64
}

// PlotLatency charts p50, p99 and p99.9 latency against producer count (or
// offered rate) on a logarithmic axis. Colors distinguish targets and line
// styles distinguish percentiles. Repeats are merged through their
// histograms. The format follows the extension of path.
func PlotLatency(r *result.Result, path string) error {
	if r == nil {
		return errors.New("plot latency: nil result")
	}
	if err := saveChart(latencyPlot(r, chartData(r), "latency", nil, nil), path); err != nil {
		return fmt.Errorf("plot latency: %w", err)
	}
	return nil
}

// PlotLatencyRate charts p50, p99 and p99.9 latency against the offered
// rate of the runs that step the rate (the hockey stick), on a logarithmic
// latency axis. The format follows the extension of path.
func PlotLatencyRate(r *result.Result, path string) error {
	if r == nil {
		return errors.New("plot latency against rate: nil result")
	}
	if err := saveChart(latencyRatePlot(r), path); err != nil {
		return fmt.Errorf("plot latency against rate: %w", err)
	}
	return nil
}

// sloLine is a latency objective drawn across a latency chart.
type sloLine struct {
	name string
	us   float64
}

// sloBounds are the scenario's latency objectives (findMaxRate's).
func sloBounds(r *result.Result) []sloLine {
	f := r.Scenario.Load.FindMaxRate
	if f == nil {
		return nil
	}
	var out []sloLine
	for _, b := range f.SLO() {
		out = append(out, sloLine{name: "SLO " + b.Percentile + " " + b.Max.String(), us: float64(b.Max.D().Microseconds())})
	}
	return out
}

// latencyRatePlot builds the latency chart against offered rate, with the
// scenario's objectives and the rates findMaxRate found.
func latencyRatePlot(r *result.Result) *plot.Plot {
	return latencyPlot(r, chartDataAxis(r, result.AxisRate), "latency against offered rate", sloBounds(r), maxRateMarks(r))
}

// latencyPlot builds a latency chart of c, with the objectives in slo
// drawn as horizontal lines and the rates in marks as vertical ones.
func latencyPlot(r *result.Result, c chart, what string, slo []sloLine, marks []rateMark) *plot.Plot {
	pcts := []percentile{
		{"p50", func(l result.Percentiles) float64 { return l.P50 }},
		{"p99", func(l result.Percentiles) float64 { return l.P99 }},
		{"p99.9", func(l result.Percentiles) float64 { return l.P999 }},
	}
	p := newChart(r, what, c)

	// Latencies per series and point, in µs; the unit is chosen from them.
	lat := make([][]result.Percentiles, len(c.series))
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
	if hi > 0 {
		for _, s := range slo {
			lo, hi = min(lo, s.us), max(hi, s.us)
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
		return p
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
			line, points := newLinePoints(xys)
			styleSeries(line, points, plotutil.Color(i), plotutil.Dashes(k), plotutil.Shape(k))
			p.Add(line, points)
		}
	}
	for _, s := range slo {
		if xmin, xmax, ok := xRange(c); ok {
			line, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: s.us / div}, {X: xmax, Y: s.us / div}})
			if err == nil {
				line.LineStyle = draw.LineStyle{Color: color.RGBA{R: 200, A: 255}, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
				p.Add(line)
				p.Legend.Add(s.name, line)
			}
		}
	}
	ylo, yhi := logRange(lo/div, hi/div, legendFraction(p.Legend, len(c.series)+len(pcts)+len(slo)+len(marks)))
	for _, m := range marks {
		line := &plotter.Line{XYs: plotter.XYs{{X: m.rate, Y: ylo}, {X: m.rate, Y: yhi}},
			LineStyle: draw.LineStyle{Color: colorAnswer, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}}
		p.Add(line)
		p.Legend.Add(m.name, line)
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
	p.Y.Min, p.Y.Max = ylo, yhi
	return p
}

// newChart returns a plot with the title, x axis and legend placement
// shared by both charts.
func newChart(r *result.Result, what string, c chart) *plot.Plot {
	p := plot.New()
	name := r.Scenario.Name
	if name == "" {
		name = "stationbench"
	}
	p.Title.Text = name + ": " + what
	if r.Status != result.StatusComplete && r.Status != "" {
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

// figure is anything that draws itself on a canvas: a *plot.Plot, or
// several aligned plots.
type figure interface {
	Draw(draw.Canvas)
}

// renderFigure draws f in format (png, svg, pdf, ...) at the chart size.
// A panic inside gonum/plot on data it cannot draw becomes an error, so
// that one chart never takes the rest of a report with it.
func renderFigure(f figure, format string) (b []byte, err error) {
	c, err := draw.NewFormattedCanvas(chartWidth, chartHeight, format)
	if err != nil {
		return nil, err
	}
	defer func() {
		if v := recover(); v != nil {
			b, err = nil, fmt.Errorf("render %s: %v", format, v)
		}
	}()
	f.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render %s: %w", format, err)
	}
	return buf.Bytes(), nil
}

// saveChart renders f in the format named by path's extension and writes
// it atomically.
func saveChart(f figure, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "" {
		return fmt.Errorf("%s: no file extension to choose an image format", path)
	}
	b, err := renderFigure(f, format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, b)
}

// xRange is the span of the chart's x values.
func xRange(c chart) (lo, hi float64, ok bool) {
	for _, s := range c.series {
		for _, pt := range s.points {
			if !ok || pt.x < lo {
				lo = pt.x
			}
			if !ok || pt.x > hi {
				hi = pt.x
			}
			ok = true
		}
	}
	return lo, hi, ok
}
