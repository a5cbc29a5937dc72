package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/stationbench/stationbench/result"
)

// Colors of the findMaxRate chart.
var (
	colorPass    = color.RGBA{R: 20, G: 140, B: 60, A: 255}
	colorFail    = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	colorBracket = color.NRGBA{R: 240, G: 170, B: 30, A: 70}
	colorAnswer  = color.RGBA{R: 20, G: 60, B: 160, A: 255}
)

// maxRateCharts is one chart per findMaxRate search, showing its probes.
func maxRateCharts(r *result.Result) []Chart {
	var out []Chart
	used := map[string]bool{}
	for _, s := range r.MaxRate {
		name := fmt.Sprintf("maxrate-%s-%dp", fileSafe(s.Target), s.Producers)
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("maxrate-%s-%dp-%d", fileSafe(s.Target), s.Producers, i)
		}
		used[name] = true
		title := fmt.Sprintf("findMaxRate probes, target %s, %s", s.Target, stepLabel(result.AxisProducers, float64(s.Producers)))
		out = append(out, Chart{Name: name, Title: title, build: func() figure { return maxRatePlot(r, s) }})
	}
	return out
}

// objective is the latency objective a search's chart plots: the first
// the scenario names (p99 when the result does not say).
func objective(r *result.Result, s result.MaxRateSearch) (name string, limitUs float64, get func(result.Percentiles) float64) {
	get = func(l result.Percentiles) float64 { return l.P99 }
	name = "p99"
	var b *result.PercentileBound
	if f := r.Scenario.Load.FindMaxRate; f != nil && len(f.SLO()) > 0 {
		b = &f.SLO()[0]
	}
	if b != nil {
		name, limitUs = b.Percentile, float64(b.Max.D().Microseconds())
	} else if len(s.SLO) > 0 { // "p99<=10ms"
		if i := strings.Index(s.SLO[0], "<="); i > 0 {
			name = s.SLO[0][:i]
		}
	}
	switch name {
	case "p50":
		get = func(l result.Percentiles) float64 { return l.P50 }
	case "p90":
		get = func(l result.Percentiles) float64 { return l.P90 }
	case "p999":
		get = func(l result.Percentiles) float64 { return l.P999 }
	}
	return name, limitUs, get
}

// maxRatePlot draws one search: each probe at its offered rate and its
// objective latency (log axis), passed or failed, numbered in probe order;
// the objective; the bracket between the highest pass and the lowest fail;
// the answer, confirmed or not; and the closed-loop throughput that topped
// the search.
func maxRatePlot(r *result.Result, s result.MaxRateSearch) *plot.Plot {
	p := plot.New()
	p.Title.Text = chartTitle(r, fmt.Sprintf("findMaxRate probes, %s, %s", s.Target, stepLabel(result.AxisProducers, float64(s.Producers))))
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "offered rate (msgs/s)"
	p.X.Tick.Marker = plot.TickerFunc(compactTicks)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(4)
	p.Add(plotter.NewGrid())
	name, limit, get := objective(r, s)

	var lo, hi, xmax float64
	for _, pr := range s.Probes {
		xmax = math.Max(xmax, pr.RateMsgsPerSec)
		if v := get(pr.LatencyUs); v > 0 && isFinite(v) {
			if lo == 0 || v < lo {
				lo = v
			}
			hi = math.Max(hi, v)
		}
	}
	xmax = math.Max(xmax, s.ClosedLoopMsgsPerSec)
	if limit > 0 {
		if lo == 0 || limit < lo {
			lo = limit
		}
		hi = math.Max(hi, limit)
	}
	if hi == 0 {
		p.Title.Text += " (no probes with latency)"
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, math.Max(1, xmax), 0, 1
		return p
	}
	unit, div := "µs", 1.0
	if hi >= 10e3 {
		unit, div = "ms", 1e3
	}
	p.Y.Label.Text = name + " latency (" + unit + ")"
	// Room for the legend's entries (at most 8) above the data.
	// (A little room below the lowest value, so that an objective there is
	// not drawn on the axis.)
	ymin, ymax := logRange(0.8*lo/div, hi/div, legendFraction(p.Legend, 8))
	vline := func(x float64, style draw.LineStyle) *plotter.Line {
		return &plotter.Line{XYs: plotter.XYs{{X: x, Y: ymin}, {X: x, Y: ymax}}, LineStyle: style}
	}

	// The bracket, shaded, under everything else.
	if s.HighestPassMsgsPerSec > 0 || s.LowestFailMsgsPerSec > 0 {
		top := s.LowestFailMsgsPerSec
		if top == 0 {
			top = s.ClosedLoopMsgsPerSec
		}
		if poly, err := plotter.NewPolygon(plotter.XYs{{X: s.HighestPassMsgsPerSec, Y: ymin}, {X: top, Y: ymin},
			{X: top, Y: ymax}, {X: s.HighestPassMsgsPerSec, Y: ymax}}); err == nil {
			poly.Color, poly.LineStyle.Width = colorBracket, 0
			p.Add(poly)
			label := "bracket: nothing passed, "
			if s.HighestPassMsgsPerSec > 0 {
				label = fmt.Sprintf("bracket: %.0f passed, ", s.HighestPassMsgsPerSec)
			}
			if s.LowestFailMsgsPerSec > 0 {
				label += fmt.Sprintf("%.0f failed", s.LowestFailMsgsPerSec)
			} else {
				label += "closed loop above"
			}
			p.Legend.Add(label, poly)
		}
	}
	if limit > 0 {
		l := &plotter.Line{XYs: plotter.XYs{{X: 0, Y: limit / div}, {X: xmax * 1.05, Y: limit / div}},
			LineStyle: draw.LineStyle{Color: colorFail, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}}
		p.Add(l)
		p.Legend.Add("SLO "+name+" "+FormatLatencyUs(limit), l)
	}
	if s.ClosedLoopMsgsPerSec > 0 {
		l := vline(s.ClosedLoopMsgsPerSec, draw.LineStyle{Color: color.Gray{Y: 120}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}})
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("closed loop %s msgs/s (top of the search)", formatCount(s.ClosedLoopMsgsPerSec)), l)
	}
	if s.MaxRateMsgsPerSec > 0 {
		l := vline(s.MaxRateMsgsPerSec, draw.LineStyle{Color: colorAnswer, Width: vg.Points(1.5)})
		p.Add(l)
		state := "confirmed by a second probe"
		if !s.Confirmed {
			state = "NOT confirmed"
		}
		p.Legend.Add(fmt.Sprintf("answer %.0f msgs/s (%s)", s.MaxRateMsgsPerSec, state), l)
	}

	var pass, fail, confirm plotter.XYs
	var labels plotter.XYLabels
	for i, pr := range s.Probes {
		y := get(pr.LatencyUs) / div
		if !(y > 0) || !isFinite(y) {
			y = ymin // no latency measured: on the floor
		}
		xy := plotter.XY{X: pr.RateMsgsPerSec, Y: y}
		if pr.Pass {
			pass = append(pass, xy)
		} else {
			fail = append(fail, xy)
		}
		if pr.Confirm {
			confirm = append(confirm, xy)
		}
		labels.XYs = append(labels.XYs, xy)
		labels.Labels = append(labels.Labels, strconv.Itoa(i+1))
	}
	scatter := func(xys plotter.XYs, c color.Color, shape draw.GlyphDrawer, radius vg.Length, legend string) {
		if len(xys) == 0 {
			return
		}
		sc := &plotter.Scatter{XYs: xys, GlyphStyle: draw.GlyphStyle{Color: c, Radius: radius, Shape: shape}}
		p.Add(sc)
		p.Legend.Add(legend, sc)
	}
	scatter(pass, colorPass, draw.CircleGlyph{}, vg.Points(4), "pass")
	scatter(fail, colorFail, draw.CrossGlyph{}, vg.Points(5), "fail")
	scatter(confirm, colorAnswer, draw.RingGlyph{}, vg.Points(7), "confirming probe (ring)")
	if l, err := plotter.NewLabels(labels); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(8)
			l.TextStyle[i].XAlign = draw.XLeft
		}
		l.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(2)}
		p.Add(l)
	}
	p.Legend.Add("numbers: probe order", &plotter.Line{})
	p.X.Min, p.X.Max = 0, xmax*1.05
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.TickerFunc(logTicks)
	p.Y.Min, p.Y.Max = ymin, ymax
	return p
}

// rateMark is a vertical line on the latency-rate chart: a rate
// findMaxRate found.
type rateMark struct {
	name string
	rate float64
}

// maxRateMarks are the answers of the result's findMaxRate searches.
func maxRateMarks(r *result.Result) []rateMark {
	var out []rateMark
	for _, s := range r.MaxRate {
		if s.MaxRateMsgsPerSec <= 0 {
			continue
		}
		name := fmt.Sprintf("findMaxRate: %s msgs/s", formatCount(s.MaxRateMsgsPerSec))
		if len(r.MaxRate) > 1 {
			name += fmt.Sprintf(" (%s, %s)", s.Target, stepLabel(result.AxisProducers, float64(s.Producers)))
		}
		if !s.Confirmed {
			name += ", not confirmed"
		}
		out = append(out, rateMark{name: name, rate: s.MaxRateMsgsPerSec})
	}
	return out
}
