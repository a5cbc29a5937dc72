package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/stationbench/stationbench/result"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PlotTimeSeries charts one target's per-second series: msgs/s sent and
// acknowledged on top, p99 latency below, every run of the target laid
// end to end in run order with its step named above it, so that stalls
// and warm-up effects show. The format follows the extension of path.
func PlotTimeSeries(r *result.Result, target, path string) error {
	if r == nil {
		return errors.New("plot time series: nil result")
	}
	if err := saveChart(timeSeriesFigure(r, target), path); err != nil {
		return fmt.Errorf("plot time series %s: %w", target, err)
	}
	return nil
}

// seriesTargets lists the targets with a per-second series, in run order.
func seriesTargets(r *result.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, run := range r.Runs {
		if len(run.Series) > 0 && !seen[run.Target] {
			seen[run.Target] = true
			out = append(out, run.Target)
		}
	}
	return out
}

// stacked draws two plots one above the other with aligned data areas.
type stacked struct{ top, bottom *plot.Plot }

// Draw implements figure.
func (s stacked) Draw(c draw.Canvas) {
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(2), PadBottom: vg.Points(2), PadY: vg.Points(6)}
	cs := plot.Align([][]*plot.Plot{{s.top}, {s.bottom}}, tiles, c)
	s.top.Draw(cs[0][0])
	s.bottom.Draw(cs[1][0])
}

// timeSeriesFigure builds the two panels of target's time series.
func timeSeriesFigure(r *result.Result, target string) stacked {
	colorAcked, colorSent, colorP99 := plotutil.Color(0), color.Gray{Y: 110}, plotutil.Color(1)
	top, bottom := plot.New(), plot.New()
	top.Title.Text = chartTitle(r, "per second, target "+target)
	top.Title.Padding = vg.Points(4)
	top.Y.Label.Text = "msgs/s (acked —, sent - -)"
	top.Y.Tick.Marker = plot.TickerFunc(compactTicks)
	bottom.Y.Label.Text = "p99 latency (ms)"
	bottom.X.Label.Text = "measured seconds, steps in run order"
	top.Add(plotter.NewGrid())
	bottom.Add(plotter.NewGrid())

	var offset, maxRate, minP99, maxP99 float64
	var marks plotter.XYLabels
	repeats := false
	for _, run := range r.Runs {
		repeats = repeats || run.Repeat > 1
	}
	sentStyle := draw.LineStyle{Color: colorSent, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	ackedStyle := draw.LineStyle{Color: colorAcked, Width: vg.Points(1.5)}
	var bounds []float64
	for _, run := range r.Runs {
		if run.Target != target || len(run.Series) == 0 {
			continue
		}
		var a, s, q plotter.XYs
		for _, sec := range run.Series {
			if run.DurationS > 0 && float64(sec.Second) >= math.Ceil(run.DurationS) {
				continue // acks drained after the measured window: not a rate
			}
			x := offset + float64(sec.Second) + 0.5
			a = append(a, plotter.XY{X: x, Y: float64(sec.Acked)})
			s = append(s, plotter.XY{X: x, Y: float64(sec.Sent)})
			maxRate = math.Max(maxRate, math.Max(float64(sec.Acked), float64(sec.Sent)))
			if v := sec.P99Us / 1e3; v > 0 && isFinite(v) {
				q = append(q, plotter.XY{X: x, Y: v})
				if minP99 == 0 || v < minP99 {
					minP99 = v
				}
				maxP99 = math.Max(maxP99, v)
			}
		}
		label := stepLabel(run.Axis, float64(run.Producers))
		if run.Axis == result.AxisRate {
			label = stepLabel(result.AxisRate, run.RateMsgsPerSec)
		}
		if repeats {
			label += " #" + strconv.Itoa(run.Repeat)
		}
		marks.XYs = append(marks.XYs, plotter.XY{X: offset + 0.2})
		marks.Labels = append(marks.Labels, label)
		top.Add(&plotter.Line{XYs: s, LineStyle: sentStyle}, &plotter.Line{XYs: a, LineStyle: ackedStyle})
		if len(q) > 0 {
			bottom.Add(&plotter.Line{XYs: q, LineStyle: draw.LineStyle{Color: colorP99, Width: vg.Points(1.5)}})
		}
		end := offset + float64(len(a))
		if len(a) > 0 {
			end = math.Max(end, a[len(a)-1].X+0.5)
		}
		bounds = append(bounds, end)
		offset = end
	}
	if offset == 0 {
		top.Title.Text += " (no series)"
		offset, maxRate = 1, 1
	}
	top.Y.Min = 0
	top.Y.Max = linearTop(maxRate, 0.12)
	for i := range marks.XYs {
		marks.XYs[i].Y = top.Y.Max
	}
	if len(marks.XYs) > 0 {
		if l, err := plotter.NewLabels(marks); err == nil {
			for i := range l.TextStyle {
				l.TextStyle[i].YAlign = draw.YTop
				l.TextStyle[i].Font.Size = vg.Points(8)
			}
			top.Add(l)
		}
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = 0, offset
	}
	bottom.Y.Min, bottom.Y.Max = 0, 1
	if maxP99 > 0 {
		bottom.Y.Scale = plot.LogScale{}
		bottom.Y.Tick.Marker = plot.TickerFunc(logTicks)
		bottom.Y.Min, bottom.Y.Max = logRange(minP99, maxP99, 0)
	}
	// A thin line where each run ends.
	for _, p := range []*plot.Plot{top, bottom} {
		for _, x := range bounds[:max(0, len(bounds)-1)] {
			p.Add(&plotter.Line{XYs: plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}},
				LineStyle: draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(0.75)}})
		}
	}
	return stacked{top: top, bottom: bottom}
}
