package report

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

func uslPoints(lambda, sigma, kappa float64, ns []float64, noise float64, seed uint64) []analysis.USLPoint {
	rng := rand.New(rand.NewPCG(seed, 1))
	var pts []analysis.USLPoint
	for _, n := range ns {
		y := result.USLFit{Lambda: lambda, Sigma: sigma, Kappa: kappa}.Predict(n)
		if noise > 0 {
			y *= 1 + noise*(2*rng.Float64()-1)
		}
		pts = append(pts, analysis.USLPoint{N: n, ThroughputMsgsPerSec: y})
	}
	return pts
}

func TestFitUSLRecoversParameters(t *testing.T) {
	wide := []float64{1, 2, 4, 8, 16, 32, 64}
	tests := []struct {
		name                 string
		lambda, sigma, kappa float64
		ns                   []float64
		noise                float64
		tol                  float64 // relative tolerance on lambda and the peak
	}{
		{"retrograde", 20000, 0.05, 0.002, wide, 0, 1e-3},
		{"contention only", 5000, 0.2, 0, wide, 0, 1e-3},
		{"linear", 1000, 0, 0, []float64{1, 2, 3, 4, 5}, 0, 1e-3},
		{"strong coherency", 300000, 0.1, 0.02, []float64{1, 2, 4, 6, 8, 12, 16}, 0, 1e-3},
		{"noisy 1%", 20000, 0.05, 0.002, wide, 0.01, 0.05},
		{"repeats", 20000, 0.05, 0.002, append(append([]float64{}, wide...), wide...), 0.01, 0.05},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fit, err := analysis.FitUSL(uslPoints(tc.lambda, tc.sigma, tc.kappa, tc.ns, tc.noise, 7))
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(fit.Lambda-tc.lambda) / tc.lambda; d > tc.tol {
				t.Errorf("lambda %g, want %g", fit.Lambda, tc.lambda)
			}
			if tc.noise == 0 {
				if math.Abs(fit.Sigma-tc.sigma) > 1e-3 || math.Abs(fit.Kappa-tc.kappa) > 1e-4 {
					t.Errorf("sigma %g kappa %g, want %g %g", fit.Sigma, fit.Kappa, tc.sigma, tc.kappa)
				}
				if fit.R2 == nil || *fit.R2 < 0.9999 {
					t.Errorf("R² %v on exact points", fit.R2)
				}
			}
			if tc.kappa > 0 {
				want := math.Sqrt((1 - tc.sigma) / tc.kappa)
				if math.Abs(fit.PeakN-want)/want > 10*tc.tol+0.01 {
					t.Errorf("peak N %g, want %g", fit.PeakN, want)
				}
				wantX := result.USLFit{Lambda: tc.lambda, Sigma: tc.sigma, Kappa: tc.kappa}.Predict(want)
				if math.Abs(fit.PeakThroughputMsgsPerSec-wantX)/wantX > tc.tol+0.01 {
					t.Errorf("peak throughput %g, want %g", fit.PeakThroughputMsgsPerSec, wantX)
				}
			}
			if fit.Sigma < 0 || fit.Sigma > 1 || fit.Kappa < 0 {
				t.Errorf("parameters out of range: %+v", fit)
			}
			if fitString(fit) == "" {
				t.Error("empty description")
			}
		})
	}
}

func TestFitUSLRefuses(t *testing.T) {
	tests := map[string][]analysis.USLPoint{
		"none":      nil,
		"one point": {{N: 1, ThroughputMsgsPerSec: 1000}},
		"three":     uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0, 1),
		"repeats of three": append(uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0, 1),
			uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0.01, 2)...),
		"zero":     {{N: 1, ThroughputMsgsPerSec: 1000}, {N: 2, ThroughputMsgsPerSec: 0}, {N: 4, ThroughputMsgsPerSec: 3000}, {N: 8, ThroughputMsgsPerSec: 3500}},
		"negative": {{N: 1, ThroughputMsgsPerSec: 1000}, {N: 2, ThroughputMsgsPerSec: -5}, {N: 4, ThroughputMsgsPerSec: 3000}, {N: 8, ThroughputMsgsPerSec: 3500}},
		"NaN":      {{N: 1, ThroughputMsgsPerSec: 1000}, {N: 2, ThroughputMsgsPerSec: math.NaN()}, {N: 4, ThroughputMsgsPerSec: 3000}, {N: 8, ThroughputMsgsPerSec: 3500}},
		"N zero":   {{N: 0, ThroughputMsgsPerSec: 1000}, {N: 2, ThroughputMsgsPerSec: 2000}, {N: 4, ThroughputMsgsPerSec: 3000}, {N: 8, ThroughputMsgsPerSec: 3500}},
	}
	for name, pts := range tests {
		t.Run(name, func(t *testing.T) {
			fit, err := analysis.FitUSL(pts)
			var cf *analysis.CannotFitError
			if !errors.As(err, &cf) {
				t.Fatalf("FitUSL = %+v, %v; want a CannotFitError", fit, err)
			}
			if cf.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

// repeatPoints returns reps noisy repeats of the law at each n.
func repeatPoints(lambda, sigma, kappa float64, ns []float64, reps int, noise float64, seed uint64) []analysis.USLPoint {
	var pts []analysis.USLPoint
	for rep := 0; rep < reps; rep++ {
		pts = append(pts, uslPoints(lambda, sigma, kappa, ns, noise, seed+uint64(rep))...)
	}
	return pts
}

// Issue 13 item 7: a server saturated at one producer is a clear answer,
// not a failed fit.
func TestFitUSLSaturatedIsAnAnswer(t *testing.T) {
	ns := []float64{1, 2, 4, 8, 16}
	for name, pts := range map[string][]analysis.USLPoint{
		"flat, noisy repeats": repeatPoints(300_000, 1, 0, ns, 3, 0.05, 11),
		"flat, exact":         {{N: 1, ThroughputMsgsPerSec: 1000}, {N: 2, ThroughputMsgsPerSec: 1001}, {N: 4, ThroughputMsgsPerSec: 999}, {N: 8, ThroughputMsgsPerSec: 1000}, {N: 16, ThroughputMsgsPerSec: 1002}},
		"falls from one":      repeatPoints(300_000, 1, 0.01, ns, 3, 0.03, 5),
	} {
		t.Run(name, func(t *testing.T) {
			fit, err := analysis.FitUSL(pts)
			if err != nil {
				t.Fatalf("FitUSL: %v; want the saturated answer", err)
			}
			if !fit.Saturated || fit.Sigma < 0.9 {
				t.Errorf("sigma %.3f, saturated %v; want sigma near 1", fit.Sigma, fit.Saturated)
			}
			if s := fitString(fit); !strings.Contains(s, "throughput does not grow past N=1") {
				t.Errorf("description %q", s)
			}
		})
	}
}

// The answer comes with a bootstrap interval over repeats: it contains the
// true peak, it is reproducible, and a low R² does not refuse it.
func TestFitUSLIntervalOverRepeats(t *testing.T) {
	ns := []float64{1, 2, 4, 8, 16}
	pts := repeatPoints(20_000, 0.05, 0.004, ns, 5, 0.05, 3)
	fit, err := analysis.FitUSL(pts)
	if err != nil {
		t.Fatalf("FitUSL on noisy repeats: %v", err)
	}
	ci := fit.Interval
	if ci == nil {
		t.Fatalf("no interval: %s", fit.IntervalNote)
	}
	wantN := math.Sqrt((1 - 0.05) / 0.004) // 15.4
	if !(ci.PeakN[0] <= wantN && wantN <= ci.PeakN[1]) || ci.PeakN[0] >= ci.PeakN[1] {
		t.Errorf("peak N interval %v does not hold the true %.1f", ci.PeakN, wantN)
	}
	if !(ci.Sigma[0] <= fit.Sigma && fit.Sigma <= ci.Sigma[1]) {
		t.Errorf("sigma %.3f outside its interval %v", fit.Sigma, ci.Sigma)
	}
	again, _ := analysis.FitUSL(pts)
	if fitString(again) != fitString(fit) {
		t.Errorf("not reproducible:\n%s\n%s", fitString(fit), fitString(again))
	}
	if s := fitString(fit); !strings.Contains(s, "90% intervals from 200 bootstrap resamples") {
		t.Errorf("description %q lacks the interval", s)
	}
	band := ci.Band
	if len(band) == 0 || band[0].N != fit.MinN || band[len(band)-1].N != fit.MaxN {
		t.Fatalf("band %v does not span the counts fitted", band)
	}
	for _, b := range band {
		if y := fit.Predict(b.N); !(b.Low <= y && y <= b.High) {
			t.Errorf("band at %g: [%g, %g] around %g", b.N, b.Low, b.High, y)
		}
	}

	// One run per count: no interval, and the reason says how to get one.
	single, err := analysis.FitUSL(uslPoints(20_000, 0.05, 0.004, ns, 0.01, 3))
	if err != nil || single.Interval != nil || !strings.Contains(single.IntervalNote, "load.repeat") {
		t.Errorf("single repeat: %v, interval %v, note %q", err, single.Interval, single.IntervalNote)
	}
}

// With fewer than four counts the refusal says how many more are needed.
func TestFitUSLSaysHowManyMoreCounts(t *testing.T) {
	_, err := analysis.FitUSL(uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0, 1))
	if err == nil || !strings.Contains(err.Error(), "measure 1 more producer count (for example 8)") {
		t.Errorf("error %v", err)
	}
	_, err = analysis.FitUSL(uslPoints(1000, 0.1, 0.01, []float64{1, 2}, 0, 1))
	if err == nil || !strings.Contains(err.Error(), "measure 2 more producer counts (for example 4, 8)") {
		t.Errorf("error %v", err)
	}
}

// A systematic misfit (measured: a dip at 4 producers in every repeat) is
// said even when repeats give an interval: the interval covers the spread
// of the repeats, not the misfit.
func TestFitUSLMisfitIsSaid(t *testing.T) {
	var pts []analysis.USLPoint
	for n, ys := range map[float64][]float64{
		1: {80333, 107155, 74891}, 2: {106340, 95912, 101870}, 4: {66483, 87979, 65516},
		8: {100530, 101503, 103456}, 16: {130965, 125387, 124492},
	} {
		for _, y := range ys {
			pts = append(pts, analysis.USLPoint{N: n, ThroughputMsgsPerSec: y})
		}
	}
	fit, err := analysis.FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	if s := fitString(fit); fit.Interval == nil || !strings.Contains(s, "not that misfit") {
		t.Errorf("R² %v, description %q", fit.R2, s)
	}
}
