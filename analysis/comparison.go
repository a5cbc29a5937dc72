package analysis

import "github.com/stationbench/stationbench/result"

// Comparison sets the targets side by side when r has more than one: one
// row per step with each target's mean msgs/s and p99 (repeats merged as in
// the charts), and for every target after the first its throughput as a
// ratio of the first's. The targets are those of the producer sweep, or of
// the rate sweep when there is none; the rate steps are added when they
// have as many targets. It returns nil for a single target.
func Comparison(r *result.Result) *result.Comparison {
	var out *result.Comparison
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		c := group(r, axis)
		if len(c.series) < 2 {
			continue
		}
		if out == nil {
			out = &result.Comparison{}
			for _, s := range c.series {
				out.Targets = append(out.Targets, s.target)
			}
		}
		if len(out.Targets) != len(c.series) {
			continue // the rate steps have other targets; the producer table stands
		}
		for _, x := range c.xs {
			row := result.ComparisonRow{Axis: axis, X: x, Cells: make([]result.ComparisonCell, len(c.series))}
			for i, s := range c.series {
				for _, pt := range s.points {
					if pt.x != x {
						continue
					}
					if mean, _, _, ok := pt.throughput(); ok {
						row.Cells[i].ThroughputMsgsPerSec = mean
					}
					if l := pt.latency(); l.P99 > 0 {
						row.Cells[i].P99Us = l.P99
					}
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
