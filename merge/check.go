package merge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// check refuses parts that are not exactly one run's agents, each once,
// naming the part and why, and returns them in segment order.
func check(parts []*result.Result, names []string) ([]part, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no agent results to merge")
	}
	ps := make([]part, len(parts))
	for i, r := range parts {
		name := fmt.Sprintf("part %d", i)
		if names != nil {
			name = names[i]
		}
		if r == nil {
			return nil, fmt.Errorf("merge: %s: no result", name)
		}
		a, err := checkOne(r)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", name, err)
		}
		if names == nil {
			name = fmt.Sprintf("part %d (segment %d)", i, a.Segment)
		}
		ps[i] = part{res: r, name: name, agent: a}
	}
	ref := ps[0]
	refScenario, err := json.Marshal(ref.res.Scenario)
	if err != nil {
		return nil, fmt.Errorf("merge: %s: scenario: %w", ref.name, err)
	}
	bySegment := make([]*part, ref.agent.Segments)
	for i := range ps {
		p := &ps[i]
		switch {
		case p.res.RunID != ref.res.RunID:
			return nil, fmt.Errorf("merge: %s: run_id %q, but %s has %q: not agents of the same run", p.name, p.res.RunID, ref.name, ref.res.RunID)
		case p.agent.Segments != ref.agent.Segments:
			return nil, fmt.Errorf("merge: %s: segment %d of %d, but %s is of %d segments", p.name, p.agent.Segment, p.agent.Segments,
				ref.name, ref.agent.Segments)
		case bySegment[p.agent.Segment] != nil:
			return nil, fmt.Errorf("merge: %s: segment %d/%d is also %s's: each agent's result once", p.name, p.agent.Segment,
				p.agent.Segments, bySegment[p.agent.Segment].name)
		}
		sc, err := json.Marshal(p.res.Scenario)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: scenario: %w", p.name, err)
		}
		if !bytes.Equal(sc, refScenario) {
			return nil, fmt.Errorf("merge: %s: its scenario differs from %s's: not agents of the same run", p.name, ref.name)
		}
		bySegment[p.agent.Segment] = p
	}
	var missing []string
	for s, p := range bySegment {
		if p == nil {
			missing = append(missing, fmt.Sprint(s))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: run %s: no result for segment %s of %d (%d of %d agent results given)",
			ref.res.RunID, strings.Join(missing, ", "), ref.agent.Segments, len(ps), ref.agent.Segments)
	}
	out := make([]part, len(bySegment))
	for s, p := range bySegment {
		out[s] = *p
	}
	return out, checkRuns(out)
}

// checkOne checks what one agent's result must hold on its own and returns
// its agent entry.
func checkOne(r *result.Result) (result.Agent, error) {
	var a result.Agent
	switch {
	case r.SchemaVersion != result.SchemaVersion:
		return a, fmt.Errorf("schema_version %d: agents' results are of version %d", r.SchemaVersion, result.SchemaVersion)
	case r.RunID == "":
		return a, errors.New("no run_id: not the result of a distributed run's agent")
	case !validStatus(r.Status):
		return a, fmt.Errorf("status %q: want complete, interrupted or failed (a half-written result?)", r.Status)
	case len(r.Env.Agents) != 1:
		return a, fmt.Errorf("env.agents lists %d agents, want 1 (its own): not one agent's result (a run by one process, or a merged result?)",
			len(r.Env.Agents))
	case len(r.MaxRate) > 0:
		return a, errors.New("holds findMaxRate searches: a distributed run's searches are not merged")
	}
	a = r.Env.Agents[0]
	if a.Segments < 1 || a.Segment < 0 || a.Segment >= a.Segments {
		return a, fmt.Errorf("env.agents: segment %d of %d is not a segment (0 to segments-1)", a.Segment, a.Segments)
	}
	for i := range r.Runs {
		if err := checkRun(&r.Runs[i], a.Segment); err != nil {
			return a, fmt.Errorf("run %d (%s): %w", i, describe(&r.Runs[i]), err)
		}
	}
	return a, nil
}

// checkRun checks the fields of one run that the merge needs.
func checkRun(run *result.Run, segment int) error {
	switch {
	case run.Target == "":
		return errors.New("no target")
	case !validStatus(run.Status):
		return fmt.Errorf("status %q: want complete, interrupted or failed", run.Status)
	case (run.Status == result.StatusComplete || run.Acked > 0) && (run.Histogram == "" || run.HistogramUncorrected == ""):
		return errors.New("no latency histogram (histogram, histogram_uncorrected): it cannot be merged")
	case len(run.Series) > 0 && run.MeasuredFrom.IsZero():
		return errors.New("no measured_from: its series cannot be aligned with the other agents' (written by a stationbench without it?)")
	case segment != 0 && (run.Stored != nil || run.Duplicates != nil):
		return fmt.Errorf("segment %d carries a station verification (stored, duplicates): only segment 0 verifies, against every agent's acks", segment)
	}
	return nil
}

func validStatus(s result.Status) bool {
	return s == result.StatusComplete || s == result.StatusInterrupted || s == result.StatusFailed
}

// checkRuns checks that every part holds the same runs, each once, and that
// no producer name is in two parts. ps are in segment order.
func checkRuns(ps []part) error {
	ref := ps[0]
	want := map[runKey]bool{}
	for i := range ref.res.Runs {
		k := keyOf(&ref.res.Runs[i])
		if want[k] {
			return fmt.Errorf("merge: %s: run %s appears twice", ref.name, describe(&ref.res.Runs[i]))
		}
		want[k] = true
	}
	owner := map[runKey]map[string]string{} // run -> producer name -> part
	for _, p := range ps {
		seen := map[runKey]bool{}
		for i := range p.res.Runs {
			run := &p.res.Runs[i]
			k := keyOf(run)
			switch {
			case seen[k]:
				return fmt.Errorf("merge: %s: run %s appears twice", p.name, describe(run))
			case !want[k]:
				return fmt.Errorf("merge: %s: run %s is not in %s: the agents did not run the same plan", p.name, describe(run), ref.name)
			}
			seen[k] = true
			if owner[k] == nil {
				owner[k] = map[string]string{}
			}
			for _, st := range run.ProducerStats {
				if other, ok := owner[k][st.Name]; ok {
					return fmt.Errorf("merge: %s: producer %q of run %s is also in %s: producer names must be unique across agents",
						p.name, st.Name, describe(run), other)
				}
				owner[k][st.Name] = p.name
			}
		}
		if len(seen) != len(want) {
			for i := range ref.res.Runs {
				if run := &ref.res.Runs[i]; !seen[keyOf(run)] {
					return fmt.Errorf("merge: %s: no run %s, which %s has: a half-written result, or an agent that stopped early?",
						p.name, describe(run), ref.name)
				}
			}
		}
	}
	return nil
}

// runKey identifies a run across the parts.
type runKey struct {
	target, axis string
	producers    int
	rate         float64
	repeat       int
}

func keyOf(r *result.Run) runKey {
	return runKey{r.Target, r.Axis, r.Producers, r.RateMsgsPerSec, r.Repeat}
}

// describe names a run in errors: "target "t", 4 producers, repeat 1".
func describe(r *result.Run) string {
	step := fmt.Sprintf("%d producers", r.Producers)
	if r.RateMsgsPerSec > 0 {
		step += fmt.Sprintf(" at %g msgs/s", r.RateMsgsPerSec)
	}
	return fmt.Sprintf("target %q, %s, repeat %d", r.Target, step, r.Repeat)
}
