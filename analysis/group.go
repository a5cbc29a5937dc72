package analysis

import (
	"sort"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// steps are the runs of one axis grouped by target, then by step: the one
// grouping of the analysis. Steps states each step's figures from it, and
// the charts draw those, so that the figures the analysis states are the
// points the charts show.
type steps struct {
	xs     []float64 // every distinct x value, ascending
	series []targetSteps
}

type targetSteps struct {
	target string
	points []stepRuns // ascending x
}

type stepRuns struct {
	x     float64
	runs  []result.Run
	index []int // of each run in the result's Runs
}

// group selects the runs stepping axis. Runs without a measured
// throughput are left out; runs that acked nothing but have a throughput
// (core NATS without a subscriber counts sends) stay in.
func group(r *result.Result, axis string) steps {
	var c steps
	index := map[string]int{}
	seen := map[float64]bool{}
	for k, run := range r.Runs {
		if run.Axis != axis || !(run.ThroughputMsgsPerSec > 0) {
			continue
		}
		x := float64(run.Producers)
		if axis == result.AxisRate {
			x = run.RateMsgsPerSec
		}
		if !isFinite(x) || x < 0 {
			continue
		}
		i, ok := index[run.Target]
		if !ok {
			i = len(c.series)
			index[run.Target] = i
			c.series = append(c.series, targetSteps{target: run.Target})
		}
		s := &c.series[i]
		j := sort.Search(len(s.points), func(k int) bool { return s.points[k].x >= x })
		if j == len(s.points) || s.points[j].x != x {
			s.points = append(s.points, stepRuns{})
			copy(s.points[j+1:], s.points[j:])
			s.points[j] = stepRuns{x: x}
		}
		s.points[j].runs = append(s.points[j].runs, run)
		s.points[j].index = append(s.points[j].index, k)
		if !seen[x] {
			seen[x] = true
			c.xs = append(c.xs, x)
		}
	}
	sort.Float64s(c.xs)
	return c
}

// throughput returns the mean, lowest and highest msgs/s over the step's
// runs, ignoring non-finite values; ok is false when none is usable.
func (p stepRuns) throughput() (mean, lo, hi float64, ok bool) {
	var sum float64
	var n int
	for _, run := range p.runs {
		v := run.ThroughputMsgsPerSec
		if !isFinite(v) {
			continue
		}
		if n == 0 || v < lo {
			lo = v
		}
		if n == 0 || v > hi {
			hi = v
		}
		sum += v
		n++
	}
	if n == 0 {
		return 0, 0, 0, false
	}
	return sum / float64(n), lo, hi, true
}

// latency returns the step's latency percentiles in microseconds. With
// several repeats it merges their histograms exactly; when a histogram is
// missing or unreadable it falls back to the mean of the runs' reported
// percentiles.
func (p stepRuns) latency() result.Percentiles {
	if len(p.runs) == 1 {
		return p.runs[0].LatencyUs
	}
	var merged *hdrhistogram.Histogram
	for _, run := range p.runs {
		h, err := result.DecodeHistogram(run.Histogram)
		if err != nil {
			merged = nil
			break
		}
		if merged == nil {
			merged = result.NewHistogram()
		}
		merged.Merge(h)
	}
	if merged != nil {
		return result.Latency(merged)
	}
	var m result.Percentiles
	n := float64(len(p.runs))
	for _, run := range p.runs {
		l := run.LatencyUs
		m.P50 += l.P50 / n
		m.P90 += l.P90 / n
		m.P99 += l.P99 / n
		m.P999 += l.P999 / n
		m.Max += l.Max / n
		m.Mean += l.Mean / n
	}
	return m
}
