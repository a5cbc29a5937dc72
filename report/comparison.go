package report

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/result"
)

// Comparison lays out the targets side by side that r's analysis holds
// (analysis.Comparison): one row per step with each target's msgs/s and
// p99, and for every target after the first its throughput as a ratio of
// the first's ("x0.85": 15% less). It returns no rows for a single target.
func Comparison(r *result.Result) (head []string, rows [][]string) {
	if r == nil || r.Analysis == nil || r.Analysis.Comparison == nil {
		return nil, nil
	}
	c := r.Analysis.Comparison
	head = []string{"step"}
	for _, t := range c.Targets {
		head = append(head, t+" msgs/s", t+" p99")
	}
	for _, t := range c.Targets[1:] {
		head = append(head, t+"/"+c.Targets[0])
	}
	for _, cr := range c.Rows {
		row := []string{stepLabel(cr.Axis, cr.X)}
		for _, cell := range cr.Cells {
			tput, p99 := "-", "-"
			if cell.ThroughputMsgsPerSec != 0 {
				tput = formatCount(cell.ThroughputMsgsPerSec)
			}
			if cell.P99Us > 0 {
				p99 = FormatLatencyUs(cell.P99Us)
			}
			row = append(row, tput, p99)
		}
		for _, ratio := range cr.Ratios {
			text := "-"
			if ratio > 0 {
				text = fmt.Sprintf("x%.2f", ratio)
			}
			row = append(row, text)
		}
		rows = append(rows, row)
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
