package analysis

import (
	"sort"

	"github.com/stationbench/stationbench/result"
)

// comparison sets the targets side by side when the steps have more than
// one: one row per step with each target's mean msgs/s and p99 (repeats
// merged as in the charts), and for every target after the first its
// throughput as a ratio of the first's. The targets are those of the
// producer sweep, or of the rate sweep when there is none; the rate steps
// are added when they have as many targets. It returns nil for a single target.
func comparison(steps []result.StepFigures) *result.Comparison {
	var out *result.Comparison
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		targets, xs := stepAxes(steps, axis)
		if len(targets) < 2 {
			continue
		}
		if out == nil {
			out = &result.Comparison{Targets: targets}
		}
		if len(out.Targets) != len(targets) {
			continue // the rate steps have other targets; the producer table stands
		}
		index := map[string]int{}
		for i, t := range targets {
			index[t] = i
		}
		for _, x := range xs {
			row := result.ComparisonRow{Axis: axis, X: x, Cells: make([]result.ComparisonCell, len(targets))}
			for _, s := range steps {
				if s.Axis != axis || s.X != x {
					continue
				}
				cell := &row.Cells[index[s.Target]]
				cell.ThroughputMsgsPerSec = s.ThroughputMsgsPerSec
				if s.LatencyUs.P99 > 0 {
					cell.P99Us = s.LatencyUs.P99
				}
			}
			first := row.Cells[0].ThroughputMsgsPerSec
			for _, cell := range row.Cells[1:] {
				ratio := 0.0
				if first > 0 && cell.ThroughputMsgsPerSec > 0 {
					ratio = cell.ThroughputMsgsPerSec / first
				}
				row.Ratios = append(row.Ratios, ratio)
			}
			out.Rows = append(out.Rows, row)
		}
	}
	return out
}

// stepAxes lists the targets of axis's steps in the order the steps name
// them, and their distinct x values ascending.
func stepAxes(steps []result.StepFigures, axis string) (targets []string, xs []float64) {
	seenT := map[string]bool{}
	seenX := map[float64]bool{}
	for _, s := range steps {
		if s.Axis != axis {
			continue
		}
		if !seenT[s.Target] {
			seenT[s.Target] = true
			targets = append(targets, s.Target)
		}
		if !seenX[s.X] {
			seenX[s.X] = true
			xs = append(xs, s.X)
		}
	}
	sort.Float64s(xs)
	return targets, xs
}
