package compare

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
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
	target, step, metric, base, cur, change, tol, mde, p, n, verdict, note string
}

// header names the columns of a row, in order.
func header() []string {
	return []string{"target", "step", "metric", "base", "new", "change", "tol", "mde", "p", "n", "verdict", "note"}
}

func (r row) cells() []string {
	return []string{r.target, r.step, r.metric, r.base, r.cur, r.change, r.tol, r.mde, r.p, r.n, r.verdict, r.note}
}

func rows(rep *Report) []row {
	out := make([]row, 0, len(rep.Comparisons))
	for _, c := range rep.Comparisons {
		r := row{target: c.Key.Target, step: c.Key.Step(), metric: c.Metric, verdict: verdictText(c.Verdict),
			base: "-", cur: "-", change: "-", tol: "-", mde: "-", p: "-", n: fmt.Sprintf("%d+%d", len(c.Base), len(c.New)), note: c.Note}
		if compared(c) {
			r.base, r.cur = formatValue(c.Unit, c.BaseMedian), formatValue(c.Unit, c.NewMedian)
			r.change = formatPct(c.Change)
			r.tol = tolText(c)
			r.mde = mdeText(c)
			r.p = fmt.Sprintf("%.3f", c.P)
			if !c.TestUsable {
				r.p = fmt.Sprintf("n/a (min %.3f)", c.MinP)
			}
		}
		out = append(out, r)
	}
	return out
}

// tolText writes a comparison's tolerance: as given ("5%"), or widened to
// the base's spread to one decimal and marked "~" ("71.9%~").
func tolText(c Comparison) string {
	if c.ToleranceFromSpread {
		return fmt.Sprintf("%.1f%%~", 100*c.Tolerance)
	}
	return pct(c.Tolerance)
}

// mdeText writes a comparison's minimum detectable effect: "±12.3%", or
// "?" when there was no spread to compute it from.
func mdeText(c Comparison) string {
	if c.MDE == nil {
		return "?"
	}
	return fmt.Sprintf("±%.1f%%", 100**c.MDE)
}

func verdictText(v Verdict) string {
	switch v {
	case Regression:
		return "REGRESSION"
	case NotMeasured:
		return "NOT MEASURED"
	}
	return string(v)
}

// legend explains the tol, mde and p columns, and how the mde is computed.
func legend(o Options) []string {
	return []string{
		"tol: the largest tolerated change in the bad direction; ~ marks a default tolerance widened to the base's own spread " +
			"where the test cannot decide: t(1-alpha/2; n_base-1) * s_base * sqrt(1/n_base + 1/n_new) / base median, s_base the base repeats' standard deviation.",
		fmt.Sprintf("mde: the minimum detectable effect, the smallest change of the median that a test at alpha %g would detect "+
			"%.0f%% of the time given the repeats' spread and counts: (t(1-alpha/2; df) + t(%g; df)) * s * sqrt(1/n_base + 1/n_new) * sqrt(pi/3) / base median, "+
			"s the pooled robust standard deviation of the repeats (1.4826 x their median absolute deviation), df = n_base + n_new - 2, t Student's t quantiles (gonum stat/distuv), "+
			"sqrt(pi/3) the Mann-Whitney test's efficiency against the t test. A change smaller than the mde can pass unseen; "+
			"with few repeats the rank test is coarser still, so read it as a lower bound. ? : one run a side, no spread to go on.",
			o.Alpha, 100*Power, Power),
		"p: the two-sided Mann-Whitney U test's p-value; n/a (min p) where too few repeats make p <= alpha impossible: " +
			"such a row is tolerance-only, judged by the tolerance alone and never called significant.",
	}
}

// gateLine states the rule the verdicts follow.
func gateLine(o Options) string {
	return fmt.Sprintf("gate: throughput may drop %s, latency may rise %s; Mann-Whitney U over the repeats, alpha %g; "+
		"a regression is beyond the tolerance and significant, or beyond the tolerance alone where too few repeats leave the test unusable; "+
		"a step of the base the new result did not measure, or a new or base result that did not complete, fails the gate",
		pct(o.MaxThroughputDrop), pct(o.MaxLatencyRise), o.Alpha)
}

// summaryLine is the overall verdict: FAIL with the reasons when the gate
// failed closed, then the regressions, and whether the comparison was
// tolerance-only (too few repeats for the test).
func summaryLine(rep *Report) string {
	fail := slices.Clone(rep.Failures)
	if nm := rep.NotMeasured(); nm > 0 {
		fail = append(fail, fmt.Sprintf("%d comparison(s) of base steps not measured in the new result", nm))
	}
	var parts []string
	if len(fail) > 0 {
		parts = append(parts, "FAIL: "+strings.Join(fail, "; "))
	}
	n, compared := rep.Regressions(), rep.Compared()
	switch {
	case compared == 0:
		parts = append(parts, "nothing compared")
	case n == 0 && len(fail) > 0:
		parts = append(parts, fmt.Sprintf("no regression in the %d comparisons that could be made", compared))
	case n == 0:
		parts = append(parts, fmt.Sprintf("no regression (%d comparisons)", compared))
	default:
		parts = append(parts, fmt.Sprintf("%d regression%s in %d comparisons", n, plural(n), compared))
	}
	if tol := rep.ToleranceOnly(); tol > 0 {
		c := firstToleranceOnly(rep)
		why := fmt.Sprintf("too few repeats (%d vs %d) for the Mann-Whitney test to reach alpha %g, which needs %d a side",
			len(c.Base), len(c.New), rep.Options.Alpha, repeatsNeeded(rep.Options.Alpha))
		if tol == compared {
			parts = append(parts, "TOLERANCE-ONLY: "+why+", so no change is judged significant")
		} else {
			parts = append(parts, fmt.Sprintf("%d of %d comparisons tolerance-only: %s", tol, compared, why))
		}
	}
	return strings.Join(parts, "; ")
}

// FailureLine says in one line why the gate failed, for the error the
// command exits with; empty when it passed.
func (r *Report) FailureLine() string {
	var parts []string
	parts = append(parts, r.Failures...)
	if nm := r.NotMeasured(); nm > 0 {
		parts = append(parts, fmt.Sprintf("%d comparison(s) of base steps not measured in the new result", nm))
	}
	sig, tol := 0, 0
	for _, c := range r.Comparisons {
		switch {
		case c.Verdict != Regression:
		case c.TestUsable:
			sig++
		default:
			tol++
		}
	}
	if sig > 0 {
		parts = append(parts, fmt.Sprintf("%d regression(s) beyond tolerance and significant", sig))
	}
	if tol > 0 {
		parts = append(parts, fmt.Sprintf("%d regression(s) beyond tolerance, tolerance-only (too few repeats for the test: not judged significant)", tol))
	}
	return strings.Join(parts, "; ")
}

func firstToleranceOnly(rep *Report) Comparison {
	for _, c := range rep.Comparisons {
		if compared(c) && !c.TestUsable {
			return c
		}
	}
	return Comparison{}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WriteText writes the comparison as a text table with the gate, the notes
// and the overall verdict.
func WriteText(w io.Writer, rep *Report) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "stationbench compare: base %s vs new %s\n%s\n\n", rep.BaseName, rep.NewName, gateLine(rep.Options))
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(header(), "\t"))
	for _, r := range rows(rep) {
		fmt.Fprintln(tw, "  "+strings.Join(r.cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("compare text: %w", err)
	}
	buf.WriteString("\n")
	for _, l := range legend(rep.Options) {
		buf.WriteString(l + "\n")
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
	if !rep.Passed() {
		mark = "❌"
	}
	fmt.Fprintf(&b, "## stationbench compare: %s %s\n\n", mark, mdEscape(summaryLine(rep)))
	gate := gateLine(rep.Options)
	fmt.Fprintf(&b, "Base `%s`, new `%s`. G%s.\n\n", mdEscape(rep.BaseName), mdEscape(rep.NewName), mdEscape(gate[1:]))
	b.WriteString("| " + strings.Join(header(), " | ") + " |\n")
	b.WriteString("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows(rep) {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = mdEscape(c)
		}
		if r.verdict == verdictText(Regression) || r.verdict == verdictText(NotMeasured) {
			cells[len(cells)-2] = "**" + cells[len(cells)-2] + "**"
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n<details><summary>How to read the columns</summary>\n\n")
	for _, l := range legend(rep.Options) {
		b.WriteString("- " + mdEscape(l) + "\n")
	}
	b.WriteString("\n</details>\n")
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
