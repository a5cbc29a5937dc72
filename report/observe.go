package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// fairnessLine says how fair a run was (analysis.Fairness), and names the
// slowest producers of a flagged run.
func fairnessLine(f result.RunFairness) string {
	line := runLabel(f.Target, f.Producers, f.RateMsgsPerSec, f.Repeat) + fmt.Sprintf(": fairness %.3f", f.Index)
	if !f.Flagged {
		return line
	}
	var names []string
	for _, p := range f.Slowest {
		names = append(names, fmt.Sprintf("%s %s msgs/s", p.Name, formatMsgs(p.ThroughputMsgsPerSec)))
	}
	return line + fmt.Sprintf(" < %.1f, slowest: %s", analysis.FairnessFlag, strings.Join(names, ", "))
}

// runLabel names a run in the analysis' lists: "core, 8 producers at
// 1000 msgs/s, repeat 2" (the rate when offered, the repeat when more than
// one).
func runLabel(target string, producers int, rate float64, repeat int) string {
	t := fmt.Sprintf("%s, %d producers", target, producers)
	if rate > 0 {
		t += fmt.Sprintf(" at %s msgs/s", formatMsgs(rate))
	}
	if repeat > 1 {
		t += fmt.Sprintf(", repeat %d", repeat)
	}
	return t
}

func formatMsgs(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// labelText lists labels as k=v, sorted by name.
func labelText(ls map[string]string) string {
	keys := make([]string, 0, len(ls))
	for k := range ls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + ls[k]
	}
	return strings.Join(parts, ", ")
}

// ObserveView is what the renderers show of producers, phases, labels and
// tracing: the labels, one fairness line per run that has one (flagged when
// below FairnessFlag), and one line per phase that happened.
type ObserveView struct {
	Labels   string
	Fairness []FairnessLine
	Phases   []string
	Trace    string
}

// FairnessLine is one run's fairness.
type FairnessLine struct {
	Text    string
	Flagged bool
}

// Observe collects what the renderers show of r's producers.
func Observe(r *result.Result) ObserveView {
	var v ObserveView
	v.Labels = labelText(r.Labels)
	if r.Analysis != nil {
		for _, f := range r.Analysis.Fairness { // in step order
			v.Fairness = append(v.Fairness, FairnessLine{Text: fairnessLine(f), Flagged: f.Flagged})
		}
	}
	for _, run := range result.ByStep(r.Runs) { // read by step, not as the repeats interleaved
		for _, p := range run.Phases {
			t := fmt.Sprintf("%s, %d producers, repeat %d: %s %s at %.2fs (planned %.2fs)", run.Target, run.Producers,
				run.Repeat, p.Action, strings.Join(p.Producers, ", "), p.AtS, p.PlannedS)
			if p.Error != "" {
				t += ": " + p.Error
			}
			v.Phases = append(v.Phases, t)
		}
	}
	if t := r.Trace; t != nil {
		v.Trace = fmt.Sprintf("%s: %d events, %d dropped", t.File, t.Events, t.Dropped)
		if t.Error != "" {
			v.Trace += "; " + t.Error
		}
	}
	return v
}

// writeObserveText writes the producers section of the text summary.
func writeObserveText(w *errWriter, v ObserveView) {
	if len(v.Fairness) > 0 {
		w.printf("\nfairness (Jain's index of per-producer msgs/s; below %.1f flagged):\n", analysis.FairnessFlag)
		for _, f := range v.Fairness {
			mark := "  "
			if f.Flagged {
				mark = "! "
			}
			w.printf("%s%s\n", mark, f.Text)
		}
	}
	if len(v.Phases) > 0 {
		w.printf("\nphases:\n")
		for _, p := range v.Phases {
			w.printf("  %s\n", p)
		}
	}
	if v.Trace != "" {
		w.printf("\ntrace: %s\n", v.Trace)
	}
}

// writeObserveMD writes the producers section of the markdown report.
func writeObserveMD(w *errWriter, v ObserveView) {
	if len(v.Fairness) > 0 {
		w.printf("\n### Fairness\n\nJain's index of per-producer msgs/s; runs below %.1f are in bold.\n\n", analysis.FairnessFlag)
		for _, f := range v.Fairness {
			if f.Flagged {
				w.printf("- **%s**\n", mdEscape(f.Text))
			} else {
				w.printf("- %s\n", mdEscape(f.Text))
			}
		}
	}
	if len(v.Phases) > 0 {
		w.printf("\n### Phases\n\n")
		for _, p := range v.Phases {
			w.printf("- %s\n", mdEscape(p))
		}
	}
	if v.Trace != "" {
		w.printf("\nTrace: %s.\n", mdEscape(v.Trace))
	}
}

// htmlObserve is the HTML report's producers section.
const htmlObserve = `{{define "observe"}}{{with .Observe}}{{with .Labels}}<p>Labels: {{.}}</p>{{end}}
{{if .Fairness}}<h2>Fairness</h2>
<p>Jain's index of per-producer msgs/s; runs below 0.9 are marked.</p>
<ul>{{range .Fairness}}<li{{if .Flagged}} class="err"{{end}}>{{.Text}}</li>
{{end}}</ul>{{end}}
{{if .Phases}}<h2>Phases</h2>
<ul>{{range .Phases}}<li>{{.}}</li>
{{end}}</ul>{{end}}
{{with .Trace}}<p>Trace: {{.}}</p>{{end}}{{end}}{{end}}`
