package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Segment is one agent's part of a distributed run: agent Index (0-based)
// of Count agents (`run --segment i/N`).
type Segment struct {
	Index, Count int
}

// ParseSegment reads "i/N": agent i (0-based) of N agents, 0 <= i < N.
func ParseSegment(s string) (Segment, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Segment{}, fmt.Errorf("segment %q: want i/N, agent i (from 0) of N agents, for example 0/4", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Segment{}, fmt.Errorf("segment %q: want 0 <= i < N and N >= 1", s)
	}
	return Segment{Index: i, Count: n}, nil
}

// String is the segment as "i/N".
func (g Segment) String() string { return fmt.Sprintf("%d/%d", g.Index, g.Count) }

// Lead reports whether this is segment 0, the agent that creates, resets,
// verifies and deletes the station and merges the results.
func (g Segment) Lead() bool { return g.Index == 0 }

// Share is the part of one step an agent runs: producers First+1 ...
// First+Producers of the step's Producers, named with their global index
// so that names stay unique across agents (bench-1 ... bench-P).
type Share struct {
	Segment Segment
	// First is the 0-based global index of the agent's first producer.
	First int
	// Producers is how many producers the agent runs; 0 when the step has
	// fewer producers than agents and this agent is idle for it.
	Producers int
	// RateMsgsPerSec is the agent's part of an open-loop rate, in
	// proportion to the producers it holds (0 for closed loop); the parts
	// of every agent add up to the step's rate.
	RateMsgsPerSec float64
}

// Idle reports whether the agent runs no producer of the step.
func (s Share) Idle() bool { return s.Producers == 0 }

// ProducerRange is segment g's producers of a step with p producers: the
// 0-based global indexes [from, to). The ranges of segments 0 ... N-1 are
// contiguous, in order, and cover 0 ... p-1 exactly once; their sizes
// differ by at most one, and the lower segments hold the larger ones (so
// with fewer producers than agents, segment 0 is never the idle one).
func (g Segment) ProducerRange(p int) (from, to int) {
	return prefix(p, g.Index, g.Count), prefix(p, g.Index+1, g.Count)
}

// prefix is how many of p producers segments 0 ... i-1 of n hold: each
// holds p/n, and the first p%n one more.
func prefix(p, i, n int) int { return i*(p/n) + min(i, p%n) }

// ShareOf is segment g's share of step st.
func (g Segment) ShareOf(st Step) Share {
	from, to := g.ProducerRange(st.Producers)
	sh := Share{Segment: g, First: from, Producers: to - from}
	if st.Rate > 0 && st.Producers > 0 {
		// Each producer offers Rate/Producers (workers.Spread), so a share's
		// rate is its producers' sum. Computed as a difference of prefix
		// sums, the parts add up to the rate exactly.
		sh.RateMsgsPerSec = prefixRate(st.Rate, to, st.Producers) - prefixRate(st.Rate, from, st.Producers)
	}
	return sh
}

// prefixRate is the rate offered by the first k of p producers.
func prefixRate(rate float64, k, p int) float64 {
	if k == p {
		return rate
	}
	return rate * float64(k) / float64(p)
}

// ErrSearchDistributed refuses a findMaxRate scenario in a distributed run.
var ErrSearchDistributed = errors.New("load.findMaxRate cannot run in a distributed run (--segment, --agents): " +
	"each probe's rate depends on the previous probe's merged result, which no agent has until the run is merged; " +
	"run the search in one process, or sweep fixed rates (load.rates) over the agents")

// ForSegment returns the plan as agent g runs it: every step carries the
// agent's Share. A plan holding a findMaxRate search is refused
// (ErrSearchDistributed).
func (p Plan) ForSegment(g Segment) (Plan, error) {
	if p.hasSearch() {
		return Plan{}, ErrSearchDistributed
	}
	if err := p.checkPhases(); err != nil {
		return Plan{}, err
	}
	out := p
	out.Targets = make([]Target, len(p.Targets))
	for i, t := range p.Targets {
		t.Entries = make([]Entry, len(p.Targets[i].Entries))
		for j, e := range p.Targets[i].Entries {
			st := *e.Step
			sh := g.ShareOf(st)
			st.Share = &sh
			t.Entries[j] = Entry{Step: &st}
		}
		out.Targets[i] = t
	}
	out.Segment = &g
	return out, nil
}

// checkPhases refuses phases that name producers or count them: each
// agent would apply them to its own producers. Phases of all producers
// apply on every agent at the same time of the common measured window.
func (p Plan) checkPhases() error {
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			for _, ph := range e.Step.Phases {
				if action, set := ph.Action(); set != nil && !set.All {
					return fmt.Errorf("phase at %s (%s) selects some producers: in a distributed run (--segment, --agents) each agent would "+
						"select among its own; only phases of all producers can be run by agents", ph.At, action)
				}
			}
		}
	}
	return nil
}

// Local is what this process runs of the step: the 0-based global index
// of its first producer and how many it runs (all of them when the run is
// not distributed).
func (s Step) Local() (first, producers int) {
	if s.Share == nil {
		return 0, s.Producers
	}
	return s.Share.First, s.Share.Producers
}

// IdleNote says that an agent is idle for a step, or "" when it is not.
func (s Step) IdleNote() string {
	if s.Share == nil || !s.Share.Idle() {
		return ""
	}
	return fmt.Sprintf("agent %s is idle for this step: its %d producers are fewer than the %d agents, and the other agents run them",
		s.Share.Segment, s.Producers, s.Share.Segment.Count)
}

// WriteSegmentText prints what agent g runs of each step (its producers
// and rate, or that it is idle), one line per run, after the plan.
func (p Plan) WriteSegmentText(w io.Writer) error {
	if p.Segment == nil {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "agent %s of a distributed run: its share of each run\n", p.Segment)
	n := 0
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			n++
			st := *e.Step
			sh := st.Share
			switch {
			case sh.Idle():
				fmt.Fprintf(&b, "  %d  %s: idle (%d producers, fewer than %d agents)\n", n, st.Target, st.Producers, sh.Segment.Count)
			case st.Rate > 0:
				fmt.Fprintf(&b, "  %d  %s: producers %d-%d of %d, %s/s of %s/s\n", n, st.Target, sh.First+1, sh.First+sh.Producers, st.Producers,
					strconv.FormatFloat(sh.RateMsgsPerSec, 'f', -1, 64), strconv.FormatFloat(st.Rate, 'f', -1, 64))
			default:
				fmt.Fprintf(&b, "  %d  %s: producers %d-%d of %d, closed loop\n", n, st.Target, sh.First+1, sh.First+sh.Producers, st.Producers)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
