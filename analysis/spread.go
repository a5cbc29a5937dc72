package analysis

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/stationbench/stationbench/result"
)

// SpreadShown is how many producers a run's spread names at each end: the
// lowest and the highest throughput, and the highest p99.
const SpreadShown = 5

// ProducerSpread lists, in step order, how the producers of every run with
// two or more producer records spread (result.ProducerSpread).
//
// Throughput spreads over every producer that was not paused throughout the
// measured window, the producers Jain's index counts: one paused all along
// was told not to send, while one that was free to send and sent nothing
// is the worst case the spread is there to show, at 0 msgs/s. p99 spreads
// over the producers that measured a latency (p99 > 0): one that acked
// nothing has no latency to rank, not a latency of 0. Non-finite figures
// count as 0, as the result stores them.
//
// Each figure is sorted once, O(n log n) per run, so 10,000 producers cost
// a few milliseconds.
func ProducerSpread(r *result.Result) []result.ProducerSpread {
	var out []result.ProducerSpread
	for _, run := range result.ByStep(r.Runs) {
		if len(run.ProducerStats) < 2 {
			continue
		}
		s, ok := runSpread(run)
		if !ok {
			continue
		}
		s.Run = runIndex(r.Runs, run)
		out = append(out, s)
	}
	return out
}

// runSpread is one run's spread; false when fewer than two producers were
// free to send.
func runSpread(run result.Run) (result.ProducerSpread, bool) {
	s := result.ProducerSpread{Target: run.Target, Producers: run.Producers, RateMsgsPerSec: run.RateMsgsPerSec,
		Repeat: run.Repeat}
	rates := make([]ranked, 0, len(run.ProducerStats))
	p99s := make([]ranked, 0, len(run.ProducerStats))
	for i, p := range run.ProducerStats {
		if p.PausedS > 0 && p.PausedS >= run.DurationS {
			s.PausedThroughout++
			continue
		}
		v := result.Finite(p.ThroughputMsgsPerSec)
		if v == 0 {
			s.Idle++
		}
		rates = append(rates, ranked{v, i})
		if lat := result.Finite(p.LatencyUs.P99); lat > 0 {
			p99s = append(p99s, ranked{lat, i})
		}
	}
	if len(rates) < 2 {
		return s, false
	}
	figures := func(i int) result.ProducerFigures {
		p := run.ProducerStats[i]
		return result.ProducerFigures{Name: p.Name, ThroughputMsgsPerSec: result.Finite(p.ThroughputMsgsPerSec),
			P99Us: result.Finite(p.LatencyUs.P99)}
	}
	var low, high []int
	s.ThroughputMsgsPerSec, low, high = spreadOf(rates)
	s.Lowest, s.Highest = named(low, figures), named(high, figures)
	if len(p99s) >= 2 {
		q, _, slowest := spreadOf(p99s)
		s.P99Us = &q
		s.SlowestP99 = named(slowest, figures)
	}
	return s, true
}

// ranked is a producer's figure and its index in the run's records.
type ranked struct {
	v float64
	i int
}

// spreadOf sorts xs (two or more) by value, ties in record order, and
// returns their quantiles and the records of the lowest and the highest
// values (lowest and highest first), at most SpreadShown and half of xs
// each, so that the two ends never name the same producer.
func spreadOf(xs []ranked) (q result.Quantiles, low, high []int) {
	slices.SortFunc(xs, func(a, b ranked) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.i, b.i)) })
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = x.v
	}
	at := func(p float64) float64 { return stat.Quantile(p, stat.Empirical, vs, nil) }
	q = result.Quantiles{N: len(vs), Min: vs[0], P10: at(0.1), Median: at(0.5), P90: at(0.9), Max: vs[len(vs)-1]}
	n := min(SpreadShown, len(xs)/2)
	for k := range n {
		low = append(low, xs[k].i)
		high = append(high, xs[len(xs)-1-k].i)
	}
	return q, low, high
}

func named(idx []int, figures func(int) result.ProducerFigures) []result.ProducerFigures {
	out := make([]result.ProducerFigures, len(idx))
	for k, i := range idx {
		out[k] = figures(i)
	}
	return out
}

// runIndex is the index in runs of the run that ByStep returned as run
// (matched by target, axis, producers, rate and repeat, which name a run).
func runIndex(runs []result.Run, run result.Run) int {
	return slices.IndexFunc(runs, func(r result.Run) bool {
		return r.Target == run.Target && r.Axis == run.Axis && r.Producers == run.Producers &&
			r.RateMsgsPerSec == run.RateMsgsPerSec && r.Repeat == run.Repeat
	})
}
