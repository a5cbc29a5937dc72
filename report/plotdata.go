package report

import (
	"math"
	"sort"

	"github.com/stationbench/stationbench/result"
)

// chart is the data behind the throughput and latency charts: one series
// per target, each point one step (producer count or offered rate) as the
// analysis states it (result.Analysis.Steps).
type chart struct {
	xLabel string
	xs     []float64 // every distinct x value, ascending
	series []chartSeries
}

type chartSeries struct {
	target string
	points []chartPoint // ascending x
}

// chartPoint is one step: its figures, and its runs for the renderers
// that print their histograms.
type chartPoint struct {
	x    float64
	step result.StepFigures
	runs []result.Run
}

// chartData selects the steps to plot: those stepping the producer count,
// or, when no run steps it, those stepping the offered rate.
func chartData(r *result.Result) chart {
	axis := result.AxisRate
	for _, run := range r.Runs {
		if run.Axis == result.AxisProducers {
			axis = result.AxisProducers
			break
		}
	}
	return chartDataAxis(r, axis)
}

// chartDataAxis shapes the analysis's steps of axis into series, one per
// target in the order the analysis lists them. A result without an
// analysis has none.
func chartDataAxis(r *result.Result, axis string) chart {
	c := chart{xLabel: "producers"}
	if axis == result.AxisRate {
		c.xLabel = "offered rate (msgs/s)"
	}
	if r == nil || r.Analysis == nil {
		return c
	}
	index := map[string]int{}
	seen := map[float64]bool{}
	for _, st := range r.Analysis.Steps {
		if st.Axis != axis {
			continue
		}
		i, ok := index[st.Target]
		if !ok {
			i = len(c.series)
			index[st.Target] = i
			c.series = append(c.series, chartSeries{target: st.Target})
		}
		pt := chartPoint{x: st.X, step: st}
		for _, k := range st.Runs {
			if k >= 0 && k < len(r.Runs) {
				pt.runs = append(pt.runs, r.Runs[k])
			}
		}
		c.series[i].points = append(c.series[i].points, pt)
		if !seen[st.X] {
			seen[st.X] = true
			c.xs = append(c.xs, st.X)
		}
	}
	for _, s := range c.series {
		sort.SliceStable(s.points, func(a, b int) bool { return s.points[a].x < s.points[b].x })
	}
	sort.Float64s(c.xs)
	return c
}

// throughput returns the step's mean, lowest and highest msgs/s; ok is
// false when it has none.
func (p chartPoint) throughput() (mean, lo, hi float64, ok bool) {
	s := p.step
	return s.ThroughputMsgsPerSec, s.MinThroughputMsgsPerSec, s.MaxThroughputMsgsPerSec, s.ThroughputMsgsPerSec > 0
}

// repeats is the number of the step's runs.
func (p chartPoint) repeats() int { return len(p.step.Runs) }

// latency returns the step's latency percentiles in microseconds, repeats
// merged.
func (p chartPoint) latency() result.Percentiles { return p.step.LatencyUs }

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
