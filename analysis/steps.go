package analysis

import "github.com/stationbench/stationbench/result"

// Steps states the figures of every step: one per target and step of the
// producer sweep, then of the rate sweep, each target's steps in ascending
// x, targets in the order their runs appear. These are the points the
// charts draw: mean, lowest and highest throughput over the step's runs,
// and its latency percentiles with the repeats' histograms merged. A
// non-finite percentile (which JSON cannot carry) is stated as 0, which the
// charts leave out as they leave out non-finite ones.
func Steps(r *result.Result) []result.StepFigures {
	if r == nil {
		return nil
	}
	var out []result.StepFigures
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		for _, s := range group(r, axis).series {
			for _, p := range s.points {
				f := result.StepFigures{Target: s.target, Axis: axis, X: p.x, Runs: p.index, LatencyUs: finite(p.latency())}
				if mean, lo, hi, ok := p.throughput(); ok {
					f.ThroughputMsgsPerSec, f.MinThroughputMsgsPerSec, f.MaxThroughputMsgsPerSec = mean, lo, hi
				}
				out = append(out, f)
			}
		}
	}
	return out
}

// finite is p with non-finite numbers replaced by 0.
func finite(p result.Percentiles) result.Percentiles {
	f := result.Finite
	return result.Percentiles{P50: f(p.P50), P90: f(p.P90), P99: f(p.P99), P999: f(p.P999), Max: f(p.Max), Mean: f(p.Mean)}
}
