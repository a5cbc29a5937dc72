package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// lead is the time between the last producer being ready and the first
// message, so that every worker goroutine is running when load starts.
const lead = 20 * time.Millisecond

// step runs one step of the plan and returns its run record.
func (r *run) step(ctx context.Context, drv workers.Driver, st plan.Step) result.Run {
	out := stepRun(st)
	info := r.stepInfo(st)
	r.opts.Progress.StepStarted(info)
	defer func() { r.opts.Progress.StepFinished(info, out) }()

	if note := st.IdleNote(); note != "" {
		out.Notes = append(out.Notes, note)
	}
	// first is the global index of this process's first producer.
	first, _ := st.Local()
	if err := r.awaitStation(ctx); err != nil { // distributed.go: segment 0 readies it first
		return failed(out, r.abort(ctx, err))
	}
	clock := workers.NewClock()
	session, err := drv.BeginStep(ctx, workers.StepSpec{Producers: st.Producers, Clock: clock, Drain: st.Drain})
	if err != nil {
		return failed(out, r.abort(ctx, err))
	}
	// abandon ends the step before its load, keeping the driver's notes;
	// the other agents of a distributed run are told not to wait for it.
	abandon := func(ws []*workers.Worker, err error) result.Run {
		err = r.abort(ctx, err)
		res, _ := r.finish(ctx, session, ws, first)
		out.Notes = append(out.Notes, res.Notes...)
		return failed(out, err)
	}
	checks := r.beginChecks(ctx, drv, session, st.Verify && r.leads())
	if checks.err != nil { // no load that cannot be verified
		return abandon(nil, checks.err)
	}
	if err := r.stationReady(ctx, session); err != nil { // distributed.go
		return abandon(nil, err)
	}
	ws, err := r.openWorkers(ctx, session, clock, st)
	if err != nil {
		return abandon(ws, err)
	}
	loadStart, late, err := r.loadStartAt(ctx, time.Now(), clock.Start()) // distributed.go
	if err != nil {
		return abandon(ws, err)
	}
	if late > 0 {
		out.Notes = append(out.Notes, r.lateNote(late))
	}
	window := workers.Window{From: loadStart + st.Warmup, To: loadStart + st.Warmup + st.Duration}
	session.Start(window)
	obs := r.observe(st, ws, clock, window) // tracers, live metrics, phases: producers.go

	ended := make([]int64, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ended[i] = w.Run(window, loadStart)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.watch(ctx, done, ws, clock, loadStart, info)

	res, ferr := r.finish(ctx, session, ws, first)
	out.Notes = append(out.Notes, res.Notes...) // driver notes: the station's origin, ...
	end := time.Duration(0)
	for _, e := range ended {
		end = max(end, time.Duration(e))
	}
	out = aggregate(out, ws, res.Deliveries, max(0, end-window.From), st.MessageSize)
	out.MeasuredFrom = clock.Start().Add(window.From).UTC()
	if r.opts.SecondHistograms {
		out.Series = withSecondHistograms(out.Series, ws, res.Deliveries) // second_histograms.go
	}
	out = obs.finish(out)
	out.ErrorTexts = errorTexts(ws)
	if totals, err := r.agentCounts(ctx, out); err != nil {
		checks.verifier = nil // not verified against part of the acks
		ferr = errors.Join(ferr, fmt.Errorf("station not verified: %w", err))
	} else if r.opts.Coordinator != nil {
		checks.totals = &totals
	}
	ferr = errors.Join(r.endChecks(ctx, &out, checks, clock.Start().Add(window.From)), ferr)
	switch {
	case ctx.Err() != nil:
		out.Status, out.Error = result.StatusInterrupted, "interrupted"
	case ferr != nil:
		return failed(out, ferr)
	case out.Sent == 0 && len(ws) > 0:
		return failed(out, withCause(errors.New("no message was sent in the measured window"), out))
	case session.Acked() && out.Acked+out.WarmupAcked == 0 && len(out.ErrorTexts) > 0:
		return failed(out, withCause(fmt.Errorf("every one of the %d messages sent failed, none was acknowledged", out.Sent+out.WarmupSent), out))
	case !session.Acked() && out.Lost != nil && *out.Lost > 0 && !st.AcceptLoss:
		return failed(out, fmt.Errorf("lost %d of %d messages sent: the subscriber never received them (%s is at-most-once; "+
			"a scenario that expects loss says so with a threshold on lost, e.g. thresholds: [{metric: lost, max: 1000}])", *out.Lost, out.Sent, atMostOnce(st.Kind)))
	}
	return out
}

// stepInfo describes st to Progress.
func (r *run) stepInfo(st plan.Step) StepInfo {
	return StepInfo{Index: r.index, Total: r.total, Target: st.Target, Step: st.Step, Repeat: st.Repeat, Repeats: st.Repeats,
		Warmup: st.Warmup, Duration: st.Duration}
}

// refuseStep records st as failed with err without running it (no load is
// sent), and tells Progress, which shows it like any failed step.
func (r *run) refuseStep(st plan.Step, err error) result.Run {
	info := r.stepInfo(st)
	r.opts.Progress.StepStarted(info)
	out := failed(stepRun(st), err)
	r.opts.Progress.StepFinished(info, out)
	return out
}

// stepRun is the run record of st before it runs.
func stepRun(st plan.Step) result.Run {
	return result.Run{
		Target:         st.Target,
		Kind:           string(st.Kind),
		Axis:           st.Axis,
		Producers:      st.Producers,
		RateMsgsPerSec: st.Rate,
		Repeat:         st.Repeat,
		Status:         result.StatusComplete,
		WarmupS:        st.Warmup.Seconds(),
		Series:         []result.Second{},
	}
}

// errorTexts merges the workers' error texts, most frequent first.
func errorTexts(ws []*workers.Worker) []result.ErrorText {
	lists := make([][]result.ErrorText, 0, len(ws))
	for _, w := range ws {
		lists = append(lists, w.ErrorTexts())
	}
	return workers.MergeErrorTexts(lists, maxErrorTexts)
}

// maxErrorTexts is how many distinct error texts a run record keeps.
const maxErrorTexts = 8

// withCause adds the most frequent error text of the run to err.
func withCause(err error, out result.Run) error {
	if len(out.ErrorTexts) == 0 {
		return err
	}
	e := out.ErrorTexts[0]
	return fmt.Errorf("%w; the most frequent error (%d times): %s", err, e.Count, e.Text)
}

// openWorkers makes a worker and its producer for each producer of the step.
func (r *run) openWorkers(ctx context.Context, s workers.Step, clock *workers.Clock, st plan.Step) ([]*workers.Worker, error) {
	ws := make([]*workers.Worker, 0, st.Producers)
	seconds := workers.NewSecondHistograms() // the step's, shared by its workers
	sleepers := workers.NewFineSleepers()
	first, n := st.Local()
	for k := first; k < first+n; k++ {
		spec := workers.ProducerSpec{Index: k + 1, Name: fmt.Sprintf("%s-%d", st.ProducerName, k+1)}
		cfg := workers.WorkerConfig{
			Spec:        spec,
			Clock:       clock,
			MaxPending:  st.MaxPending,
			AckTimeout:  st.AckTimeout,
			Drain:       st.Drain,
			LateAfter:   st.LateAfter,
			Spin:        st.Spin,
			Peers:       n,
			PayloadSize: st.MessageSize,
			LiveLatency: r.opts.Live != nil,
			Seconds:     seconds,
			Sleepers:    sleepers,
		}
		if st.Rate > 0 {
			cfg.Schedule = workers.Spread(st.Rate, st.Producers, k)
		}
		w := workers.NewWorker(cfg, s.Acked())
		prod, err := s.NewProducer(ctx, spec, w)
		if err != nil {
			return ws, err
		}
		w.Attach(prod)
		ws = append(ws, w)
	}
	return ws, nil
}

// watch reports progress until the workers are done, and stops them when
// ctx is cancelled.
func (r *run) watch(ctx context.Context, done <-chan struct{}, ws []*workers.Worker, clock *workers.Clock, loadStart time.Duration, info StepInfo) {
	tick := time.NewTicker(r.opts.TickEvery)
	defer tick.Stop()
	var lastSent int64
	lastAt := loadStart
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			for _, w := range ws {
				w.Stop()
			}
			<-done
			return
		case <-r.faults.Lost(): // a connection is gone for good: end the step now
			for _, w := range ws {
				w.Stop()
			}
			<-done
			return
		case <-tick.C:
			var sent, acked int64
			for _, w := range ws {
				s, a := w.Progress()
				sent, acked = sent+s, acked+a
			}
			now := time.Duration(clock.Now())
			rate := 0.0
			if dt := (now - lastAt).Seconds(); dt > 0 {
				rate = float64(sent-lastSent) / dt
			}
			lastSent, lastAt = sent, now
			r.opts.Progress.Tick(info, Tick{Elapsed: max(0, now-loadStart), Sent: sent, Acked: acked, MsgsPerSec: rate})
		}
	}
}

// finish closes the producers and the step and stops the ack receivers, so
// that everything the workers recorded can be read.
// first is the global index (0-based) of the first of ws: deliveries are
// filed by global producer index.
func (r *run) finish(ctx context.Context, s workers.Step, ws []*workers.Worker, first int) (workers.StepResult, error) {
	cctx, cancel := r.cleanupContext(ctx)
	defer cancel()
	var errs []error
	for _, w := range ws {
		if err := w.Close(cctx); err != nil {
			errs = append(errs, err)
		}
	}
	res, err := s.Finish(cctx)
	for i, st := range res.DeliveriesByProducer {
		if k := i - first; k >= 0 && k < len(ws) {
			ws[k].AdoptDeliveries(st)
		}
	}
	return res, errors.Join(append(errs, err)...)
}

func failed(out result.Run, err error) result.Run {
	out.Status, out.Error = result.StatusFailed, err.Error()
	return out
}

// atMostOnce names what delivers a kind's unacknowledged messages at most
// once, for the loss message.
func atMostOnce(k scenarios.Kind) string {
	if k == scenarios.KindMQTT {
		return "MQTT QoS 0"
	}
	return "core NATS"
}
