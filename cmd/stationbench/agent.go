package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/stationbench/stationbench/internal/distributed"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/merge"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// agentFlags are run's flags for a distributed run: one agent of it
// (--segment), or N local agents (--agents).
type agentFlags struct {
	segment, control, runID string
	agents                  int
	timeout, maxOffset      time.Duration
	noMerge                 bool
	clockSkew               time.Duration // test hook: hidden
}

func addAgentFlags(fs *flagSet) *agentFlags {
	f := &agentFlags{}
	fs.StringVar(&f.segment, "segment", "", "run as agent i of N of a distributed run (i/N, i from 0): this agent's share of every step's producers; "+
		"agents meet on --control and start each step together; segment 0 readies and verifies the station and merges every agent's result")
	fs.StringVar(&f.control, "control", "", "NATS URL (with JetStream) where the agents meet and leave their results (default: the first target's URL, when its kind speaks NATS)")
	fs.StringVar(&f.runID, "run-id", "", "the distributed run's id, the same on every agent (default: segment 0 makes one and the others join it)")
	fs.IntVar(&f.agents, "agents", 0, "start N agent processes on this machine (--segment 0/N ... N-1/N) and exit with the merged result's status; "+
		"an embedded target becomes one server they share")
	fs.DurationVar(&f.timeout, "agent-timeout", distributed.DefaultTimeout, "how long an agent waits for the others at each meeting point before the run fails, naming the missing")
	fs.DurationVar(&f.maxOffset, "max-clock-offset", distributed.DefaultMaxClockOffset, "an agent whose clock is further than this from the control server's refuses to run")
	fs.BoolVar(&f.noMerge, "no-merge", false, "segment 0 does not wait for the other agents' results to merge them (merge later with stationbench merge)")
	fs.DurationVar(&f.clockSkew, "test-clock-skew", 0, "test hook: add this to the agent's clock")
	_ = fs.MarkHidden("test-clock-skew")
	return f
}

// distributed reports whether the flags ask for a distributed run.
func (f *agentFlags) distributed() bool { return f.segment != "" || f.agents > 0 }

// check refuses flags that do not go together.
func (f *agentFlags) check() error {
	switch {
	case f.segment != "" && f.agents > 0:
		return errors.New("--segment and --agents: one or the other (--agents starts the segments itself)")
	case f.agents < 0:
		return fmt.Errorf("--agents %d: want 1 or more", f.agents)
	case !f.distributed() && (f.control != "" || f.runID != "" || f.noMerge):
		return errors.New("--control, --run-id and --no-merge are for a distributed run (--segment i/N or --agents N)")
	case f.runID != "":
		return distributed.CheckRunID(f.runID)
	}
	return nil
}

// validate refuses a distributed run that cannot be run: a segment out of
// range, a scenario that cannot be split, an agent without a control
// server.
func (f *agentFlags) validate(sc scenarios.Scenario) error {
	switch {
	case f.segment != "":
		if _, _, err := segmentPlan(sc, f.segment); err != nil {
			return err
		}
		_, _, err := controlTarget(sc, f.control)
		return err
	case f.agents > 0:
		_, _, err := segmentPlan(sc, fmt.Sprintf("0/%d", f.agents))
		return err
	}
	return nil
}

// segmentPlan is the plan of agent --segment, or an error saying why the
// scenario cannot be run that way.
func segmentPlan(sc scenarios.Scenario, seg string) (plan.Plan, plan.Segment, error) {
	g, err := plan.ParseSegment(seg)
	if err != nil {
		return plan.Plan{}, g, fmt.Errorf("--segment: %w", err)
	}
	p, err := plan.Build(sc).ForSegment(g)
	return p, g, err
}

// controlTarget is the control URL and, when it is a target's, the target
// whose credentials reach it: --control, else the first target's URL when
// its kind speaks NATS.
func controlTarget(sc scenarios.Scenario, flag string) (string, *scenarios.Target, error) {
	t := sc.Targets[0]
	if flag != "" {
		if flag == t.URL && (t.Kind == scenarios.KindNATS || t.Kind == scenarios.KindJetStream) {
			return flag, &t, nil // the target's own server: its credentials reach it
		}
		return flag, nil, nil
	}
	switch {
	case t.IsEmbedded():
		return "", nil, fmt.Errorf("target %q is embedded: an embedded server lives in one process, and agents need one they share: "+
			"pass --url nats://... and --control, or run them with --agents N, which starts one server for all", t.Name)
	case t.Kind != scenarios.KindNATS && t.Kind != scenarios.KindJetStream:
		return "", nil, fmt.Errorf("target %q is of kind %s: pass --control nats://... (a NATS server with JetStream where the agents meet)", t.Name, t.Kind)
	}
	return t.URL, &t, nil
}

// digest identifies a scenario's content, so that agents refuse to run
// different files together.
func digest(sc scenarios.Scenario) string {
	b, _ := json.Marshal(sc) // a loaded scenario always marshals
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// agentDir is where agent segment writes its own result, in the run's
// output folder (segment 0 writes the merged result in the folder itself).
func agentDir(dir string, segment int) string {
	return filepath.Join(dir, "agent-"+strconv.Itoa(segment))
}

// runAgent runs one agent of a distributed run: it joins the others, runs
// its share of the plan with them, writes its own result into
// <out>/agent-<i>/ and the run's object store bucket, and on segment 0
// (unless --no-merge) waits for every agent's result, merges them, and
// writes the merged result and its reports into <out>.
func runAgent(ctx context.Context, sc scenarios.Scenario, f *agentFlags, dir string, opts runner.Options, stdout, stderr io.Writer) error {
	_, g, err := segmentPlan(sc, f.segment)
	if err != nil {
		return usageError{err}
	}
	url, target, err := controlTarget(sc, f.control)
	if err != nil {
		return usageError{err}
	}
	agent, err := distributed.Join(ctx, distributed.Config{URL: url, Target: target, Segment: g, RunID: f.runID,
		Scenario: sc.Name, Digest: digest(sc), Version: buildVersion(), Timeout: f.timeout, MaxClockOffset: f.maxOffset,
		ClockSkew: f.clockSkew})
	if err != nil {
		return failedError{err}
	}
	defer agent.Close()
	a := agent.Agent()
	fmt.Fprintf(stderr, "stationbench: agent %s of run %s: clock offset %+.0fµs against the control server\n", g, agent.RunID(), a.ClockOffsetUs)

	own := agentDir(dir, g.Index)
	if err := checkWritable(own); err != nil {
		return usageError{err}
	}
	opts.RunID, opts.Coordinator, opts.SecondHistograms, opts.OutDir = agent.RunID(), agent, true, own
	opts.Checkpoint = func(partial *result.Result) { // into its own folder: the merged result is segment 0's
		if err := result.WriteJSON(filepath.Join(own, report.FileResult), partial); err != nil {
			fmt.Fprintf(stderr, "stationbench: agent %s: partial result NOT written: %v\n", g, err)
		}
	}
	res := runner.Run(ctx, sc, opts)
	if g.Lead() { // every agent reported its last counts: nobody reads the run's keys again
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := agent.Forget(fctx); err != nil {
			fmt.Fprintf(stderr, "stationbench: agent %s: the run's keys were left in the control bucket: %v\n", g, err)
		}
		cancel()
	}

	var errs []error
	if err := result.WriteJSON(filepath.Join(own, report.FileResult), res); err != nil {
		errs = append(errs, fmt.Errorf("agent %s: writing its result: %w", g, err))
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := agent.PutResult(pctx, res); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if !g.Lead() || f.noMerge {
		fmt.Fprintf(stdout, "agent %s: run %s %s; its result: %s\n", g, agent.RunID(), res.Status, own)
		return runVerdict(res)
	}
	return mergeAgents(ctx, agent, res, dir, stdout, stderr)
}

// mergeAgents waits on segment 0 for every agent's result, merges them and
// writes the merged result and its reports into dir.
func mergeAgents(ctx context.Context, agent *distributed.Agent, own *result.Result, dir string, stdout, stderr io.Writer) error {
	fmt.Fprintf(stderr, "stationbench: agent %s: waiting for every agent's result to merge them\n", agent.Segment())
	parts, err := agent.AwaitResults(context.WithoutCancel(ctx))
	if err != nil {
		// The others' measurements stay in their own results; say where.
		return failedError{fmt.Errorf("run %s: no merged result: %w; each agent's own result is in %s/agent-<i>/ and in the object store bucket %s (own result status %s: %s)",
			agent.RunID(), err, dir, distributed.ResultsBucket(agent.RunID()), own.Status, own.Error)}
	}
	m, err := merge.Results(parts)
	if err != nil {
		return failedError{fmt.Errorf("run %s: %w", agent.RunID(), err)}
	}
	return writeMerged(dir, m, stdout) // merge_cmd.go
}

// runVerdict is the exit verdict of a result, as run gives it.
func runVerdict(res *result.Result) error {
	switch {
	case res.Status != result.StatusComplete:
		return failedError{fmt.Errorf("run %s: %s", res.Status, res.Error)}
	case res.Analysis == nil:
		return failedError{errors.New("run: the result carries no analysis: thresholds not judged")}
	case report.FailedThresholds(res.Analysis.Thresholds) > 0:
		vs := res.Analysis.Thresholds
		return gateError{fmt.Errorf("%d of %d threshold checks failed", report.FailedThresholds(vs), len(vs))}
	}
	return nil
}

// dryRunText prints the plan, and with --segment or --agents what each
// agent runs of it.
func dryRunText(p plan.Plan, sc scenarios.Scenario, f *agentFlags, stdout io.Writer) error {
	if err := p.WriteText(stdout); err != nil || !f.distributed() {
		return err
	}
	segs := []string{f.segment}
	if f.agents > 0 {
		segs = nil
		for i := range f.agents {
			segs = append(segs, fmt.Sprintf("%d/%d", i, f.agents))
		}
	}
	for _, s := range segs {
		sp, _, err := segmentPlan(sc, s)
		if err != nil {
			return usageError{err}
		}
		if err := sp.WriteSegmentText(stdout); err != nil {
			return err
		}
	}
	return nil
}

// mergeFromControl is `merge --control URL --run-id ID`: the agents'
// results are read from the run's object store bucket on the control
// server, merged, and written into out.
func mergeFromControl(control, runID, out string, force bool, fs *flagSet, stdout, stderr io.Writer) error {
	switch {
	case control == "" || runID == "":
		fs.Usage()
		return usagef("merge: --control and --run-id go together")
	case fs.NArg() > 0:
		fs.Usage()
		return usagef("merge: files or --control, not both")
	case out == "":
		fs.Usage()
		return usagef("merge: --out is required: the folder for the merged result")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	parts, names, err := distributed.Fetch(ctx, control, runID)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	m, err := merge.Named(parts, names)
	if err != nil {
		return err
	}
	if err := checkOutDir(out, force, stderr); err != nil {
		return usageError{err}
	}
	return writeMerged(out, m, stdout)
}
