package merge

import (
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// worst is the status of a merge of parts: failed when any part failed,
// else interrupted when any was, else complete.
func worst(ss []result.Status) result.Status {
	out := result.StatusComplete
	for _, s := range ss {
		switch {
		case s == result.StatusFailed:
			return result.StatusFailed
		case s == result.StatusInterrupted:
			out = result.StatusInterrupted
		}
	}
	return out
}

// combineNotes combines the parts' notes (lists[i] is ps[i]'s): a note that
// every part holds appears once as it is; any other is prefixed with its
// part's segment ("segment 2: ..."). Order: as the parts list them, in
// segment order; nothing appears twice.
func combineNotes(ps []part, lists [][]string) []string {
	holders := map[string]int{}
	for _, l := range lists {
		seen := map[string]bool{}
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				holders[n]++
			}
		}
	}
	var out []string
	done := map[string]bool{}
	for i, l := range lists {
		for _, n := range l {
			text := n
			if holders[n] < len(ps) {
				text = fmt.Sprintf("segment %d: %s", ps[i].agent.Segment, n)
			}
			if !done[text] {
				done[text] = true
				out = append(out, text)
			}
		}
	}
	return out
}

// joinErrors combines the parts' errors (errs[i] is ps[i]'s, "" for none)
// as combineNotes combines notes, one per line.
func joinErrors(ps []part, errs []string) string {
	lists := make([][]string, len(errs))
	for i, e := range errs {
		if e != "" {
			lists[i] = []string{e}
		}
	}
	return strings.Join(combineNotes(ps, lists), "\n")
}

// joinLines joins the non-empty texts, one per line.
func joinLines(texts ...string) string { return joinWith("\n", texts...) }

// joinWith joins the non-empty texts with sep.
func joinWith(sep string, texts ...string) string {
	var keep []string
	for _, t := range texts {
		if t != "" {
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, sep)
}
