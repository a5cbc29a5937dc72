package analysis

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/stationbench/stationbench/result"
)

// FairnessFlag is the fairness index below which a run is flagged.
const FairnessFlag = 0.9

// SlowestShown is how many of a flagged run's slowest producers are named.
const SlowestShown = 3

// Score rates a producer's delivery in a run from 0 to 10:
//
//	score = 10 × E × L, rounded to one decimal
//	E = max(0, 1 − 10 × errors / max(sent, 1))   (10 % errors or more: 0)
//	L = min(1, reference / p99)                   (p99 at twice the reference halves it)
//
// where reference is the run's p99 SLO when the scenario sets one, else the
// median of the run's per-producer p99s. L is 1 when either p99 or the
// reference is 0 (nothing measured). A producer that sent nothing and had
// no errors scores 0: it delivered nothing.
func Score(sent, errors int64, p99Us, referenceUs float64) float64 {
	if sent == 0 && errors == 0 {
		return 0
	}
	e := max(0, 1-10*float64(errors)/float64(max(sent, 1)))
	l := 1.0
	if p99Us > 0 && referenceUs > 0 {
		l = min(1, referenceUs/p99Us)
	}
	return math.Round(100*e*l) / 10
}

// Jain returns Jain's fairness index of xs: (Σx)² / (n·Σx²). It is 1 when
// every x is equal and 1/n when one holds everything; 1 for no values or
// all zeros (nobody was treated worse than anybody else).
func Jain(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if len(xs) == 0 || sq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sq)
}

// Median is the median of xs (the mean of the middle two for an even count);
// 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// Slowest returns the n producers of a run with the lowest throughput,
// slowest first.
func Slowest(ps []result.ProducerStats, n int) []result.ProducerStats {
	s := slices.Clone(ps)
	slices.SortStableFunc(s, func(a, b result.ProducerStats) int {
		return cmp.Compare(a.ThroughputMsgsPerSec, b.ThroughputMsgsPerSec)
	})
	return s[:min(n, len(s))]
}

// Fairness lists, in step order, every run with a fairness index; a run
// below FairnessFlag is flagged with its SlowestShown slowest producers.
func Fairness(r *result.Result) []result.RunFairness {
	var out []result.RunFairness
	for _, run := range result.ByStep(r.Runs) {
		if run.Fairness == nil {
			continue
		}
		f := result.RunFairness{Target: run.Target, Producers: run.Producers, RateMsgsPerSec: run.RateMsgsPerSec,
			Repeat: run.Repeat, Index: *run.Fairness}
		if f.Index < FairnessFlag {
			f.Flagged = true
			for _, p := range Slowest(run.ProducerStats, SlowestShown) {
				f.Slowest = append(f.Slowest, result.SlowProducer{Name: p.Name, ThroughputMsgsPerSec: p.ThroughputMsgsPerSec})
			}
		}
		out = append(out, f)
	}
	return out
}
