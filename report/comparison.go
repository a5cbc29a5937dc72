package report

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/result"
)

// Comparison lays out, when r has more than one target, the targets side
// by side: one row per step with each target's msgs/s and p99, and for
// every target after the first its throughput as a ratio of the first's
// ("x0.85": 15% less). Repeats are merged as in the charts. It returns no
// rows for a single target.
func Comparison(r *result.Result) (head []string, rows [][]string) {
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		c := chartDataAxis(r, axis)
		if len(c.series) < 2 {
			continue
		}
		if head == nil {
			head = []string{"step"}
			for _, s := range c.series {
				head = append(head, s.target+" msgs/s", s.target+" p99")
			}
			for _, s := range c.series[1:] {
				head = append(head, s.target+"/"+c.series[0].target)
			}
		}
		if len(head) != 3*len(c.series) {
			continue // the rate steps have other targets; the producer table stands
		}
		for _, x := range c.xs {
			row := []string{stepLabel(axis, x)}
			tputs := make([]float64, len(c.series))
			for i, s := range c.series {
				tput, p99 := "-", "-"
				for _, pt := range s.points {
					if pt.x != x {
						continue
					}
					if mean, _, _, ok := pt.throughput(); ok {
						tput, tputs[i] = formatCount(mean), mean
					}
					if l := pt.latency(); l.P99 > 0 {
						p99 = FormatLatencyUs(l.P99)
					}
				}
				row = append(row, tput, p99)
			}
			for _, t := range tputs[1:] {
				ratio := "-"
				if tputs[0] > 0 && t > 0 {
					ratio = fmt.Sprintf("x%.2f", t/tputs[0])
				}
				row = append(row, ratio)
			}
			rows = append(rows, row)
		}
	}
	return head, rows
}

// writeComparison writes the side-by-side table as text, when there is one.
func writeComparison(w *errWriter, r *result.Result) error {
	head, rows := Comparison(r)
	if len(rows) == 0 {
		return nil
	}
	w.printf("\ntargets side by side (ratio: msgs/s against the first target):\n")
	return writeTable(w, head, rows)
}

// writeTable writes a plain right-aligned text table.
func writeTable(w *errWriter, head []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}
