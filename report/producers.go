package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// FairnessFlag is the fairness index below which a run is flagged.
const FairnessFlag = 0.9

// slowestShown is how many of a flagged run's slowest producers are named.
const slowestShown = 3

// Score rates a producer's delivery in a run from 0 to 10:
//
//	score = 10 × E × L, rounded to one decimal
//	E = max(0, 1 − 10 × errors / max(sent, 1))   (10 % errors or more: 0)
//	L = min(1, reference / p99)                   (p99 at twice the reference halves it)
//
// where reference is the run's p99 SLO when the scenario sets one, else the
// median of the run's per-producer p99s. L is 1 when either p99 or the
// reference is 0 (nothing measured). A producer that sent nothing and had
// no errors scores 0: it delivered nothing.
func Score(sent, errors int64, p99Us, referenceUs float64) float64 {
	if sent == 0 && errors == 0 {
		return 0
	}
	e := max(0, 1-10*float64(errors)/float64(max(sent, 1)))
	l := 1.0
	if p99Us > 0 && referenceUs > 0 {
		l = min(1, referenceUs/p99Us)
	}
	return math.Round(100*e*l) / 10
}

// Jain returns Jain's fairness index of xs: (Σx)² / (n·Σx²). It is 1 when
// every x is equal and 1/n when one holds everything; 1 for no values or
// all zeros (nobody was treated worse than anybody else).
func Jain(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if len(xs) == 0 || sq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sq)
}

// Median is the median of xs (the mean of the middle two for an even count);
// 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// Slowest returns the names of the n producers of a run with the lowest
// throughput, slowest first.
func Slowest(ps []result.ProducerStats, n int) []result.ProducerStats {
	s := slices.Clone(ps)
	slices.SortStableFunc(s, func(a, b result.ProducerStats) int {
		return cmp.Compare(a.ThroughputMsgsPerSec, b.ThroughputMsgsPerSec)
	})
	return s[:min(n, len(s))]
}

// fairnessLine says how fair a run was, and names the slowest producers of a
// run below FairnessFlag; ok is false when the run has no fairness.
func fairnessLine(r result.Run) (line string, flagged, ok bool) {
	if r.Fairness == nil {
		return "", false, false
	}
	line = fmt.Sprintf("%s, %d producers", r.Target, r.Producers)
	if r.RateMsgsPerSec > 0 {
		line += fmt.Sprintf(" at %s msgs/s", formatMsgs(r.RateMsgsPerSec))
	}
	if r.Repeat > 1 {
		line += fmt.Sprintf(", repeat %d", r.Repeat)
	}
	line += fmt.Sprintf(": fairness %.3f", *r.Fairness)
	if *r.Fairness >= FairnessFlag {
		return line, false, true
	}
	var names []string
	for _, p := range Slowest(r.ProducerStats, slowestShown) {
		names = append(names, fmt.Sprintf("%s %s msgs/s", p.Name, formatMsgs(p.ThroughputMsgsPerSec)))
	}
	return line + fmt.Sprintf(" < %.1f, slowest: %s", FairnessFlag, strings.Join(names, ", ")), true, true
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
	for _, run := range byStep(r.Runs) { // order.go: read by step, not as the repeats interleaved
		if line, flagged, ok := fairnessLine(run); ok {
			v.Fairness = append(v.Fairness, FairnessLine{Text: line, Flagged: flagged})
		}
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
		w.printf("\nfairness (Jain's index of per-producer msgs/s; below %.1f flagged):\n", FairnessFlag)
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
		w.printf("\n### Fairness\n\nJain's index of per-producer msgs/s; runs below %.1f are in bold.\n\n", FairnessFlag)
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
