package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// PlotPercentiles draws the HdrHistogram percentile distribution: latency
// (on a logarithmic axis) against percentile on the usual 1/(1-q)
// logarithmic axis (ticks at 90%, 99%, 99.9% ...), one curve per step and
// target, from the decoded
// histograms (repeats merged). The format follows the extension of path.
func PlotPercentiles(r *result.Result, path string) error {
	if r == nil {
		return errors.New("plot percentiles: nil result")
	}
	p, _ := percentilePlot(r)
	if err := saveChart(p, path); err != nil {
		return fmt.Errorf("plot percentiles: %w", err)
	}
	return nil
}

// distCurve is one histogram of the percentile chart.
type distCurve struct {
	label  string
	target int // index of the target, for the dash pattern
	hist   *hdrhistogram.Histogram
}

// distCurves decodes one merged histogram per target and step, producer
// steps first, then rate steps: the analysis's steps and their runs. Steps
// whose histograms do not decode are left out.
func distCurves(r *result.Result) []distCurve {
	var out []distCurve
	targets := map[string]int{}
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		c := chartDataAxis(r, axis)
		for _, s := range c.series {
			if _, ok := targets[s.target]; !ok {
				targets[s.target] = len(targets)
			}
			for _, pt := range s.points {
				h := pt.histogram()
				if h == nil || h.TotalCount() == 0 {
					continue
				}
				out = append(out, distCurve{label: s.target + ", " + stepLabel(axis, pt.x), target: targets[s.target], hist: h})
			}
		}
	}
	if len(targets) == 1 { // the title names the target; the step is enough
		for i := range out {
			out[i].label = trimTarget(out[i].label)
		}
	}
	return out
}

func trimTarget(label string) string {
	for i := 0; i+1 < len(label); i++ {
		if label[i] == ',' && label[i+1] == ' ' {
			return label[i+2:]
		}
	}
	return label
}

// stepLabel names a step: "4 producers" or "20k msgs/s".
func stepLabel(axis string, x float64) string {
	if axis == result.AxisRate {
		return formatCount(x) + " msgs/s"
	}
	if x == 1 {
		return "1 producer"
	}
	return strconv.FormatFloat(x, 'f', -1, 64) + " producers"
}

// histogram merges the decodable histograms of the step's runs; nil when
// none. The step's percentiles are the analysis's (latency); this is for
// the renderers that draw or print the distribution itself.
func (p chartPoint) histogram() *hdrhistogram.Histogram {
	var merged *hdrhistogram.Histogram
	for _, run := range p.runs {
		h, err := result.DecodeHistogram(run.Histogram)
		if err != nil {
			continue
		}
		if merged == nil {
			merged = result.NewHistogram()
		}
		merged.Merge(h)
	}
	return merged
}

// percentilePlot builds the percentile-distribution chart; ok is false when
// there is no histogram to draw.
func percentilePlot(r *result.Result) (p *plot.Plot, ok bool) {
	p = plot.New()
	p.Title.Text = chartTitle(r, "latency by percentile")
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "percentile"
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(4)
	p.Add(plotter.NewGrid())
	curves := distCurves(r)
	var maxX, maxY, minY float64
	lines := make([]plotter.XYs, len(curves))
	for i, c := range curves {
		total := float64(c.hist.TotalCount())
		for _, b := range c.hist.CumulativeDistributionWithTicks(5) {
			x := total // the 100th percentile: the last 1/count of the values
			if b.Quantile < 100 {
				x = math.Min(1/(1-b.Quantile/100), total)
			}
			if n := len(lines[i]); n > 0 && x < lines[i][n-1].X {
				x = lines[i][n-1].X
			}
			y := float64(b.ValueAt) / 1e3
			if y <= 0 { // a log axis cannot show zero
				continue
			}
			lines[i] = append(lines[i], plotter.XY{X: x, Y: y})
			maxX, maxY = math.Max(maxX, x), math.Max(maxY, y)
			if minY == 0 || y < minY {
				minY = y
			}
		}
	}
	if len(curves) == 0 || maxY <= 0 {
		p.Title.Text += " (no histograms)"
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		return p, false
	}
	unit, div := "µs", 1.0
	if maxY >= 10e3 {
		unit, div = "ms", 1e3
	}
	p.Y.Label.Text = "latency (" + unit + ")"
	for i, c := range curves {
		for j := range lines[i] {
			lines[i][j].Y /= div
		}
		l := &plotter.Line{XYs: lines[i]}
		l.LineStyle.Color = plotutil.Color(i)
		l.LineStyle.Width = vg.Points(1.5)
		l.LineStyle.Dashes = plotutil.Dashes(c.target)
		p.Add(l)
		p.Legend.Add(c.label, l)
	}
	p.X.Scale = plot.LogScale{}
	p.X.Min = 1
	p.X.Max = math.Max(10, maxX*1.5)
	p.X.Tick.Marker = percentileTicks(p.X.Max)
	// Latency on a log axis, so that p50 and p99 stay readable next to a
	// tail that is orders of magnitude above them.
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.TickerFunc(logTicks)
	p.Y.Min, p.Y.Max = logRange(minY/div, maxY/div, legendFraction(p.Legend, len(curves)))
	return p, true
}

// percentileTicks marks the 1/(1-q) axis at 0%, 50%, 90%, 99%, 99.9% ...
// up to hi.
func percentileTicks(hi float64) plot.ConstantTicks {
	ticks := plot.ConstantTicks{{Value: 1, Label: "0%"}, {Value: 2, Label: "50%"}}
	for d := 1; math.Pow10(d) <= hi*(1+1e-9); d++ {
		q := 100 * (1 - math.Pow10(-d))
		ticks = append(ticks, plot.Tick{Value: math.Pow10(d), Label: strconv.FormatFloat(q, 'f', max(0, d-2), 64) + "%"})
	}
	return ticks
}

// chartTitle is "<scenario>: what", with the status when not complete.
func chartTitle(r *result.Result, what string) string {
	name := r.Scenario.Name
	if name == "" {
		name = "stationbench"
	}
	t := name + ": " + what
	if r.Status != result.StatusComplete && r.Status != "" {
		t += " (" + string(r.Status) + ")"
	}
	return t
}
