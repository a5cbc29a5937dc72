// Package plan lays a scenario out as the runs it makes: every target,
// every step of the sweep and every repeat, in the order they run, each
// step with the settings its driver and workers need, and how long the
// whole takes. The runner executes a plan; `stationbench validate --plan`
// and `stationbench run --dry-run` print one.
//
// A findMaxRate scenario has no fixed steps: each producer count is a
// search whose rates depend on what the target sustains, so the plan lists
// the search with its bounds, and the runner makes its probes.
package plan

import (
	"maps"
	"time"

	"github.com/stationbench/stationbench/scenarios"
)

// Plan is a scenario laid out in run order.
type Plan struct {
	// Scenario is the scenario's name.
	Scenario string
	// Targets run one after the other, in the scenario's order.
	Targets []Target
	// Labels are carried into the result as they are.
	Labels map[string]string
	// Trace, when set, says which trace events the run writes.
	Trace *scenarios.Trace
	// Thresholds are judged once the run is over (package analysis).
	Thresholds []scenarios.Threshold
	// Segment, in a distributed run, is the agent this plan is for
	// (Plan.ForSegment); nil when one process runs the whole plan.
	Segment *Segment
}

// Target is one target and what runs on it.
type Target struct {
	// Target says how to reach the broker: kind, address, credentials,
	// timeouts.
	Target scenarios.Target
	// MessageSize is every run's payload in bytes, checked against the
	// server's limit once connected.
	MessageSize int
	// Driver holds what the target's driver is made with beyond the
	// target itself: the station, and the kind-specific message options.
	Driver Driver
	// Entries are the target's runs and searches in run order.
	Entries []Entry
}

// Driver is what a target's driver needs from the scenario, and no more
// (workers.Config carries it).
type Driver struct {
	Station scenarios.Station
	// SharedConnection: the producers share one connection
	// (producers.connections: shared).
	SharedConnection bool
	// Dedup (memphis) gives every message a msg-id header; Batch
	// (memphis-http) is the messages per gateway request.
	Dedup bool
	Batch int
}

// Entry is one item of a target's plan: a measured run or a findMaxRate
// search. Exactly one of Step and Search is set.
type Entry struct {
	Step   *Step
	Search *Search
}

// Step is one measured run and everything it is run with.
type Step struct {
	// Step is the sweep point: its axis, producer count and offered rate
	// (0 for closed loop).
	scenarios.Step
	Target string
	Kind   scenarios.Kind
	// Repeat is this run's repeat of the step (1-based), of Repeats.
	Repeat, Repeats int

	// Warmup is sent but not recorded; Duration is the measured window;
	// Drain bounds the wait for outstanding acknowledgements after it.
	Warmup, Duration, Drain time.Duration
	// LateAfter is how far behind its intended time a send may leave
	// before it counts as late (open loop).
	LateAfter time.Duration
	// Spin: the open-loop pacer waits actively after its timer instead of
	// sleeping finely (scenarios.PacerSpin).
	Spin bool

	// ProducerName is the workers' name base: ProducerName-1 ... -N.
	ProducerName string
	// Connections is scenarios.ConnPerProducer or scenarios.ConnShared.
	Connections string
	// Ack is scenarios.AckAsync or scenarios.AckSync.
	Ack string
	// MaxPending bounds each producer's unacknowledged messages.
	MaxPending int
	// AckTimeout bounds each acknowledgement.
	AckTimeout time.Duration
	// MessageSize is the payload in bytes.
	MessageSize int

	// Verify: after the run, the station's count is compared with what
	// was acknowledged (acknowledged kinds).
	Verify bool
	// AcceptLoss: a threshold on lost covers this run, so loss is the
	// threshold's to judge, not a failure of the run.
	AcceptLoss bool
	// SLOP99Us is the p99 objective (µs) the producers are scored against:
	// the latency.p99 threshold covering this run, else findMaxRate's p99;
	// 0 when there is neither (they are scored against their median).
	SLOP99Us float64
	// Phases pause and resume producers during the measured window.
	Phases []scenarios.Phase
	// Share, in a distributed run, is the part of the step this agent runs
	// (segment.go); nil when one process runs all of it.
	Share *Share
}

// AtRate is the step offering rate msgs/s: a findMaxRate probe.
func (s Step) AtRate(rate float64) Step {
	s.Axis, s.Rate = scenarios.AxisRate, rate
	return s
}

// Search is a findMaxRate search at one producer count. A closed-loop
// probe measures the most the producers push, which bounds the answer;
// open-loop probes then bisect between 0 and that rate, and the answer is
// probed once more to confirm it.
type Search struct {
	// Closed is the closed-loop probe; the open-loop probes are
	// Closed.AtRate(rate).
	Closed Step
	// Spec holds the latency objectives, the most open-loop probes and
	// the precision that ends the search.
	Spec scenarios.FindMaxRate
}

// MaxRuns is the most runs the search makes.
func (s Search) MaxRuns() int { return s.Spec.MaxRuns() }

// Build lays out a valid scenario. It does no I/O.
func Build(sc scenarios.Scenario) Plan {
	p := Plan{Scenario: sc.Name, Labels: maps.Clone(sc.Labels), Trace: sc.Trace, Thresholds: sc.Thresholds}
	drv := Driver{Station: sc.Station, SharedConnection: sc.Producers.Connections == scenarios.ConnShared,
		Dedup: sc.Message.Dedup, Batch: sc.Message.Batch}
	for _, t := range sc.Targets {
		pt := Target{Target: t, MessageSize: sc.Message.Size.Int(), Driver: drv}
		if f := sc.Load.FindMaxRate; f != nil {
			for _, n := range sc.Producers.Counts {
				closed := newStep(sc, t, scenarios.Step{Axis: scenarios.AxisProducers, Producers: n}, 1)
				pt.Entries = append(pt.Entries, Entry{Search: &Search{Closed: closed, Spec: *f}})
			}
		} else {
			for _, o := range runOrder(sc.Steps(), sc.Load) {
				st := newStep(sc, t, o.step, o.repeat)
				pt.Entries = append(pt.Entries, Entry{Step: &st})
			}
		}
		p.Targets = append(p.Targets, pt)
	}
	return p
}

// newStep gives a sweep point of target t the scenario's settings.
func newStep(sc scenarios.Scenario, t scenarios.Target, st scenarios.Step, repeat int) Step {
	l, pr := sc.Load, sc.Producers
	return Step{
		Step:         st,
		Target:       t.Name,
		Kind:         t.Kind,
		Repeat:       repeat,
		Repeats:      l.Repeat,
		Warmup:       l.Warmup.D(),
		Duration:     l.Duration.D(),
		Drain:        l.Drain.D(),
		LateAfter:    l.LateAfter.D(),
		Spin:         l.Pacer == scenarios.PacerSpin,
		ProducerName: pr.Name,
		Connections:  pr.Connections,
		Ack:          pr.Ack,
		MaxPending:   pr.MaxPending,
		AckTimeout:   t.Timeout(),
		MessageSize:  sc.Message.Size.Int(),
		Verify:       sc.Station.VerifyEnabled(),
		AcceptLoss:   acceptsLoss(sc, t.Name, st.Producers),
		SLOP99Us:     sloP99Us(sc, t.Name, st.Producers),
		Phases:       sc.Phases,
	}
}

// stepRepeat is a step and its 1-based repeat.
type stepRepeat struct {
	step   scenarios.Step
	repeat int
}

// runOrder lays out the runs of a target: by default the repeats go round
// every step in turn (1, 2, 4, 1, 2, 4 ...), so that drift on a shared
// machine spreads over all steps instead of landing on one;
// load.order: sequential finishes each step's repeats before the next.
func runOrder(steps []scenarios.Step, l scenarios.Load) []stepRepeat {
	out := make([]stepRepeat, 0, len(steps)*l.Repeat)
	if l.Interleaved() {
		for rep := 1; rep <= l.Repeat; rep++ {
			for _, st := range steps {
				out = append(out, stepRepeat{st, rep})
			}
		}
		return out
	}
	for _, st := range steps {
		for rep := 1; rep <= l.Repeat; rep++ {
			out = append(out, stepRepeat{st, rep})
		}
	}
	return out
}

// acceptsLoss reports whether a threshold on lost covers the runs of
// target with producers: the scenario expects loss, and the threshold, not
// the run, judges it.
func acceptsLoss(sc scenarios.Scenario, target string, producers int) bool {
	for _, th := range sc.Thresholds {
		if th.Metric == scenarios.MetricLost && th.Selects(target, producers) {
			return true
		}
	}
	return false
}

// sloP99Us is the p99 bound (µs) of the scenario's latency.p99 threshold
// that covers the runs of target with producers, else findMaxRate's p99
// objective, or 0 when there is neither.
func sloP99Us(sc scenarios.Scenario, target string, producers int) float64 {
	for _, t := range sc.Thresholds {
		if t.Metric == scenarios.MetricLatencyP99 && t.Max != nil && t.Selects(target, producers) {
			return t.Max.Value()
		}
	}
	if f := sc.Load.FindMaxRate; f != nil && f.P99 > 0 {
		return float64(f.P99.D().Microseconds())
	}
	return 0
}
