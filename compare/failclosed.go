package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// gateFailures lists why the comparison fails closed whatever its rows
// say: a base or new result that did not complete or holds no completed
// run, or two results with no step in common. A gate that compared
// nothing has not passed.
func gateFailures(base, cur *result.Result, bg, cg map[Key][]result.Run) []string {
	var out []string
	side := func(name string, r *result.Result, g map[Key][]result.Run, advice string) {
		switch r.Status {
		case result.StatusComplete:
		case result.StatusFailed:
			out = append(out, fmt.Sprintf("the %s result failed%s: %s", name, errText(r.Error), advice))
		default:
			e := errText(r.Error)
			if r.Error == string(r.Status) {
				e = "" // "interrupted (interrupted)" says it once too often
			}
			out = append(out, fmt.Sprintf("the %s result is %s%s: %s", name, r.Status, e, advice))
		}
		if len(g) == 0 {
			out = append(out, fmt.Sprintf("the %s result has no completed run (%d runs recorded)", name, len(r.Runs)))
		}
	}
	side("base", base, bg, "a baseline must be a complete run; make it again")
	side("new", cur, cg, "a run that did not complete cannot pass")
	if len(bg) > 0 && len(cg) > 0 {
		common := false
		for k := range cg {
			if _, ok := bg[k]; ok {
				common = true
				break
			}
		}
		if !common {
			out = append(out, fmt.Sprintf("no step of the new result matched the base (base: %s; new: %s): were they run with the same producer counts and load.rate/rates?",
				stepList(bg), stepList(cg)))
		}
	}
	return out
}

func errText(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}

// stepList names the steps of a grouping: "local 1 producers, local 2 producers".
func stepList(g map[Key][]result.Run) string {
	keys := unionKeys(g, nil)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Target + " " + k.Step()
	}
	return strings.Join(slices.Compact(parts), ", ")
}
