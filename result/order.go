package result

import (
	"slices"
)

// ByStep returns the runs grouped by step for reading: each target's steps
// in the order they first ran, and within a step its repeats in order.
// Runs interleave their repeats over the steps by default (load.order), so
// the order they ran in, which Run.StartedAt keeps, is not the order a
// table reads best in. runs is not modified.
func ByStep(runs []Run) []Run {
	type key struct {
		target    string
		producers int
		rate      float64
	}
	first := map[key]int{}
	for i, r := range runs {
		k := key{r.Target, r.Producers, r.RateMsgsPerSec}
		if _, ok := first[k]; !ok {
			first[k] = i
		}
	}
	out := slices.Clone(runs)
	slices.SortStableFunc(out, func(a, b Run) int {
		ka, kb := first[key{a.Target, a.Producers, a.RateMsgsPerSec}], first[key{b.Target, b.Producers, b.RateMsgsPerSec}]
		if ka != kb {
			return ka - kb
		}
		return a.Repeat - b.Repeat
	})
	return out
}
