package report

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/optimize"
)

// Limits of the Universal Scalability Law fit.
const (
	// USLMinPoints is the fewest distinct producer counts FitUSL accepts: the
	// law has three parameters, so three points always fit exactly and say
	// nothing about the fit's quality.
	USLMinPoints = 4
	// USLMinR2 is the lowest coefficient of determination FitUSL accepts;
	// below it the points are too noisy for the law to describe them.
	USLMinR2 = 0.8
	// USLFlatSpread is the relative spread of throughput ((max-min)/mean)
	// below which the points are flat and no curve is fitted.
	USLFlatSpread = 0.02
	// USLMaxExtrapolation bounds how far beyond the largest measured
	// concurrency a predicted peak is stated as a number.
	USLMaxExtrapolation = 2.0
)

// USLPoint is one measured throughput at a concurrency level N.
type USLPoint struct {
	N                    float64
	ThroughputMsgsPerSec float64
}

// USLFit is the Universal Scalability Law fitted to throughput against
// concurrency: X(N) = Lambda N / (1 + Sigma (N-1) + Kappa N (N-1)).
type USLFit struct {
	Sigma  float64 // contention (serial fraction), 0 to 1
	Kappa  float64 // coherency (crosstalk) cost, >= 0
	Lambda float64 // msgs/s of one producer without contention
	// PeakN is the concurrency of the highest predicted throughput,
	// sqrt((1-Sigma)/Kappa); zero when the curve has no peak (Kappa is
	// zero: throughput approaches Lambda/Sigma instead).
	PeakN                    float64
	PeakThroughputMsgsPerSec float64
	// R2 is the coefficient of determination of the fit on the points.
	R2 float64
	// Points and Distinct count the points fitted and their distinct N;
	// MaxN is the largest N measured.
	Points, Distinct int
	MaxN             float64
}

// Predict returns the fitted throughput at concurrency n.
func (f USLFit) Predict(n float64) float64 {
	return uslModel(f.Lambda, f.Sigma, f.Kappa, n)
}

// HasPeak reports whether the fitted curve has a maximum.
func (f USLFit) HasPeak() bool { return f.PeakN > 0 }

// Extrapolated reports whether the predicted peak lies beyond the largest
// measured concurrency, so that it is a forecast rather than an observation.
func (f USLFit) Extrapolated() bool { return f.HasPeak() && f.PeakN > f.MaxN }

// PeakReliable reports whether the predicted peak lies within
// USLMaxExtrapolation times the largest measured concurrency; a peak
// further out is a guess the points cannot support.
func (f USLFit) PeakReliable() bool {
	return f.HasPeak() && f.PeakN <= USLMaxExtrapolation*f.MaxN
}

// String describes the fit in one line.
func (f USLFit) String() string {
	s := fmt.Sprintf("sigma %.3g, kappa %.3g, lambda %s msgs/s, R² %.3f", f.Sigma, f.Kappa, formatCount(f.Lambda), f.R2)
	switch {
	case !f.HasPeak() && f.Sigma == 0:
		return s + "; no peak: linear scaling over the measured range"
	case !f.HasPeak():
		return s + fmt.Sprintf("; no peak (kappa 0): throughput approaches %s msgs/s", formatCount(f.Lambda/f.Sigma))
	case !f.PeakReliable():
		return s + fmt.Sprintf("; no peak predicted within %gx the largest count measured (%g); the fit would put it at %.0f producers",
			USLMaxExtrapolation, f.MaxN, f.PeakN)
	}
	s += fmt.Sprintf("; peak at %.1f producers, %s msgs/s", f.PeakN, formatCount(f.PeakThroughputMsgsPerSec))
	if f.Extrapolated() {
		s += fmt.Sprintf(" (extrapolated beyond %g)", f.MaxN)
	}
	return s
}

// CannotFitError says why FitUSL refused to fit.
type CannotFitError struct{ Reason string }

func (e *CannotFitError) Error() string { return "cannot fit the USL: " + e.Reason }

func cannotFit(format string, args ...any) error {
	return &CannotFitError{Reason: fmt.Sprintf(format, args...)}
}

// FitUSL fits the Universal Scalability Law to points by least squares,
// using gonum's Nelder-Mead from several starts. Sigma and Kappa are kept
// non-negative (and Sigma at most 1) by reparametrization. It refuses, with
// a *CannotFitError, fewer than USLMinPoints distinct N, flat throughput,
// and fits whose R² is below USLMinR2.
func FitUSL(points []USLPoint) (USLFit, error) {
	distinct := map[float64]bool{}
	var ymax, ysum, xmax float64
	for i, p := range points {
		if !isFinite(p.N) || p.N < 1 {
			return USLFit{}, cannotFit("point %d: concurrency %g is not a count >= 1", i+1, p.N)
		}
		if !isFinite(p.ThroughputMsgsPerSec) || p.ThroughputMsgsPerSec <= 0 {
			return USLFit{}, cannotFit("point %d: throughput %g is not positive", i+1, p.ThroughputMsgsPerSec)
		}
		distinct[p.N] = true
		ymax = math.Max(ymax, p.ThroughputMsgsPerSec)
		xmax = math.Max(xmax, p.N)
		ysum += p.ThroughputMsgsPerSec
	}
	if len(distinct) < USLMinPoints {
		return USLFit{}, cannotFit("%d distinct producer counts, need at least %d", len(distinct), USLMinPoints)
	}
	ymin := ymax
	for _, p := range points {
		ymin = math.Min(ymin, p.ThroughputMsgsPerSec)
	}
	mean := ysum / float64(len(points))
	if (ymax-ymin)/mean < USLFlatSpread {
		return USLFit{}, cannotFit("throughput is flat (spread %.1f%% < %.0f%%): it does not depend on the producer count",
			100*(ymax-ymin)/mean, 100*USLFlatSpread)
	}

	// Fit on throughput scaled to at most 1, so the objective is well
	// conditioned whatever the units.
	sorted := append([]USLPoint(nil), points...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].N < sorted[j].N })
	xs := make([]float64, len(sorted))
	ys := make([]float64, len(sorted))
	for i, p := range sorted {
		xs[i], ys[i] = p.N, p.ThroughputMsgsPerSec/ymax
	}
	sse := func(lambda, sigma, kappa float64) float64 {
		var s float64
		for i := range xs {
			d := ys[i] - uslModel(lambda, sigma, kappa, xs[i])
			s += d * d
		}
		return s
	}
	// x = (log lambda, b, c): lambda = exp(x0), sigma = sin²(b), kappa = c².
	unpack := func(x []float64) (float64, float64, float64) {
		s := math.Sin(x[1])
		return math.Exp(x[0]), s * s, x[2] * x[2]
	}
	problem := optimize.Problem{Func: func(x []float64) float64 {
		l, s, k := unpack(x)
		v := sse(l, s, k)
		if !isFinite(v) {
			return math.MaxFloat64
		}
		return v
	}}
	settings := &optimize.Settings{
		MajorIterations: 5000,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-15, Relative: 1e-12, Iterations: 500},
	}
	lambda0 := ys[0] / xs[0]
	best := math.Inf(1)
	var bestX []float64
	for _, s0 := range []float64{0.01, 0.1, 0.4} {
		for _, k0 := range []float64{1e-5, 1e-3, 0.05} {
			init := []float64{math.Log(lambda0), math.Asin(math.Sqrt(s0)), math.Sqrt(k0)}
			res, err := optimize.Minimize(problem, init, settings, &optimize.NelderMead{})
			if res == nil {
				if err != nil {
					return USLFit{}, fmt.Errorf("fit USL: %w", err)
				}
				continue
			}
			if res.F < best {
				best, bestX = res.F, append([]float64(nil), res.X...)
			}
		}
	}
	if bestX == nil {
		return USLFit{}, errors.New("fit USL: the optimizer found no solution")
	}
	lambda, sigma, kappa := unpack(bestX)
	// Values this small are the optimizer's rounding, not contention.
	if sigma < 1e-6 {
		sigma = 0
	}
	if kappa < 1e-9 {
		kappa = 0
	}

	var mean1, sst float64
	for _, y := range ys {
		mean1 += y / float64(len(ys))
	}
	for _, y := range ys {
		sst += (y - mean1) * (y - mean1)
	}
	fit := USLFit{
		Sigma: sigma, Kappa: kappa, Lambda: lambda * ymax,
		R2:     1 - sse(lambda, sigma, kappa)/sst,
		Points: len(points), Distinct: len(distinct), MaxN: xmax,
	}
	if fit.R2 < USLMinR2 {
		return USLFit{}, cannotFit("the points are too noisy: R² %.2f < %.2f", fit.R2, USLMinR2)
	}
	if kappa > 0 && sigma < 1 {
		fit.PeakN = math.Sqrt((1 - sigma) / kappa)
		fit.PeakThroughputMsgsPerSec = fit.Predict(fit.PeakN)
	}
	return fit, nil
}

func uslModel(lambda, sigma, kappa, n float64) float64 {
	return lambda * n / (1 + sigma*(n-1) + kappa*n*(n-1))
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
