package merge

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// mergeProducers keeps every part's producer stats, ordered by name (bench-2
// before bench-10). Scores made against the median of the run's producers
// (score_basis median) are made again against the median over every
// agent's producers; scores against an SLO stay as they are. Jain's
// fairness index is recomputed over every producer that was not paused
// throughout, as the runner computes it for one process; nil when no part
// has one.
func mergeProducers(rs []*result.Run) ([]result.ProducerStats, *float64) {
	var out []result.ProducerStats
	var rates, p99s []float64
	fair := false
	for _, r := range rs {
		fair = fair || r.Fairness != nil
		for _, p := range r.ProducerStats {
			out = append(out, p)
			if r.DurationS-p.PausedS > 0 {
				rates = append(rates, p.ThroughputMsgsPerSec)
			}
			if p.LatencyUs.P99 > 0 {
				p99s = append(p99s, p.LatencyUs.P99)
			}
		}
	}
	if out == nil {
		return nil, nil
	}
	slices.SortStableFunc(out, func(a, b result.ProducerStats) int { return byName(a.Name, b.Name) })
	ref := analysis.Median(p99s)
	for i := range out {
		if out[i].ScoreBasis == "median" {
			out[i].Score = analysis.Score(out[i].Sent, out[i].Errors, out[i].LatencyUs.P99, ref)
		}
	}
	if !fair || len(rates) == 0 {
		return out, nil
	}
	f := analysis.Jain(rates)
	return out, &f
}

// byName orders producer names by their base, then by the number after the
// last "-" as a number: bench-2 before bench-10.
func byName(a, b string) int {
	ab, an, aok := splitName(a)
	bb, bn, bok := splitName(b)
	if !aok || !bok || ab != bb {
		return strings.Compare(a, b)
	}
	return cmp.Compare(an, bn)
}

func splitName(s string) (base string, n int, ok bool) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	return s[:i], n, err == nil
}

// mergePhases merges the parts' phase events: the events of one phase (the
// same planned time and action) become one, naming every agent's
// producers, effective when the last agent applied it. AtS is moved from
// each part's window to the merged one (offsets[i]: how much later than the
// earliest part part i's window began). In order of AtS.
func mergePhases(rs []*result.Run, offsets []time.Duration) []result.PhaseEvent {
	type key struct {
		planned float64
		action  string
	}
	var out []result.PhaseEvent
	at := map[key]int{}
	for i, r := range rs {
		for _, ev := range r.Phases {
			ev.AtS += offsets[i].Seconds()
			k := key{ev.PlannedS, ev.Action}
			j, ok := at[k]
			if !ok {
				at[k] = len(out)
				ev.Producers = slices.Clone(ev.Producers)
				out = append(out, ev)
				continue
			}
			m := &out[j]
			m.AtS = max(m.AtS, ev.AtS)
			m.Producers = append(m.Producers, ev.Producers...)
			if ev.Error != "" && !strings.Contains(m.Error, ev.Error) {
				m.Error = joinWith("; ", m.Error, ev.Error)
			}
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Producers, byName)
	}
	slices.SortStableFunc(out, func(a, b result.PhaseEvent) int { return cmp.Compare(a.AtS, b.AtS) })
	return out
}
