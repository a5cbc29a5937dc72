package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// Coordinator keeps the agents of a distributed run together (run
// --segment i/N; package distributed implements it over a NATS key-value
// bucket). The runner calls it at fixed points of every run n of the plan
// (1-based, plan order), the same on every agent:
//
//  1. Station(n): segment 0 has readied the station (created, reset) and
//     says so; the other agents wait for that before opening producers.
//  2. Ready(n): this agent's producers are open; wait until every agent's
//     are, and return the wall-clock time at which the load starts, the
//     same instant on every agent (corrected for each agent's clock offset).
//  3. Counts(n): this agent's counts once its producers are closed;
//     segment 0 gets the sum over every agent, to verify the station once
//     against every agent's acknowledgements.
//
// An agent that does not arrive within the coordinator's timeout fails the
// call with an error that names it.
type Coordinator interface {
	// Segment is this agent's.
	Segment() plan.Segment
	// Agent is this agent as the result lists it (host, version, segment,
	// clock offset).
	Agent() result.Agent
	Station(ctx context.Context, n int) error
	Ready(ctx context.Context, n int) (time.Time, error)
	Counts(ctx context.Context, n int, c StepCounts) (StepCounts, error)
	// Abort says that this agent gave up run n before its load, and why;
	// the other agents' waits for run n end at once with that reason.
	Abort(ctx context.Context, n int, why error) error
}

// StepCounts is what an agent sent and had acknowledged in a run, warmup
// included: what the station gains from it.
type StepCounts struct {
	Sent  int64 `json:"sent"`
	Acked int64 `json:"acked"`
}

// distributedPlan is the plan as this agent runs it: every step carries
// its share (plan.ForSegment). A run by one process keeps the whole plan.
func distributedPlan(p plan.Plan, c Coordinator) (plan.Plan, error) {
	if c == nil {
		return p, nil
	}
	return p.ForSegment(c.Segment())
}

// leaveStation reports whether another agent (segment 0) manages the
// station of this run.
func (r *run) leaveStation() bool {
	return r.opts.Coordinator != nil && !r.opts.Coordinator.Segment().Lead()
}

// leads reports whether this process verifies the station: a run by one
// process, or segment 0 of a distributed run.
func (r *run) leads() bool { return !r.leaveStation() }

// errUnacked refuses a kind whose messages are not acknowledged in a
// distributed run.
var errUnacked = errors.New("a distributed run needs a kind whose messages are acknowledged: " +
	"this kind's deliveries are timed by a receiver in each agent, which would see every agent's messages " +
	"timed against another machine's clock")

// awaitStation waits, on an agent other than segment 0, until segment 0
// has readied the station for the current run. Segment 0, and a run by one
// process, go on at once.
func (r *run) awaitStation(ctx context.Context) error {
	if !r.leaveStation() {
		return nil
	}
	if err := r.opts.Coordinator.Station(ctx, r.index); err != nil {
		return fmt.Errorf("station not readied by segment 0: %w", err)
	}
	return nil
}

// stationReady, on segment 0 of a distributed run, says that the station
// is ready for the current run (created or reset, its count read). A
// distributed run refuses a step whose messages are not acknowledged
// (errUnacked).
func (r *run) stationReady(ctx context.Context, s workers.Step) error {
	switch {
	case r.opts.Coordinator == nil:
		return nil
	case !s.Acked():
		return errUnacked
	case !r.leads():
		return nil
	}
	if err := r.opts.Coordinator.Station(ctx, r.index); err != nil {
		return fmt.Errorf("control server: %w", err)
	}
	return nil
}

// abort tells the other agents that this agent gives up the current run
// before its load, so that they do not wait for it; err is why. It returns
// err, with a note when the others could not be told.
func (r *run) abort(ctx context.Context, err error) error {
	if r.opts.Coordinator == nil {
		return err
	}
	if aerr := r.opts.Coordinator.Abort(ctx, r.index, err); aerr != nil {
		return errors.Join(err, fmt.Errorf("the other agents could not be told: %w", aerr))
	}
	return err
}

// lateNote says how late this agent started its load.
func (r *run) lateNote(late time.Duration) string {
	return fmt.Sprintf("agent %s started its load %s after the agreed start: its measured window lags the others'",
		r.opts.Coordinator.Segment(), late.Round(time.Microsecond))
}

// loadStartAt is when, on the step's clock, the load starts: lead after
// now for a run by one process, else the instant every agent agreed on.
// late says how far past that instant this agent already was.
func (r *run) loadStartAt(ctx context.Context, now, startOf time.Time) (at time.Duration, late time.Duration, err error) {
	if r.opts.Coordinator == nil {
		return now.Sub(startOf) + lead, 0, nil
	}
	t, err := r.opts.Coordinator.Ready(ctx, r.index)
	if err != nil {
		return 0, 0, err
	}
	at = t.Sub(startOf)
	if now := time.Since(startOf); at < now {
		return now + lead, now - at, nil
	}
	return at, 0, nil
}

// agentCounts gives the coordinator this agent's counts of the step and
// returns what the station is verified against: the sum over every agent
// on segment 0, this agent's own otherwise (and without a coordinator).
func (r *run) agentCounts(ctx context.Context, out result.Run) (StepCounts, error) {
	own := StepCounts{Sent: out.Sent + out.WarmupSent, Acked: out.Acked + out.WarmupAcked}
	if r.opts.Coordinator == nil {
		return own, nil
	}
	return r.opts.Coordinator.Counts(ctx, r.index, own)
}
