package report

import (
	"math"
	"sort"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// chart is the data behind the throughput and latency charts: one series
// per target, each point one x value (producer count or offered rate) with
// the runs measured there.
type chart struct {
	xLabel string
	xs     []float64 // every distinct x value, ascending
	series []chartSeries
}

type chartSeries struct {
	target string
	points []chartPoint // ascending x
}

type chartPoint struct {
	x    float64
	runs []result.Run
}

// chartData selects the runs to plot: those stepping the producer count, or,
// when there are none, those stepping the offered rate.
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

// chartDataAxis selects the runs stepping axis. Runs without a measured
// throughput are left out; runs that acked nothing but have a throughput
// (core NATS without a subscriber counts sends) stay in.
func chartDataAxis(r *result.Result, axis string) chart {
	c := chart{xLabel: "producers"}
	if axis == result.AxisRate {
		c.xLabel = "offered rate (msgs/s)"
	}
	index := map[string]int{}
	seen := map[float64]bool{}
	for _, run := range r.Runs {
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
			c.series = append(c.series, chartSeries{target: run.Target})
		}
		s := &c.series[i]
		j := sort.Search(len(s.points), func(k int) bool { return s.points[k].x >= x })
		if j == len(s.points) || s.points[j].x != x {
			s.points = append(s.points, chartPoint{})
			copy(s.points[j+1:], s.points[j:])
			s.points[j] = chartPoint{x: x}
		}
		s.points[j].runs = append(s.points[j].runs, run)
		if !seen[x] {
			seen[x] = true
			c.xs = append(c.xs, x)
		}
	}
	sort.Float64s(c.xs)
	return c
}

// throughput returns the mean, min and max msgs/s over the point's runs,
// ignoring non-finite values; ok is false when none is usable.
func (p chartPoint) throughput() (mean, lo, hi float64, ok bool) {
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

// latency returns the point's latency percentiles in microseconds. With
// several repeats it merges their histograms exactly; when a histogram is
// missing or unreadable it falls back to the mean of the runs' reported
// percentiles.
func (p chartPoint) latency() result.Percentiles {
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

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
