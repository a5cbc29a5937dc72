package analysis

import (
	"math"
	"slices"

	"github.com/stationbench/stationbench/result"
)

// MinGainPerDoubling decides whether a step of the sweep paid: it must
// raise throughput over the previous producer count by at least this much
// per doubling of producers (+10% from 2 to 4 producers, +4.9% from 8 to
// 12, +21% from 1 to 4). Each step is judged by what it added, not by its
// efficiency against one producer.
const MinGainPerDoubling = 0.10

// RequiredGain is the gain a step from prev to n producers must make to pay.
func RequiredGain(prev, n int) float64 {
	return math.Pow(1+MinGainPerDoubling, math.Log2(float64(n)/float64(prev))) - 1
}

// Capacity analyses each target's throughput against producers: what each
// step added over the previous count, where adding producers stopped
// paying, and the USL fit. Only complete runs count: an interrupted or
// failed run never enters the verdict. Runs stepping the offered rate are
// not part of it; targets with no producer sweep are left out, and so are
// open-loop sweeps: their throughput is the rate they were offered, so
// whether adding producers paid cannot be told from them.
func Capacity(r *result.Result) []result.Scaling {
	if r == nil {
		return nil
	}
	c := group(r, result.AxisProducers)
	var out []result.Scaling
	for _, s := range c.series {
		if openLoop(s) {
			continue
		}
		sc := result.Scaling{Target: s.target}
		var pts []USLPoint
		for _, p := range s.points {
			p, left := completeRuns(p)
			if left != nil {
				sc.Left = append(sc.Left, *left)
			}
			mean, _, _, ok := p.throughput()
			if !ok || p.x < 1 {
				continue
			}
			sc.Steps = append(sc.Steps, result.ScalingStep{Producers: int(p.x), ThroughputMsgsPerSec: mean})
			for _, run := range p.runs {
				pts = append(pts, USLPoint{N: p.x, ThroughputMsgsPerSec: run.ThroughputMsgsPerSec})
			}
		}
		sc.Left = append(sc.Left, leftOut(r, s.target)...)
		if len(sc.Steps) == 0 {
			continue
		}
		scaleSteps(&sc)
		if fit, err := FitUSL(pts); err != nil {
			sc.FitError = err.Error()
		} else {
			sc.Fit = &fit
		}
		out = append(out, sc)
	}
	return out
}

// completeRuns keeps the step's complete runs; left names the step when
// none completed.
func completeRuns(p stepRuns) (stepRuns, *result.LeftStep) {
	var keep []result.Run
	var index []int
	var other []result.Status
	for i, run := range p.runs {
		if run.Status == result.StatusComplete {
			keep = append(keep, run)
			index = append(index, p.index[i])
		} else if !slices.Contains(other, run.Status) {
			other = append(other, run.Status)
		}
	}
	p.runs, p.index = keep, index
	if len(keep) > 0 || len(other) == 0 {
		return p, nil
	}
	return p, &result.LeftStep{Producers: int(p.x), Statuses: other}
}

// leftOut names the producer counts of target whose runs measured no
// throughput at all and did not complete (group drops them).
func leftOut(r *result.Result, target string) []result.LeftStep {
	byN := map[int][]result.Status{}
	var ns []int
	measured := map[int]bool{}
	for _, run := range r.Runs {
		if run.Target != target || run.Axis != result.AxisProducers {
			continue
		}
		if run.ThroughputMsgsPerSec > 0 {
			measured[run.Producers] = true
			continue
		}
		if run.Status == result.StatusComplete {
			continue
		}
		if _, ok := byN[run.Producers]; !ok {
			ns = append(ns, run.Producers)
		}
		if !slices.Contains(byN[run.Producers], run.Status) {
			byN[run.Producers] = append(byN[run.Producers], run.Status)
		}
	}
	var out []result.LeftStep
	for _, n := range ns {
		if !measured[n] {
			out = append(out, result.LeftStep{Producers: n, Statuses: byN[n]})
		}
	}
	return out
}

// scaleSteps fills in efficiency, gain and whether each step paid, and
// finds where scaling stopped.
func scaleSteps(sc *result.Scaling) {
	base := sc.Steps[0]
	sc.Base = base.Producers
	last := 0 // index of the last step that paid: the best so far
	for i := range sc.Steps {
		st := &sc.Steps[i]
		st.Efficiency = st.ThroughputMsgsPerSec * float64(base.Producers) /
			(float64(st.Producers) * base.ThroughputMsgsPerSec)
		if i == 0 {
			continue
		}
		prev, ref := sc.Steps[i-1], sc.Steps[last]
		st.Gain = st.ThroughputMsgsPerSec/prev.ThroughputMsgsPerSec - 1
		st.Ref = ref.Producers
		st.RefGain = st.ThroughputMsgsPerSec/ref.ThroughputMsgsPerSec - 1
		st.Need = RequiredGain(ref.Producers, st.Producers)
		st.Pays = st.RefGain >= st.Need
		if st.Pays {
			last = i
		}
	}
	sc.Best = sc.Steps[last].Producers
	if last+1 < len(sc.Steps) {
		sc.StopAt = sc.Steps[last+1].Producers
	}
}

// openLoop reports whether every run of a target's sweep was paced at an
// offered rate.
func openLoop(s targetSteps) bool {
	for _, p := range s.points {
		for _, run := range p.runs {
			if run.RateMsgsPerSec <= 0 {
				return false
			}
		}
	}
	return true
}
