// Package runner runs a scenario: it lays it out as a plan (package plan)
// and, for every run of the plan in order, starts the producer workers,
// waits out warmup and the measured window, and turns what the workers
// recorded into a result.Result.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/protocols"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// cleanupTimeout bounds what is done after a run is over or interrupted
// (closing producers, deleting stations).
const cleanupTimeout = 10 * time.Second

// interruptedCleanup bounds the same once the run was interrupted or its
// broker is gone: nobody should wait long for a cleanup that cannot be done.
const interruptedCleanup = 2 * time.Second

// Options tune a run.
type Options struct {
	// Progress receives step and tick events; nil shows nothing.
	Progress Progress
	// Version is stationbench's version, recorded in the result.
	Version string
	// TickEvery is how often Progress.Tick is called (default 500ms).
	TickEvery time.Duration
	// OutDir is the output folder; trace.jsonl is written there when the
	// scenario turns tracing on. Empty: no trace.
	OutDir string
	// Live, when set, is shown each step's workers (live metrics).
	Live Live
	// Checkpoint, when set, is given the partial result once the run is
	// interrupted, before anything is cleaned up, so that it can be written
	// while cleanup (bounded by a short deadline) goes on.
	Checkpoint func(*result.Result)
	// RunID, when set, is the run's id (the one every agent of a
	// distributed run shares); else a new one is made.
	RunID string
	// Coordinator, when set, makes this run one agent of a distributed run
	// (distributed.go): it runs its segment's share of every step, together
	// in time with the other agents.
	Coordinator Coordinator
	// SecondHistograms: each second of a run's series keeps its latency
	// histogram (result.Second.Histogram), so that agents' results merge
	// with an exact per-second p99. Off by default: it makes result.json
	// larger.
	SecondHistograms bool
}

// Run runs the scenario's plan (plan.Build) and returns what it measured. It always returns a
// result, complete or not: its Status says how the run ended (interrupted
// when ctx was cancelled, failed when a target or step failed) and Error
// why.
func Run(ctx context.Context, sc scenarios.Scenario, o Options) *result.Result {
	if o.Progress == nil {
		o.Progress = nopProgress{}
	}
	if o.TickEvery <= 0 {
		o.TickEvery = 500 * time.Millisecond
	}
	res := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Status:        result.StatusComplete,
		StartedAt:     time.Now().UTC(),
		Scenario:      record(sc), // record.go
		Env:           newEnv(o.Version),
		Runs:          []result.Run{},
		RunID:         newRunID(),
	}
	if o.RunID != "" {
		res.RunID = o.RunID
	}
	var errs []error
	p, err := distributedPlan(plan.Build(sc), o.Coordinator)
	if err != nil {
		errs = append(errs, err)
	}
	if o.Coordinator != nil {
		res.Env.Agents = []result.Agent{o.Coordinator.Agent()}
	}
	r := &run{plan: p, opts: o, res: res, total: p.Runs(), rss: newRSSMeter()}
	r.beginObserve() // labels and trace: producers.go
	for _, t := range p.Targets {
		if ctx.Err() != nil {
			break
		}
		if err := r.target(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	switch {
	case ctx.Err() != nil:
		res.Status = result.StatusInterrupted
		errs = append(errs, errors.New("interrupted"))
	case len(errs) > 0:
		res.Status = result.StatusFailed
	}
	if err := errors.Join(errs...); err != nil {
		res.Error = err.Error()
	}
	r.endObserve()
	res.Env.PeakRSSBytes = max(peakRSS(), r.peakRSS) // each step resets the kernel's peak: rss.go
	res.FinishedAt = time.Now().UTC()
	res.Analysis = analysis.Analyze(res, p.Thresholds) // computed once; renderers only render
	return res
}

// run is the state of one Run.
type run struct {
	plan  plan.Plan
	opts  Options
	res   *result.Result
	index int // steps started so far
	total int
	// faults records the current target's connection events.
	faults *workers.Faults
	trace  *traceOut // nil unless the scenario traces
	// checkpointed: Options.Checkpoint was called.
	checkpointed bool
	// rss measures each step's peak resident set; peakRSS is the
	// process's peak before the latest step's measurement reset it.
	rss     rssMeter
	peakRSS int64
}

// target runs every step of one target. A target that cannot be reached is
// recorded and skipped; a failed step fails the target but later steps
// still run.
func (r *run) target(ctx context.Context, pt plan.Target) (err error) {
	t := pt.Target
	env := result.TargetEnv{Name: t.Name, Kind: string(t.Kind), URL: redact.URL(t.URL), Embedded: t.IsEmbedded(),
		Transport: t.Transport()}
	defer func() {
		if err != nil {
			env.Error = err.Error()
		}
		r.res.Env.Targets = append(r.res.Env.Targets, env)
	}()
	files, err := checkFiles(processFiles(), pt) // files.go: before any load is sent
	if err != nil {
		return fmt.Errorf("target %q: %w", t.Name, err)
	}
	url := t.URL
	if t.IsEmbedded() {
		srv, err := protocols.Embed(ctx, t)
		if err != nil {
			return fmt.Errorf("target %q: %w", t.Name, err)
		}
		defer srv.Shutdown()
		noteMethod(&r.res.Env, t.Name, srv) // a fake says so: env.go
		url = srv.URL()
		env.URL = "embedded (" + url + ")"
		if b, ok := srv.(interface{ NATSURL() string }); ok {
			t.NATSURL = b.NATSURL() // a kind reached over another protocol keeps its station over NATS (mqtt)
		}
	}
	r.faults = workers.NewFaults()
	d := pt.Driver
	drv, err := protocols.New(workers.Config{Target: t, URL: url, Station: d.Station,
		SharedConnection: d.SharedConnection, Dedup: d.Dedup, Batch: d.Batch, Faults: r.faults, RunID: r.res.RunID,
		LeaveStation: r.leaveStation()})
	if err != nil {
		return err
	}
	connectCtx, cancel := context.WithTimeout(ctx, t.Timeout())
	info, err := drv.Connect(connectCtx)
	cancel()
	if err != nil {
		return err
	}
	env.ServerVersion, env.ServerName = info.Version, info.Name
	defer func() {
		if ctx.Err() != nil {
			r.checkpoint(env, err)
		}
		cctx, cancel := r.cleanupContext(ctx)
		defer cancel()
		if cerr := drv.Close(cctx); cerr != nil {
			// Not the run's verdict, but worth its own note: what was left.
			r.res.Notes = append(r.res.Notes, "cleanup not done: "+cerr.Error())
		}
	}()
	if size := int64(pt.MessageSize); info.MaxPayload > 0 && size > info.MaxPayload {
		return fmt.Errorf("target %q: message.size %d bytes is larger than the server's max_payload of %d bytes: no load was sent",
			t.Name, size, info.MaxPayload)
	}
	var errs []error
	for _, e := range pt.Entries {
		if e.Search != nil {
			s, err := r.searchMaxRate(ctx, drv, *e.Search)
			r.res.MaxRate = append(r.res.MaxRate, s)
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		st := *e.Step
		if ctx.Err() != nil || r.faults.LostErr() != nil {
			return errors.Join(errs...) // a lost connection fails the rest of the target
		}
		r.index++
		started := time.Now().UTC()
		var run result.Run
		if ferr := files.refuse(st.Producers); ferr != nil { // the open-file limit holds the target's smaller steps only
			run = r.refuseStep(st, ferr) // step.go
		} else {
			rss := r.rss.start() // rss.go: the step's own peak resident set
			run = r.step(ctx, drv, st)
			r.endRSS(rss, &run)
		}
		run.StartedAt = started
		r.res.Runs = append(r.res.Runs, run)
		if run.Status == result.StatusFailed {
			errs = append(errs, fmt.Errorf("target %q, %d producers, repeat %d: %s", t.Name, st.Producers, st.Repeat, run.Error))
		}
	}
	return errors.Join(errs...)
}

// cleanupContext bounds cleanup: cleanupTimeout normally, a short
// interruptedCleanup once the run was interrupted or the broker is gone.
func (r *run) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := cleanupTimeout
	if ctx.Err() != nil || r.faults.LostErr() != nil {
		d = interruptedCleanup
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// checkpoint gives Options.Checkpoint the result as it stands, marked
// interrupted, with the current target (env, and its error so far).
func (r *run) checkpoint(env result.TargetEnv, err error) {
	if r.opts.Checkpoint == nil || r.checkpointed {
		return
	}
	r.checkpointed = true
	snap := *r.res
	snap.Runs = slices.Clone(r.res.Runs)
	snap.Notes = slices.Clone(r.res.Notes)
	if err != nil {
		env.Error = err.Error()
	}
	snap.Env.Targets = append(slices.Clone(r.res.Env.Targets), env)
	snap.Status, snap.Error = result.StatusInterrupted, "interrupted (partial result, written before cleanup)"
	snap.FinishedAt = time.Now().UTC()
	snap.Analysis = analysis.Analyze(&snap, r.plan.Thresholds)
	r.opts.Checkpoint(&snap)
}

// newRunID is a random id for one run, marked on what it creates.
func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:4])
}
