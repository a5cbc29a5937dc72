package compare

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML documents, in the shape CI systems (GitHub, GitLab, Jenkins)
// read: suites of test cases, each with an optional failure or skip.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the comparison as JUnit XML: one test suite per target
// and one test case per target x step x metric. A regression is a failure,
// a step missing from one result is skipped, everything else passes.
func WriteJUnit(w io.Writer, rep *Report) error {
	doc := junitSuites{Name: "stationbench compare"}
	props := []junitProperty{
		{"base", rep.BaseName}, {"new", rep.NewName},
		{"max_throughput_drop", pct(rep.Options.MaxThroughputDrop)},
		{"max_latency_rise", pct(rep.Options.MaxLatencyRise)},
		{"alpha", fmt.Sprintf("%g", rep.Options.Alpha)},
	}
	index := map[string]int{}
	for _, c := range rep.Comparisons {
		i, ok := index[c.Key.Target]
		if !ok {
			i = len(doc.Suites)
			index[c.Key.Target] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: "stationbench compare: " + c.Key.Target, Properties: props})
		}
		s := &doc.Suites[i]
		tc := junitCase{ClassName: "stationbench." + c.Key.Target, Name: c.Key.Step() + ": " + c.Metric, Time: "0",
			SystemOut: detail(c)}
		switch c.Verdict {
		case Regression:
			tc.Failure = &junitFailure{Message: failureMessage(c), Type: "regression", Text: detail(c)}
			s.Failures++
		case Missing:
			tc.Skipped = &junitSkipped{Message: c.Note}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	if len(rep.Notes) > 0 && len(doc.Suites) > 0 {
		doc.Suites[0].SystemOut = "notes:\n- " + strings.Join(rep.Notes, "\n- ") + "\n"
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("compare junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("compare junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("compare junit: %w", err)
	}
	return nil
}

// failureMessage is the one line a CI system shows for a regression.
func failureMessage(c Comparison) string {
	dir := "rise"
	if c.Metric == MetricThroughput {
		dir = "drop"
	}
	msg := fmt.Sprintf("%s %s %s (tolerated %s %s)", c.Metric, dir, formatPct(c.Change), dir, pct(c.Tolerance))
	if c.TestUsable {
		return msg + fmt.Sprintf(", p=%.3f <= alpha %g", c.P, c.Alpha)
	}
	return msg + ", too few repeats for the test: judged by tolerance alone"
}

// detail lists the numbers behind a verdict.
func detail(c Comparison) string {
	if c.Verdict == Missing {
		return c.Note
	}
	s := fmt.Sprintf("verdict %s: median %s -> %s (%s), p=%.4f, alpha %g, n=%d+%d\nbase: %s\nnew:  %s",
		c.Verdict, formatValue(c.Unit, c.BaseMedian), formatValue(c.Unit, c.NewMedian), formatPct(c.Change),
		c.P, c.Alpha, len(c.Base), len(c.New), joinValues(c.Unit, c.Base), joinValues(c.Unit, c.New))
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
