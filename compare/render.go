package compare

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/report"
)

// Format names an output format of the comparison.
type Format string

// Formats.
const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatJUnit    Format = "junit"
)

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatText, FormatMarkdown, FormatJUnit:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want text, markdown or junit", s)
}

// Write renders rep in format f.
func Write(w io.Writer, rep *Report, f Format) error {
	switch f {
	case FormatText:
		return WriteText(w, rep)
	case FormatMarkdown:
		return WriteMarkdown(w, rep)
	case FormatJUnit:
		return WriteJUnit(w, rep)
	}
	return fmt.Errorf("unknown format %q", f)
}

// row is one comparison's cells, shared by the text and Markdown tables.
type row struct {
	target, step, metric, base, cur, change, p, n, verdict, note string
}

func rows(rep *Report) []row {
	out := make([]row, 0, len(rep.Comparisons))
	for _, c := range rep.Comparisons {
		r := row{target: c.Key.Target, step: c.Key.Step(), metric: c.Metric, verdict: verdictText(c.Verdict),
			base: "-", cur: "-", change: "-", p: "-", n: fmt.Sprintf("%d+%d", len(c.Base), len(c.New)), note: c.Note}
		if c.Verdict != Missing {
			r.base, r.cur = formatValue(c.Unit, c.BaseMedian), formatValue(c.Unit, c.NewMedian)
			r.change = formatPct(c.Change)
			r.p = fmt.Sprintf("%.3f", c.P)
			if !c.TestUsable {
				r.p += " (min " + fmt.Sprintf("%.3f", c.MinP) + ")"
			}
		}
		out = append(out, r)
	}
	return out
}

func verdictText(v Verdict) string {
	if v == Regression {
		return "REGRESSION"
	}
	return string(v)
}

// gateLine states the rule the verdicts follow.
func gateLine(o Options) string {
	return fmt.Sprintf("gate: throughput may drop %s, latency may rise %s; Mann-Whitney U over the repeats, alpha %g; "+
		"a regression is beyond the tolerance and significant",
		pct(o.MaxThroughputDrop), pct(o.MaxLatencyRise), o.Alpha)
}

// summaryLine is the overall verdict.
func summaryLine(rep *Report) string {
	n := rep.Regressions()
	switch n {
	case 0:
		return fmt.Sprintf("no regression (%d comparisons)", len(rep.Comparisons))
	case 1:
		return fmt.Sprintf("1 regression in %d comparisons", len(rep.Comparisons))
	}
	return fmt.Sprintf("%d regressions in %d comparisons", n, len(rep.Comparisons))
}

// WriteText writes the comparison as a text table with the gate, the notes
// and the overall verdict.
func WriteText(w io.Writer, rep *Report) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "stationbench compare: base %s vs new %s\n%s\n\n", rep.BaseName, rep.NewName, gateLine(rep.Options))
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  target\tstep\tmetric\tbase\tnew\tchange\tp\tn\tverdict\tnote")
	for _, r := range rows(rep) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.target, r.step, r.metric, r.base, r.cur, r.change, r.p, r.n, r.verdict, r.note)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("compare text: %w", err)
	}
	if len(rep.Notes) > 0 {
		buf.WriteString("\nnotes:\n")
		for _, n := range rep.Notes {
			buf.WriteString("  - " + n + "\n")
		}
	}
	fmt.Fprintf(&buf, "\nverdict: %s\n", summaryLine(rep))
	if _, err := w.Write(trimLines(buf.Bytes())); err != nil {
		return fmt.Errorf("compare text: %w", err)
	}
	return nil
}

// WriteMarkdown writes the comparison as GitHub-flavoured Markdown, for a
// CI step summary or a pull-request comment.
func WriteMarkdown(w io.Writer, rep *Report) error {
	var b strings.Builder
	mark := "✅"
	if rep.Regressions() > 0 {
		mark = "❌"
	}
	fmt.Fprintf(&b, "## stationbench compare: %s %s\n\n", mark, summaryLine(rep))
	gate := gateLine(rep.Options)
	fmt.Fprintf(&b, "Base `%s`, new `%s`. G%s.\n\n", mdEscape(rep.BaseName), mdEscape(rep.NewName), mdEscape(gate[1:]))
	b.WriteString("| target | step | metric | base | new | change | p | n | verdict | note |\n")
	b.WriteString("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows(rep) {
		verdict := r.verdict
		if verdict == verdictText(Regression) {
			verdict = "**" + verdict + "**"
		}
		cells := []string{r.target, r.step, r.metric, r.base, r.cur, r.change, r.p, r.n, verdict, r.note}
		for i, c := range cells {
			cells[i] = mdEscape(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\n**Notes**\n\n")
		for _, n := range rep.Notes {
			b.WriteString("- " + mdEscape(n) + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("compare markdown: %w", err)
	}
	return nil
}

// mdEscape keeps a cell's text from breaking the table.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// trimLines removes trailing spaces that tabwriter leaves.
func trimLines(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " ")
	}
	return bytes.Join(lines, []byte("\n"))
}

func pct(f float64) string { return fmt.Sprintf("%g%%", math.Round(f*1e6)/1e4) }

// formatValue writes a median for people: throughput in msgs/s, latency as
// a duration with about three significant digits.
func formatValue(unit string, v float64) string {
	if unit != "us" {
		return fmt.Sprintf("%.0f msgs/s", v)
	}
	return report.FormatDurationUs(v)
}
