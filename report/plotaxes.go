package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// minLabelGap is the least distance, as a share of the x axis, between two
// labelled ticks, so labels don't overlap (rate probes cluster).
const minLabelGap = 0.09

// setXAxis puts ticks at the measured x values. When they span 8x or more
// the axis is logarithmic (producer counts usually double); otherwise it is
// linear.
func setXAxis(p *plot.Plot, xs []float64) {
	if len(xs) == 0 {
		p.X.Min, p.X.Max = 0, 1
		return
	}
	lo, hi := xs[0], xs[len(xs)-1]
	logScale := lo > 0 && hi/lo >= 8
	at := func(x float64) float64 { // position on the axis, 0 to 1
		switch {
		case hi == lo:
			return 0
		case logScale:
			return math.Log(x/lo) / math.Log(hi/lo)
		}
		return (x - lo) / (hi - lo)
	}
	ticks := make(plot.ConstantTicks, len(xs))
	last := math.Inf(-1)
	for i, x := range xs {
		ticks[i].Value = x
		if at(x)-last >= minLabelGap {
			ticks[i].Label = formatTick(x)
			last = at(x)
		}
	}
	p.X.Tick.Marker = ticks
	if logScale {
		p.X.Scale = plot.LogScale{}
		// A little room either side in log space, like the linear padding.
		p.X.Min, p.X.Max = lo/1.15, hi*1.15
		return
	}
	p.X.Min, p.X.Max = lo, hi
	if lo == hi {
		p.X.Min, p.X.Max = lo-1, hi+1
		if lo >= 0 && lo < 1 {
			p.X.Min = 0
		}
	}
}

// legendFraction estimates the share of the data area's height that a
// top-left legend with n entries covers.
func legendFraction(l plot.Legend, n int) float64 {
	const dataHeightPt = 280.0 // 5 in chart less title and x axis
	entry := l.TextStyle.Font.Size.Points()
	f := (float64(n)*entry + 10) / dataHeightPt
	return min(f, 0.6)
}

// linearTop returns an axis maximum that leaves fraction f of the height
// above maxY free for the legend.
func linearTop(maxY, f float64) float64 {
	if maxY <= 0 || !isFinite(maxY) {
		return 1
	}
	return maxY / (1 - f)
}

// logRange returns log-axis bounds for positive data in [lo, hi]: the bottom
// is the decade at or below lo, the top leaves fraction f of the height
// (in log space) free for the legend.
func logRange(lo, hi, f float64) (float64, float64) {
	bottom := math.Pow10(int(math.Floor(math.Log10(lo))))
	span := math.Log10(hi) - math.Log10(bottom)
	if span < 1 {
		span = 1
	}
	top := math.Pow(10, math.Log10(bottom)+span/(1-f))
	return bottom, top
}

// logTicks marks a logarithmic axis: labels at each power of ten, and also
// at 2x and 5x when the range spans three decades or fewer.
func logTicks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo || !isFinite(lo) || !isFinite(hi) {
		return nil
	}
	first := int(math.Floor(math.Log10(lo)))
	last := int(math.Ceil(math.Log10(hi)))
	dense := last-first <= 3
	var ticks []plot.Tick
	for d := first; d <= last; d++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(d)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = formatTick(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// compactTicks are plot.DefaultTicks with labels like "200k".
func compactTicks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = formatTick(ticks[i].Value)
		}
	}
	return ticks
}

// formatTick writes a tick value compactly: 2, 0.5, 64, 10k, 2.5M.
func formatTick(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6 && math.Mod(v, 1e5) == 0:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e3 && math.Mod(v, 1e2) == 0:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	case a >= 1e4: // a rate the search chose: three significant digits
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	default:
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
}
