package compare

import (
	"fmt"
	"io"
	"strings"

	"github.com/stationbench/stationbench/report"
)

// WriteJUnit writes the comparison as JUnit XML: one test suite per target
// and one test case per target x step x metric. A regression, and a step
// of the base the new result did not measure, is a failure; a step missing
// from the base is skipped; everything else passes. When the gate failed
// closed (a result that did not complete, nothing in common), a "gate"
// suite holds one failing case per reason, so that the CI shows why.
func WriteJUnit(w io.Writer, rep *Report) error {
	doc := report.JUnitSuites{Name: "stationbench compare"}
	props := []report.JUnitProperty{
		{Name: "base", Value: rep.BaseName}, {Name: "new", Value: rep.NewName},
		{Name: "max_throughput_drop", Value: pct(rep.Options.MaxThroughputDrop)},
		{Name: "max_latency_rise", Value: pct(rep.Options.MaxLatencyRise)},
		{Name: "alpha", Value: fmt.Sprintf("%g", rep.Options.Alpha)},
		{Name: "verdict", Value: summaryLine(rep)},
	}
	if len(rep.Failures) > 0 {
		gate := report.JUnitSuite{Name: "stationbench compare: gate", Properties: props}
		for i, f := range rep.Failures {
			gate.Add(report.JUnitCase{ClassName: "stationbench.gate", Name: fmt.Sprintf("gate check %d", i+1), Time: "0",
				Failure: &report.JUnitFailure{Message: f, Type: "fail-closed", Text: f}})
		}
		doc.Suites = append(doc.Suites, gate)
	}
	index := map[string]int{}
	for _, c := range rep.Comparisons {
		i, ok := index[c.Key.Target]
		if !ok {
			i = len(doc.Suites)
			index[c.Key.Target] = i
			doc.Suites = append(doc.Suites, report.JUnitSuite{Name: "stationbench compare: " + c.Key.Target, Properties: props})
		}
		tc := report.JUnitCase{ClassName: "stationbench." + c.Key.Target, Name: c.Key.Step() + ": " + c.Metric, Time: "0",
			SystemOut: detail(c)}
		switch c.Verdict {
		case Regression:
			tc.Failure = &report.JUnitFailure{Message: failureMessage(c), Type: "regression", Text: detail(c)}
		case NotMeasured:
			tc.Failure = &report.JUnitFailure{Message: c.Note, Type: "not-measured", Text: c.Note}
		case Missing:
			tc.Skipped = &report.JUnitSkipped{Message: c.Note}
		}
		doc.Suites[i].Add(tc)
	}
	if len(doc.Suites) == 0 {
		doc.Suites = append(doc.Suites, report.JUnitSuite{Name: "stationbench compare", Properties: props})
	}
	if len(rep.Notes) > 0 {
		doc.Suites[0].SystemOut = "notes:\n- " + strings.Join(rep.Notes, "\n- ") + "\n"
	}
	if err := report.WriteJUnitXML(w, doc); err != nil {
		return fmt.Errorf("compare %w", err)
	}
	return nil
}

// failureMessage is the one line a CI system shows for a regression.
func failureMessage(c Comparison) string {
	dir := "rise"
	if c.Metric == MetricThroughput {
		dir = "drop"
	}
	msg := fmt.Sprintf("%s %s %s (tolerated %s %s, mde %s)", c.Metric, dir, formatPct(c.Change), dir, tolText(c), mdeText(c))
	if c.TestUsable {
		return msg + fmt.Sprintf(", p=%.3f <= alpha %g", c.P, c.Alpha)
	}
	return msg + ", tolerance-only: too few repeats for the test, not judged significant"
}

// detail lists the numbers behind a verdict.
func detail(c Comparison) string {
	if !compared(c) {
		return c.Note
	}
	p := fmt.Sprintf("p=%.4f", c.P)
	if !c.TestUsable {
		p = fmt.Sprintf("p n/a (smallest possible %.3g)", c.MinP)
	}
	s := fmt.Sprintf("verdict %s: median %s -> %s (%s), tolerance %s, mde %s, %s, alpha %g, n=%d+%d\nbase: %s\nnew:  %s",
		c.Verdict, formatValue(c.Unit, c.BaseMedian), formatValue(c.Unit, c.NewMedian), formatPct(c.Change),
		tolText(c), mdeText(c), p, c.Alpha, len(c.Base), len(c.New), joinValues(c.Unit, c.Base), joinValues(c.Unit, c.New))
	if c.Note != "" {
		s += "\n" + c.Note
	}
	return s
}

func joinValues(unit string, vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = formatValue(unit, v)
	}
	return strings.Join(parts, ", ")
}
