package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stationbench/stationbench/result"
)

// VerdictGroup is one kind of verdict a result carries (the run's status,
// the scenario's thresholds, the findMaxRate answers) with a title that
// sums it up and one item per verdict. Every renderer shows the same
// groups: the HTML report's verdict box, the markdown and JUnit.
type VerdictGroup struct {
	// Kind is "run", "threshold" or "findMaxRate".
	Kind  string
	Title string
	Pass  bool
	Items []VerdictItem
	// Passed sums up the passing items in one line for the short forms
	// (the verdict box, the markdown), which list only the failing ones
	// ("20 passed: errors max 0 (10 runs), throughput min 5000 (10 runs)");
	// empty when every item is listed, as findMaxRate answers are.
	Passed string
}

// Listed is what the short forms list one by one: every item when Passed
// is empty, else the failing ones.
func (g VerdictGroup) Listed() []VerdictItem {
	if g.Passed == "" {
		return g.Items
	}
	var out []VerdictItem
	for _, it := range g.Items {
		if !it.Pass {
			out = append(out, it)
		}
	}
	return out
}

// VerdictItem is one verdict: passed or not, and what it says.
type VerdictItem struct {
	Pass bool
	// Rule is what was judged ("throughput min 5000"), Where the run it was
	// judged on ("local, 1 producers, repeat 2"), Text the outcome
	// ("observed 1010 msgs/s: below the minimum").
	Rule, Where, Text string
}

// Name is the rule and where it was judged: "throughput min 5000 @ local,
// 1 producers, repeat 2".
func (it VerdictItem) Name() string {
	if it.Where == "" {
		return it.Rule
	}
	return it.Rule + " @ " + it.Where
}

// Verdicts lists the result's verdicts: how the run ended, each threshold
// and each findMaxRate answer.
func Verdicts(r *result.Result) []VerdictGroup {
	run := VerdictGroup{Kind: "run", Pass: r.Status == result.StatusComplete}
	switch {
	case run.Pass:
		run.Title = fmt.Sprintf("run complete: %d runs", len(r.Runs))
		if n := incompleteRuns(r.Runs); n > 0 {
			run.Title += fmt.Sprintf(", %d of them did not complete", n)
		}
	default:
		run.Title = fmt.Sprintf("run %s", statusText(r.Status))
		if r.Error != "" {
			run.Title += ": " + r.Error
		}
	}
	groups := []VerdictGroup{run}
	if vs := thresholdVerdicts(r); len(vs) > 0 {
		g := VerdictGroup{Kind: "threshold", Title: fmt.Sprintf("thresholds: %d of %d passed", len(vs)-FailedThresholds(vs), len(vs)),
			Pass: FailedThresholds(vs) == 0}
		for _, v := range vs {
			g.Items = append(g.Items, thresholdItem(v))
		}
		g.Passed = passedSummary(g.Items)
		groups = append(groups, g)
	}
	if len(r.MaxRate) > 0 {
		g := VerdictGroup{Kind: "findMaxRate", Title: "max sustainable rate (findMaxRate)", Pass: true}
		for _, s := range r.MaxRate {
			it := maxRateItem(s)
			g.Pass = g.Pass && it.Pass
			g.Items = append(g.Items, it)
		}
		groups = append(groups, g)
	}
	return groups
}

func incompleteRuns(runs []result.Run) int {
	n := 0
	for _, r := range runs {
		if r.Status != result.StatusComplete {
			n++
		}
	}
	return n
}

// thresholdItem words one threshold verdict.
func thresholdItem(v result.ThresholdVerdict) VerdictItem {
	it := VerdictItem{Pass: v.Pass, Rule: fmt.Sprintf("%s %s %s", v.Metric, v.Op, v.LimitText)}
	if v.Repeat > 0 {
		it.Where = fmt.Sprintf("%s, %d producers", v.Target, v.Producers)
		if v.RateMsgsPerSec > 0 {
			it.Where += ", " + formatRate(v.RateMsgsPerSec) + " msgs/s"
		}
		it.Where += fmt.Sprintf(", repeat %d", v.Repeat)
	}
	var text []string
	if v.Observed != nil {
		text = append(text, "observed "+FormatThresholdValue(v.Unit, *v.Observed))
	}
	if w := why(v); w != "" {
		text = append(text, w)
	}
	it.Text = strings.Join(text, ": ")
	return it
}

// passedSummary sums up the passing items by rule: "20 passed: errors max
// 0 (10 runs), throughput min 5000 (10 runs)"; "none passed" when none did.
func passedSummary(items []VerdictItem) string {
	var rules []string
	count := map[string]int{}
	total := 0
	for _, it := range items {
		if !it.Pass {
			continue
		}
		if count[it.Rule] == 0 {
			rules = append(rules, it.Rule)
		}
		count[it.Rule]++
		total++
	}
	if total == 0 {
		return "none passed"
	}
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = fmt.Sprintf("%s (%d runs)", r, count[r])
		if count[r] == 1 {
			parts[i] = r
		}
	}
	return fmt.Sprintf("%d passed: %s", total, strings.Join(parts, ", "))
}

// maxRateItem words one findMaxRate answer; a search where no probed rate
// met the objective does not pass.
func maxRateItem(s result.MaxRateSearch) VerdictItem {
	it := VerdictItem{Pass: s.MaxRateMsgsPerSec > 0, Rule: strings.Join(s.SLO, ", "),
		Where: fmt.Sprintf("%s, %d producers", s.Target, s.Producers)}
	it.Text = s.Answer() + fmt.Sprintf(" (closed loop %.0f msgs/s, %d probes", s.ClosedLoopMsgsPerSec, len(s.Probes))
	if !s.Converged {
		it.Text += "; the probe budget ran out before the bracket reached the precision"
	}
	it.Text += ")"
	if w := s.GeneratorWarning(); w != "" {
		it.Text += "; " + w
	}
	if s.Note != "" {
		it.Text += "; " + s.Note
	}
	return it
}

// writeVerdictsMD writes the verdicts as a markdown section, for the PR
// comment: one line per group, its items under it.
func writeVerdictsMD(w *errWriter, r *result.Result) {
	w.printf("### Verdicts\n\n")
	for _, g := range Verdicts(r) {
		w.printf("- %s **%s**\n", mark(g.Pass), mdEscape(g.Title))
		for _, it := range g.Listed() {
			w.printf("  - %s %s", passText(it.Pass), mdEscape(it.Name()))
			if it.Text != "" {
				w.printf(": %s", mdEscape(it.Text))
			}
			w.printf("\n")
		}
		if g.Passed != "" {
			w.printf("  - %s\n", mdEscape(g.Passed))
		}
	}
	w.printf("\n")
}

func mark(pass bool) string {
	if pass {
		return "✅"
	}
	return "❌"
}

func passText(pass bool) string {
	if pass {
		return "PASS"
	}
	return "FAIL"
}

// JUnit writes the result's verdicts as JUnit XML, for a CI's test report:
// one suite with a case for the run itself (failed when the run did not
// complete), one per threshold verdict and one per findMaxRate answer.
func JUnit(w io.Writer, r *result.Result) error {
	if r == nil {
		return fmt.Errorf("junit: nil result")
	}
	name := orDash(r.Scenario.Name)
	suite := JUnitSuite{Name: "stationbench run: " + name, Properties: []JUnitProperty{
		{Name: "scenario", Value: name}, {Name: "status", Value: string(r.Status)}}}
	if !r.StartedAt.IsZero() {
		suite.Properties = append(suite.Properties, JUnitProperty{Name: "started_at", Value: r.StartedAt.UTC().Format(time.RFC3339)})
	}
	class := "stationbench." + name
	for _, g := range Verdicts(r) {
		if g.Kind == "run" {
			c := JUnitCase{ClassName: class, Name: "run", Time: "0", SystemOut: g.Title}
			if !g.Pass {
				c.Failure = &JUnitFailure{Message: g.Title, Type: "run", Text: g.Title}
			}
			suite.Add(c)
			continue
		}
		kind := g.Kind
		for _, it := range g.Items {
			c := JUnitCase{ClassName: class + "." + kind, Name: kind + ": " + it.Name(), Time: "0", SystemOut: it.Text}
			if !it.Pass {
				msg := it.Name()
				if it.Text != "" {
					msg += ": " + it.Text
				}
				c.Failure = &JUnitFailure{Message: msg, Type: kind, Text: msg}
			}
			suite.Add(c)
		}
	}
	return WriteJUnitXML(w, JUnitSuites{Name: "stationbench run: " + name, Suites: []JUnitSuite{suite}})
}

// htmlVerdicts is the HTML report's verdict box, shown at the top of the
// page: a line per verdict group, its items below.
const htmlVerdicts = `{{define "verdicts"}}{{with .Verdicts}}<style>
.verdicts { border: 1px solid #ccc; border-radius: 0.4em; padding: 0.3em 1em; margin: 1em 0; background: #fafafa; }
.verdicts .pass { color: #1e7b34; } .verdicts .fail { color: #b00020; }
.verdicts ul { margin: 0.2em 0 0.6em; padding-left: 1.5em; } .verdicts p { margin: 0.5em 0 0.2em; }
</style>
<div class="verdicts">
{{range .}}<p class="{{if .Pass}}pass{{else}}fail{{end}}"><strong>{{if .Pass}}&#10004;{{else}}&#10008;{{end}} {{.Title}}</strong></p>
{{if or .Listed .Passed}}<ul>{{range .Listed}}<li class="{{if .Pass}}pass{{else}}fail{{end}}">{{if .Pass}}PASS{{else}}FAIL{{end}} {{.Name}}{{with .Text}}: {{.}}{{end}}</li>
{{end}}{{with .Passed}}<li class="pass">{{.}}</li>{{end}}</ul>{{end}}
{{end}}</div>
{{end}}{{end}}`
