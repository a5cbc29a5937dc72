package report

import (
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// maxErrorTextsShown is how many distinct error texts of a run the text,
// markdown and HTML reports list (result.json keeps every one it has).
const maxErrorTextsShown = 5

// NoteLines are the notes of a result as the reports list them: the run's
// own notes, then, for each run, its notes and its most frequent error
// texts with their counts, each line naming the run it is about.
func NoteLines(r *result.Result) []string {
	var out []string
	for _, n := range r.Notes {
		out = append(out, "run: "+n)
	}
	for _, run := range r.Runs {
		who := runName(run)
		for _, n := range run.Notes {
			out = append(out, who+": "+n)
		}
		if w, ok := pacerWarning(run, r.Scenario.Load.Pacer); ok { // pacer.go
			out = append(out, who+": "+w)
		}
		for i, e := range run.ErrorTexts {
			if i == maxErrorTextsShown {
				out = append(out, fmt.Sprintf("%s: %d more error texts", who, len(run.ErrorTexts)-i))
				break
			}
			out = append(out, fmt.Sprintf("%s: error x%d: %s", who, e.Count, e.Text))
		}
	}
	return out
}

// runName names a run in a note: its target, step and repeat.
func runName(run result.Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d producers", run.Target, run.Producers)
	if run.RateMsgsPerSec > 0 {
		fmt.Fprintf(&b, ", rate %s", formatRate(run.RateMsgsPerSec))
	}
	if run.Repeat > 1 {
		fmt.Fprintf(&b, ", repeat %d", run.Repeat)
	}
	return b.String()
}

// writeNotesText writes the notes of r, if any, under a heading.
func writeNotesText(w *errWriter, r *result.Result) {
	lines := NoteLines(r)
	if len(lines) == 0 {
		return
	}
	w.printf("\nnotes:\n")
	for _, l := range lines {
		w.printf("- %s\n", l)
	}
}

// writeNotesMD writes the notes of r, if any, as a markdown list.
func writeNotesMD(w *errWriter, r *result.Result) {
	lines := NoteLines(r)
	if len(lines) == 0 {
		return
	}
	w.printf("\n### Notes\n\n")
	for _, l := range lines {
		w.printf("- %s\n", mdEscape(l))
	}
}
