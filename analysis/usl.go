package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/stationbench/stationbench/result"
	"gonum.org/v1/gonum/optimize"
)

// Limits of the Universal Scalability Law fit.
const (
	// USLMinPoints is the fewest distinct producer counts FitUSL accepts: the
	// law has three parameters, so three points always fit exactly and say
	// nothing about the fit's quality.
	USLMinPoints = 4
	// USLPoorR2 is the coefficient of determination below which a fit
	// without an interval is said to describe the points poorly. It does
	// not refuse the fit: flat data (a server saturated at one producer)
	// has a low R² and a clear answer.
	USLPoorR2 = 0.8
	// USLMaxExtrapolation bounds how far beyond the largest measured
	// concurrency a predicted peak is stated as a number.
	USLMaxExtrapolation = 2.0
	// USLLevel is the confidence level of the bootstrap interval, and
	// USLResamples the number of resamples it is drawn from. The resampling
	// uses a fixed seed, so the same points give the same interval.
	USLLevel     = 0.90
	USLResamples = 200
)

// uslSeed seeds the bootstrap, so that a result renders the same every time.
const uslSeed = 13

// USLPoint is one measured throughput at a concurrency level N.
type USLPoint struct {
	N                    float64
	ThroughputMsgsPerSec float64
}

// uslParams are the three parameters of one curve.
type uslParams struct{ lambda, sigma, kappa float64 }

func (p uslParams) at(n float64) float64 { return uslModel(p.lambda, p.sigma, p.kappa, n) }

// peak returns where the curve is highest at or above minN, and its value
// there; n is +Inf (and x the limit) when it keeps rising.
func (p uslParams) peak(minN float64) (n, x float64) {
	switch {
	case p.kappa > 0 && p.sigma < 1:
		n = math.Max(minN, math.Sqrt((1-p.sigma)/p.kappa))
		return n, p.at(n)
	case p.kappa > 0: // sigma 1: falls from the start
		return minN, p.at(minN)
	case p.sigma > 0:
		return math.Inf(1), p.lambda / p.sigma
	}
	return math.Inf(1), math.Inf(1)
}

// saturated reports whether the curve never rises MinGainPerDoubling above
// its value at minN.
func (p uslParams) saturated(minN float64) bool {
	base := p.at(minN)
	_, ceiling := p.peak(minN)
	return base > 0 && ceiling < (1+MinGainPerDoubling)*base
}

// CannotFitError says why FitUSL refused to fit.
type CannotFitError struct{ Reason string }

func (e *CannotFitError) Error() string { return "cannot fit the USL: " + e.Reason }

func cannotFit(format string, args ...any) error {
	return &CannotFitError{Reason: fmt.Sprintf(format, args...)}
}

// FitUSL fits the Universal Scalability Law to points (every repeat, not
// their means) by least squares, using gonum's Nelder-Mead from several
// starts. Sigma and Kappa are kept non-negative (and Sigma at most 1) by
// reparametrization. With more than one point at some N it also draws a
// bootstrap interval: the points of each N are resampled with replacement
// USLResamples times (fixed seed) and the law refitted to each resample.
// It refuses, with a *CannotFitError, invalid points and fewer than
// USLMinPoints distinct N (saying how many more counts to measure). Flat
// or noisy points are not refused: flat points are the answer "throughput
// does not grow" (see Saturated), noisy ones get a wide interval.
func FitUSL(points []USLPoint) (result.USLFit, error) {
	groups := map[float64][]float64{}
	var ymax, xmax float64
	xmin := math.Inf(1)
	for i, p := range points {
		if !isFinite(p.N) || p.N < 1 {
			return result.USLFit{}, cannotFit("point %d: concurrency %g is not a count >= 1", i+1, p.N)
		}
		if !isFinite(p.ThroughputMsgsPerSec) || p.ThroughputMsgsPerSec <= 0 {
			return result.USLFit{}, cannotFit("point %d: throughput %g is not positive", i+1, p.ThroughputMsgsPerSec)
		}
		groups[p.N] = append(groups[p.N], p.ThroughputMsgsPerSec)
		ymax = math.Max(ymax, p.ThroughputMsgsPerSec)
		xmax = math.Max(xmax, p.N)
		xmin = math.Min(xmin, p.N)
	}
	ns := make([]float64, 0, len(groups))
	for n := range groups {
		ns = append(ns, n)
	}
	sort.Float64s(ns)
	if len(ns) < USLMinPoints {
		return result.USLFit{}, fewCounts(ns)
	}

	// Fit on throughput scaled to at most 1, so the objective is well
	// conditioned whatever the units.
	var xs, ys []float64
	for _, n := range ns {
		for _, y := range groups[n] {
			xs, ys = append(xs, n), append(ys, y/ymax)
		}
	}
	var starts []uslParams
	for _, s0 := range []float64{0.01, 0.1, 0.4, 0.95} {
		for _, k0 := range []float64{1e-5, 1e-3, 0.05} {
			starts = append(starts, uslParams{1, s0, k0})
		}
	}
	best, sse, err := fitParams(xs, ys, starts)
	if err != nil {
		return result.USLFit{}, err
	}

	var mean1, sst float64
	for _, y := range ys {
		mean1 += y / float64(len(ys))
	}
	for _, y := range ys {
		sst += (y - mean1) * (y - mean1)
	}
	fit := result.USLFit{
		Sigma: best.sigma, Kappa: best.kappa, Lambda: best.lambda * ymax,
		Points: len(points), Distinct: len(ns), MinN: xmin, MaxN: xmax,
	}
	if sst > 1e-12 {
		r2 := 1 - sse/sst
		fit.R2 = &r2
	}
	if best.kappa > 0 && best.sigma < 1 {
		fit.PeakN = math.Sqrt((1 - best.sigma) / best.kappa)
		fit.PeakThroughputMsgsPerSec = fit.Predict(fit.PeakN)
	}
	curve := uslParams{fit.Lambda, fit.Sigma, fit.Kappa}
	if curve.saturated(fit.MinN) {
		_, ceiling := curve.peak(fit.MinN)
		fit.Saturated, fit.CeilingMsgsPerSec = true, ceiling
	}
	fit.Interval, fit.IntervalNote = bootstrapUSL(ns, groups, ymax, best)
	return fit, nil
}

// fewCounts says how many more producer counts the law needs, and which.
func fewCounts(ns []float64) error {
	more := USLMinPoints - len(ns)
	var have, next []string
	top := 1.0
	for _, n := range ns {
		have = append(have, strconv.FormatFloat(n, 'f', -1, 64))
		top = math.Max(top, n)
	}
	for range more {
		top *= 2
		next = append(next, strconv.FormatFloat(top, 'f', -1, 64))
	}
	plural := "s"
	if more == 1 {
		plural = ""
	}
	return cannotFit("%d distinct producer count%s measured (%s); the law has three parameters and needs at least %d: measure %d more producer count%s (for example %s)",
		len(ns), map[bool]string{true: "", false: "s"}[len(ns) == 1], strings.Join(have, ", "), USLMinPoints, more, plural, strings.Join(next, ", "))
}

// bootstrapUSL resamples the runs of each producer count with replacement
// and refits the law to each resample; note says why there is no interval.
func bootstrapUSL(ns []float64, groups map[float64][]float64, ymax float64, best uslParams) (*result.USLInterval, string) {
	repeated := false
	for _, n := range ns {
		repeated = repeated || len(groups[n]) > 1
	}
	if !repeated {
		return nil, "no interval: one run per producer count (set load.repeat: 3 or more for one)"
	}
	rng := rand.New(rand.NewPCG(uslSeed, uint64(len(ns))))
	ci := &result.USLInterval{Level: USLLevel, Resamples: USLResamples}
	var samples []uslParams
	starts := []uslParams{best}
	var sig, kap, pn, px []float64
	xs := make([]float64, 0, 64)
	ys := make([]float64, 0, 64)
	for range USLResamples {
		xs, ys = xs[:0], ys[:0]
		for _, n := range ns {
			g := groups[n]
			for range g {
				xs, ys = append(xs, n), append(ys, g[rng.IntN(len(g))]/ymax)
			}
		}
		p, _, err := fitParams(xs, ys, starts)
		if err != nil {
			continue
		}
		n, x := p.peak(ns[0])
		if p.saturated(ns[0]) {
			ci.SaturatedShare++
		}
		p.lambda *= ymax
		samples = append(samples, p)
		sig, kap, pn, px = append(sig, p.sigma), append(kap, p.kappa), append(pn, n), append(px, x*ymax)
	}
	if len(samples) < USLResamples/2 {
		return nil, "no interval: most bootstrap refits failed"
	}
	ci.SaturatedShare /= float64(len(samples))
	ci.Sigma[0], ci.Sigma[1] = quantiles(sig, ci.Level)
	ci.Kappa[0], ci.Kappa[1] = quantiles(kap, ci.Level)
	ci.PeakN[0], ci.PeakN[1] = quantiles(pn, ci.Level)
	ci.PeakThroughput[0], ci.PeakThroughput[1] = quantiles(px, ci.Level)
	ci.Band = band(samples, ns[0], ns[len(ns)-1], ci.Level)
	return ci, ""
}

// quantiles returns the central interval of level (0.9: the 5th and 95th
// percentiles) of vs, which may hold +Inf.
func quantiles(vs []float64, level float64) (lo, hi float64) {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	at := func(q float64) float64 {
		i := int(math.Round(q * float64(len(s)-1)))
		return s[min(max(i, 0), len(s)-1)]
	}
	return at((1 - level) / 2), at((1 + level) / 2)
}

// fitParams fits the law to (xs, ys) from each start and keeps the best
// least-squares solution. For given sigma and kappa the best lambda has a
// closed form (the law is linear in it), so the optimizer searches only
// sigma and kappa.
func fitParams(xs, ys []float64, starts []uslParams) (uslParams, float64, error) {
	// x = (b, c): sigma = sin²(b), kappa = c².
	unpack := func(x []float64) (float64, float64) {
		s := math.Sin(x[0])
		return s * s, x[1] * x[1]
	}
	// lambdaFor returns the least-squares lambda for sigma and kappa, and
	// the sum of squared residuals with it.
	lambdaFor := func(sigma, kappa float64) (float64, float64) {
		var gy, gg float64
		for i, x := range xs {
			g := uslModel(1, sigma, kappa, x)
			gy += g * ys[i]
			gg += g * g
		}
		if gg == 0 {
			return 0, math.Inf(1)
		}
		l := gy / gg
		var sse float64
		for i, x := range xs {
			d := ys[i] - l*uslModel(1, sigma, kappa, x)
			sse += d * d
		}
		return l, sse
	}
	problem := optimize.Problem{Func: func(x []float64) float64 {
		_, v := lambdaFor(unpack(x))
		if !isFinite(v) {
			return math.MaxFloat64
		}
		return v
	}}
	settings := &optimize.Settings{
		MajorIterations: 2000,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-10, Iterations: 20},
	}
	best := math.Inf(1)
	var bestX []float64
	for _, st := range starts {
		init := []float64{math.Asin(math.Sqrt(min(max(st.sigma, 0), 1))), math.Sqrt(st.kappa)}
		res, err := optimize.Minimize(problem, init, settings, &optimize.NelderMead{})
		if res == nil {
			if err != nil {
				return uslParams{}, 0, fmt.Errorf("fit USL: %w", err)
			}
			continue
		}
		if res.F < best {
			best, bestX = res.F, append([]float64(nil), res.X...)
		}
	}
	if bestX == nil {
		return uslParams{}, 0, errors.New("fit USL: the optimizer found no solution")
	}
	sigma, kappa := unpack(bestX)
	// Values this small are the optimizer's rounding, not contention.
	if sigma < 1e-6 {
		sigma = 0
	}
	if sigma > 1-1e-9 {
		sigma = 1
	}
	if kappa < 1e-9 {
		kappa = 0
	}
	lambda, sse := lambdaFor(sigma, kappa)
	return uslParams{lambda, sigma, kappa}, sse, nil
}

// bandPoints is how many steps the band takes from the smallest to the
// largest count (log-spaced).
const bandPoints = 64

// band is the level interval of the resamples' predicted throughput from
// x0 to x1; nil when some value is not finite.
func band(samples []uslParams, x0, x1, level float64) []result.BandPoint {
	out := make([]result.BandPoint, 0, bandPoints+1)
	ys := make([]float64, len(samples))
	for i := 0; i <= bandPoints; i++ {
		x := x0 * math.Pow(x1/x0, float64(i)/bandPoints)
		for j, p := range samples {
			ys[j] = p.at(x)
		}
		lo, hi := quantiles(ys, level)
		if !isFinite(lo) || !isFinite(hi) {
			return nil
		}
		out = append(out, result.BandPoint{N: x, Low: lo, High: hi})
	}
	return out
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func uslModel(lambda, sigma, kappa, n float64) float64 {
	return lambda * n / (1 + sigma*(n-1) + kappa*n*(n-1))
}
