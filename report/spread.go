package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stationbench/stationbench/result"
)

// SpreadView is what the renderers show of how each run's producers
// spread (result.ProducerSpread): one table row per run, never one per
// producer, and the producers at either end named for the runs worth a
// closer look. Text, markdown and HTML render the same view.
type SpreadView struct {
	Intro string // what the table holds, a sentence without its full stop
	Cols  []string
	Rows  [][]string
	Named []SpreadNamed
}

// SpreadNamed names the producers at either end of one run.
type SpreadNamed struct {
	Run   string // "local, 200 producers"
	Why   string // "most producers" | "fairness flagged" | both
	Lines []SpreadLine
}

// SpreadLine is one end of a run: "lowest msgs/s" and its producers.
type SpreadLine struct {
	Label string
	Text  string // "bench-17 12, bench-3 14, ..."
}

// spreadIntro says what the spread table holds.
const spreadIntro = "Msgs/s of each run's producers not paused throughout, 0 for one that sent nothing; " +
	"p99 of those that measured one"

// Spread collects what the renderers show of r's producer spread; empty
// when the analysis has none.
//
// Which runs are named: every run whose fairness is flagged, and for each
// target the run with the most producers (the highest rate among equals),
// so that a long sweep names a few runs, not all of them.
func Spread(r *result.Result) SpreadView {
	var v SpreadView
	if r.Analysis == nil || len(r.Analysis.ProducerSpread) == 0 {
		return v
	}
	spreads := r.Analysis.ProducerSpread
	v.Intro = spreadIntro
	var repeats, open, idle bool
	for _, s := range spreads {
		repeats = repeats || s.Repeat > 1
		open = open || s.RateMsgsPerSec > 0
		idle = idle || s.Idle > 0
	}
	v.Cols = []string{"target", "producers"}
	if open {
		v.Cols = append(v.Cols, "rate")
	}
	if repeats {
		v.Cols = append(v.Cols, "repeat")
	}
	if idle {
		v.Cols = append(v.Cols, "idle")
	}
	v.Cols = append(v.Cols, "msgs/s min", "p10", "median", "p90", "max", "p99 min", "p10", "median", "p90", "max")
	for _, s := range spreads {
		row := []string{s.Target, strconv.Itoa(s.Producers)}
		if open {
			row = append(row, formatRate(s.RateMsgsPerSec))
		}
		if repeats {
			row = append(row, strconv.Itoa(s.Repeat))
		}
		if idle {
			row = append(row, strconv.Itoa(s.Idle))
		}
		q := s.ThroughputMsgsPerSec
		row = append(row, formatMsgs(q.Min), formatMsgs(q.P10), formatMsgs(q.Median), formatMsgs(q.P90), formatMsgs(q.Max))
		if p := s.P99Us; p != nil {
			row = append(row, FormatLatencyUs(p.Min), FormatLatencyUs(p.P10), FormatLatencyUs(p.Median),
				FormatLatencyUs(p.P90), FormatLatencyUs(p.Max))
		} else {
			row = append(row, "-", "-", "-", "-", "-")
		}
		v.Rows = append(v.Rows, row)
	}
	most := mostProducers(spreads)
	flagged := flaggedRuns(r.Analysis.Fairness)
	for i, s := range spreads {
		var why []string
		if most[i] {
			why = append(why, "most producers")
		}
		if flagged[spreadKey{s.Target, s.Producers, s.RateMsgsPerSec, s.Repeat}] {
			why = append(why, "fairness flagged")
		}
		if len(why) > 0 {
			v.Named = append(v.Named, SpreadNamed{Run: spreadRun(s), Why: strings.Join(why, ", "), Lines: spreadEnds(s)})
		}
	}
	return v
}

// spreadKey names a run as the fairness analysis does.
type spreadKey struct {
	target    string
	producers int
	rate      float64
	repeat    int
}

func flaggedRuns(fs []result.RunFairness) map[spreadKey]bool {
	out := map[spreadKey]bool{}
	for _, f := range fs {
		if f.Flagged {
			out[spreadKey{f.Target, f.Producers, f.RateMsgsPerSec, f.Repeat}] = true
		}
	}
	return out
}

// mostProducers marks, for each target, the first spread with the most
// producers, the highest rate among equals.
func mostProducers(spreads []result.ProducerSpread) map[int]bool {
	best := map[string]int{}
	for i, s := range spreads {
		j, ok := best[s.Target]
		if !ok || s.Producers > spreads[j].Producers ||
			(s.Producers == spreads[j].Producers && s.RateMsgsPerSec > spreads[j].RateMsgsPerSec) {
			best[s.Target] = i
		}
	}
	out := map[int]bool{}
	for _, i := range best {
		out[i] = true
	}
	return out
}

func spreadRun(s result.ProducerSpread) string {
	return runLabel(s.Target, s.Producers, s.RateMsgsPerSec, s.Repeat)
}

// spreadEnds names the producers at either end of a run.
func spreadEnds(s result.ProducerSpread) []SpreadLine {
	list := func(ps []result.ProducerFigures, figure func(result.ProducerFigures) string) string {
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = p.Name + " " + figure(p)
		}
		return strings.Join(parts, ", ")
	}
	msgs := func(p result.ProducerFigures) string { return formatMsgs(p.ThroughputMsgsPerSec) }
	p99 := func(p result.ProducerFigures) string { return FormatLatencyUs(p.P99Us) }
	out := []SpreadLine{
		{"lowest msgs/s", list(s.Lowest, msgs)},
		{"highest msgs/s", list(s.Highest, msgs)},
	}
	if len(s.SlowestP99) > 0 {
		out = append(out, SpreadLine{"highest p99", list(s.SlowestP99, p99)})
	}
	return out
}

// writeSpread writes the producer spread section of the text summary.
func writeSpread(w *errWriter, v SpreadView) {
	if len(v.Rows) == 0 {
		return
	}
	w.printf("\nproducer spread (%s):\n", strings.ToLower(v.Intro[:1])+v.Intro[1:])
	rows := append([][]string{v.Cols}, v.Rows...)
	width := 0 // the target column reads left-aligned
	for _, row := range rows {
		width = max(width, utf8.RuneCountInString(row[0]))
	}
	for i, row := range rows {
		rows[i] = append([]string{padRight(row[0], width)}, row[1:]...)
	}
	_ = writeAligned(w, rows) // into a buffer first: it cannot fail
	for _, n := range v.Named {
		w.printf("  %s (%s):\n", n.Run, n.Why)
		for _, l := range n.Lines {
			w.printf("    %-15s %s\n", l.Label, l.Text)
		}
	}
}

// writeSpreadMD writes the producer spread section of the markdown report.
func writeSpreadMD(w *errWriter, v SpreadView) {
	if len(v.Rows) == 0 {
		return
	}
	w.printf("\n### Producer spread\n\n%s.\n\n", mdEscape(v.Intro))
	writeMDTable(w, v.Cols, v.Rows)
	if len(v.Named) > 0 {
		w.printf("\n")
	}
	for _, n := range v.Named {
		w.printf("- **%s** (%s)\n", mdEscape(n.Run), mdEscape(n.Why))
		for _, l := range n.Lines {
			w.printf("  - %s: %s\n", mdEscape(l.Label), mdEscape(l.Text))
		}
	}
}

// htmlSpread is the HTML report's producer spread section; its data is a
// SpreadView.
const htmlSpread = `{{define "spread"}}{{if .Rows}}<h2>Producer spread</h2>
<p>{{.Intro}}.</p>
<table>
<thead><tr>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{range .Named}}<p><b>{{.Run}}</b> ({{.Why}})</p>
<ul>{{range .Lines}}<li>{{.Label}}: {{.Text}}</li>
{{end}}</ul>
{{end}}{{end}}{{end}}`
