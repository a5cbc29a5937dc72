// Package merge merges the results of a distributed run's agents (run
// --segment i/N) into one result, exactly: counts are summed, HdrHistograms
// are added bucket by bucket and percentiles recomputed from the sums (never
// averaged), per-second series are aligned on the wall clock, every
// producer's stats are kept, and the analysis is recomputed on the merged
// runs. Every report and chart reads a merged result as any other.
//
// It is pure: no I/O, no goroutines. `stationbench merge` reads the agents'
// result.json files and calls it; so does a distributed run's segment 0.
package merge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// Results merges the results of one distributed run's agents into one
// result. parts is every agent's own result, in any order. It refuses,
// naming the part ("part 2 (segment 1)") and why, anything that is not
// exactly that; each part must:
//
//   - be of result.SchemaVersion, with a run_id, the same run_id and the
//     same scenario record as every other part;
//   - list exactly one agent in Env.Agents, its own: segment i of N, with
//     the same N everywhere and segments 0 to N-1 each exactly once;
//   - hold the same runs as every other part, matched by target, axis,
//     producers, offered rate and repeat. Producers and RateMsgsPerSec are
//     the step's whole values as the plan states them, not the agent's
//     share (the share shows in ProducerStats); an agent idle in a step
//     still records its run. Each run that has a series has MeasuredFrom,
//     and each run with acks its two histograms;
//   - name its producers uniquely across all parts;
//   - carry a station's verification (Stored, Duplicates) only in segment
//     0, which made it against the sum of every agent's acks;
//   - hold no findMaxRate searches (they are not merged).
//
// The merged result: statuses combined (a run failed in any part is failed;
// else interrupted in any part is interrupted), errors and notes combined
// (a note every part holds appears once, others prefixed "segment i: "),
// counts summed, latency histograms added and their percentiles
// recomputed, the open-loop pacer's lag histograms added the same way
// (pacer_lag_us recomputed from the sum), Lost/Stored/Duplicates of a verified station taken from
// segment 0 and never added up, series aligned on the wall-clock seconds of
// MeasuredFrom (the earliest part's start is second 0; a part starting d
// seconds later lands round(d) seconds on), per-second p99 from the added
// per-second histograms (result.Second.Histogram; when a part lacks them,
// the largest of the parts' p99s, an upper bound, with a note saying so),
// ProducerStats of every part (scores against the median recomputed over
// all producers, Jain's fairness recomputed), Env.Agents listing every
// agent in segment order, a note naming the largest clock offset, and the
// analysis recomputed with the thresholds of the scenario record. The
// parts are not modified.
func Results(parts []*result.Result) (*result.Result, error) {
	return Named(parts, nil)
}

// Named is Results with a name for each part (its file), used in errors in
// place of "part i". names may be nil, or as long as parts.
func Named(parts []*result.Result, names []string) (*result.Result, error) {
	if names != nil && len(names) != len(parts) {
		return nil, fmt.Errorf("merge: %d names for %d parts", len(names), len(parts))
	}
	ps, err := check(parts, names) // check.go
	if err != nil {
		return nil, err
	}
	runs, err := mergeRuns(ps) // runs.go
	if err != nil {
		return nil, err
	}
	return assemble(ps, runs), nil
}

// part is one agent's result with what the merge knows of it.
type part struct {
	res   *result.Result
	name  string // the file, or "part i (segment s)"
	agent result.Agent
}

// assemble makes the merged result around its merged runs; ps are in
// segment order.
func assemble(ps []part, runs []result.Run) *result.Result {
	first := ps[0].res
	out := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Status:        result.StatusComplete,
		StartedAt:     first.StartedAt,
		FinishedAt:    first.FinishedAt,
		Scenario:      first.Scenario,
		Env:           mergeEnv(ps),
		Runs:          runs,
		Labels:        first.Labels,
		Trace:         mergeTrace(ps),
		RunID:         first.RunID,
	}
	statuses := make([]result.Status, len(ps))
	errs := make([]string, len(ps))
	notes := make([][]string, len(ps))
	for i, p := range ps {
		r := p.res
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		if r.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = r.FinishedAt
		}
		statuses[i], errs[i], notes[i] = r.Status, r.Error, r.Notes
	}
	out.Status = worst(statuses)
	out.Error = joinErrors(ps, errs)
	out.Notes = append(combineNotes(ps, notes), agentsNote(ps))
	out.Analysis = analysis.Recompute(out)
	return out
}

// mergeEnv is segment 0's environment with every agent listed, the largest
// peak RSS of any agent, and each target's error from any agent.
func mergeEnv(ps []part) result.Env {
	env := ps[0].res.Env
	env.Agents = make([]result.Agent, len(ps))
	env.Targets = slices.Clone(env.Targets)
	for i, p := range ps {
		env.Agents[i] = p.agent
		env.PeakRSSBytes = max(env.PeakRSSBytes, p.res.Env.PeakRSSBytes)
		for _, t := range p.res.Env.Targets {
			k := slices.IndexFunc(env.Targets, func(e result.TargetEnv) bool { return e.Name == t.Name })
			switch {
			case k < 0:
				env.Targets = append(env.Targets, t)
			case i > 0 && t.Error != "" && !strings.Contains(env.Targets[k].Error, t.Error):
				env.Targets[k].Error = joinLines(env.Targets[k].Error, fmt.Sprintf("segment %d: %s", p.agent.Segment, t.Error))
			}
		}
	}
	env.Method += fmt.Sprintf(" Merged from %d agents (one per segment): counts are summed, latency histograms added "+
		"and their percentiles recomputed; per-second series are aligned on the wall clock of each agent's measured window; "+
		"hostname, CPU and Go figures are segment 0's, peak_rss_bytes the largest agent's.", len(ps))
	return env
}

// mergeTrace sums the agents' trace counts; each agent wrote its own file.
func mergeTrace(ps []part) *result.TraceSummary {
	var out *result.TraceSummary
	for _, p := range ps {
		t := p.res.Trace
		if t == nil {
			continue
		}
		if out == nil {
			out = &result.TraceSummary{}
		}
		out.File = joinWith(", ", out.File, fmt.Sprintf("segment %d: %s", p.agent.Segment, t.File))
		out.Events += t.Events
		out.Dropped += t.Dropped
		if t.Error != "" {
			out.Error = joinWith("; ", out.Error, fmt.Sprintf("segment %d: %s", p.agent.Segment, t.Error))
		}
	}
	return out
}

// agentsNote names the agents and the largest clock offset among them.
func agentsNote(ps []part) string {
	worstAt := 0
	for i, p := range ps {
		if abs(p.agent.ClockOffsetUs) > abs(ps[worstAt].agent.ClockOffsetUs) {
			worstAt = i
		}
	}
	a := ps[worstAt].agent
	return fmt.Sprintf("merged from %d agents; largest clock offset %+.0f µs (segment %d, %s)",
		len(ps), a.ClockOffsetUs, a.Segment, a.Host)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
