package report

import (
	"fmt"
	"math"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// This file words the Universal Scalability Law fit (analysis.FitUSL),
// which the result carries.

// peakReliable reports whether the fit's peak lies within
// analysis.USLMaxExtrapolation times the largest measured concurrency; a
// peak further out is a guess the points cannot support.
func peakReliable(f result.USLFit) bool {
	return f.PeakN > 0 && f.PeakN <= analysis.USLMaxExtrapolation*f.MaxN
}

// String describes the fit in one line: the answer first, then the
// parameters with their intervals.
func fitString(f result.USLFit) string {
	ci := f.Interval
	iv := func(i [2]float64, format func(float64) string) string {
		if ci == nil {
			return ""
		}
		if math.IsInf(i[1], 1) { // some resamples have no peak
			return " [" + format(i[0]) + ", ∞)"
		}
		return " [" + format(i[0]) + ", " + format(i[1]) + "]"
	}
	g3 := func(v float64) string { return fmt.Sprintf("%.3g", v) }
	n1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	params := fmt.Sprintf("σ %.3g%s, κ %.3g%s, λ %s msgs/s", f.Sigma, iv(ciField(ci, "sigma"), g3),
		f.Kappa, iv(ciField(ci, "kappa"), g3), formatCount(f.Lambda))
	var s string
	switch {
	case f.Saturated:
		ceiling := f.CeilingMsgsPerSec
		s = fmt.Sprintf("throughput does not grow past N=%g", f.MinN)
		if ci != nil {
			s += fmt.Sprintf(" (nor in %.0f%% of the bootstrap resamples)", 100*ci.SaturatedShare)
		}
		s += fmt.Sprintf(": contention σ ≈ %.2f%s; the fitted law allows at most %+.1f%% over %s",
			f.Sigma, iv(ciField(ci, "sigma"), func(v float64) string { return fmt.Sprintf("%.2f", v) }),
			100*(ceiling/f.Predict(f.MinN)-1), stepLabel(result.AxisProducers, f.MinN))
		if f.Kappa > 0 {
			s += fmt.Sprintf(" and falls beyond (κ %.3g)", f.Kappa)
		}
		s += fmt.Sprintf("; λ %s msgs/s", formatCount(f.Lambda))
	case f.PeakN <= 0 && f.Sigma == 0:
		s = params + "; no peak: linear scaling over the measured range"
	case f.PeakN <= 0:
		s = params + fmt.Sprintf("; no peak (κ 0): throughput approaches %s msgs/s", formatCount(f.Lambda/f.Sigma))
	case !peakReliable(f):
		s = params + fmt.Sprintf("; no peak predicted within %gx the largest count measured (%g): the fit would put it at %.0f producers%s",
			analysis.USLMaxExtrapolation, f.MaxN, f.PeakN, iv(ciField(ci, "peakN"), func(v float64) string { return fmt.Sprintf("%.0f", v) }))
	default:
		s = params + fmt.Sprintf("; peak N* %.1f%s producers, %s%s msgs/s", f.PeakN, iv(ciField(ci, "peakN"), n1),
			formatCount(f.PeakThroughputMsgsPerSec), iv(ciField(ci, "peakX"), formatCount))
		if f.PeakN > f.MaxN { // extrapolated
			s += fmt.Sprintf(" (extrapolated beyond %g)", f.MaxN)
		}
	}
	if ci != nil {
		s += fmt.Sprintf(" (%.0f%% intervals from %d bootstrap resamples of the repeats)", 100*ci.Level, ci.Resamples)
	} else if f.IntervalNote != "" {
		s += "; " + f.IntervalNote
	}
	if f.R2 != nil && isFinite(*f.R2) {
		s += fmt.Sprintf("; R² %.2f", *f.R2)
		switch {
		case *f.R2 >= analysis.USLPoorR2 || f.Saturated:
		case ci == nil:
			s += " (the points scatter more than the law explains: treat these figures as rough)"
		default:
			s += " (the law explains little of how throughput varies between counts: the intervals cover the spread of the repeats, not that misfit)"
		}
	}
	return s
}

// ciField picks one interval of ci by name; zero without ci.
func ciField(ci *result.USLInterval, name string) [2]float64 {
	if ci == nil {
		return [2]float64{}
	}
	switch name {
	case "sigma":
		return ci.Sigma
	case "kappa":
		return ci.Kappa
	case "peakN":
		return ci.PeakN
	}
	return ci.PeakThroughput
}

// formatCount writes a rate compactly with three significant digits:
// 950, 12.3k, 1.25M.
func formatCount(v float64) string {
	switch a := math.Abs(v); {
	case !isFinite(v):
		return "-"
	case v < 0:
		return "-" + formatCount(a)
	case a >= 1e6:
		return trimFloat(roundSig(v/1e6, 3)) + "M"
	case a >= 1e3:
		return trimFloat(roundSig(v/1e3, 3)) + "k"
	case a == 0:
		return "0"
	default:
		return trimFloat(roundSig(v, 3))
	}
}
