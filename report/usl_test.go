package report

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func uslPoints(lambda, sigma, kappa float64, ns []float64, noise float64, seed uint64) []USLPoint {
	rng := rand.New(rand.NewPCG(seed, 1))
	var pts []USLPoint
	for _, n := range ns {
		y := uslModel(lambda, sigma, kappa, n)
		if noise > 0 {
			y *= 1 + noise*(2*rng.Float64()-1)
		}
		pts = append(pts, USLPoint{N: n, ThroughputMsgsPerSec: y})
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
			fit, err := FitUSL(uslPoints(tc.lambda, tc.sigma, tc.kappa, tc.ns, tc.noise, 7))
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
				if fit.R2 < 0.9999 {
					t.Errorf("R² %g on exact points", fit.R2)
				}
			}
			if tc.kappa > 0 {
				want := math.Sqrt((1 - tc.sigma) / tc.kappa)
				if math.Abs(fit.PeakN-want)/want > 10*tc.tol+0.01 {
					t.Errorf("peak N %g, want %g", fit.PeakN, want)
				}
				wantX := uslModel(tc.lambda, tc.sigma, tc.kappa, want)
				if math.Abs(fit.PeakThroughputMsgsPerSec-wantX)/wantX > tc.tol+0.01 {
					t.Errorf("peak throughput %g, want %g", fit.PeakThroughputMsgsPerSec, wantX)
				}
			}
			if fit.Sigma < 0 || fit.Sigma > 1 || fit.Kappa < 0 {
				t.Errorf("parameters out of range: %+v", fit)
			}
			if fit.String() == "" {
				t.Error("empty description")
			}
		})
	}
}

func TestFitUSLRefuses(t *testing.T) {
	tests := map[string][]USLPoint{
		"none":      nil,
		"one point": {{1, 1000}},
		"three":     uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0, 1),
		"repeats of three": append(uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0, 1),
			uslPoints(1000, 0.1, 0.01, []float64{1, 2, 4}, 0.01, 2)...),
		"flat":     {{1, 1000}, {2, 1001}, {4, 999}, {8, 1000}, {16, 1002}},
		"noisy":    {{1, 1000}, {2, 200}, {3, 3000}, {4, 150}, {5, 2800}, {6, 100}},
		"zero":     {{1, 1000}, {2, 0}, {4, 3000}, {8, 3500}},
		"negative": {{1, 1000}, {2, -5}, {4, 3000}, {8, 3500}},
		"NaN":      {{1, 1000}, {2, math.NaN()}, {4, 3000}, {8, 3500}},
		"N zero":   {{0, 1000}, {2, 2000}, {4, 3000}, {8, 3500}},
	}
	for name, pts := range tests {
		t.Run(name, func(t *testing.T) {
			fit, err := FitUSL(pts)
			var cf *CannotFitError
			if !errors.As(err, &cf) {
				t.Fatalf("FitUSL = %+v, %v; want a CannotFitError", fit, err)
			}
			if cf.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}
