package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// lead is the time between the last producer being ready and the first
// message, so that every worker goroutine is running when load starts.
const lead = 20 * time.Millisecond

// step runs one step once and returns its run record.
func (r *run) step(ctx context.Context, drv workers.Driver, t scenarios.Target, st scenarios.Step, rep int) report.Run {
	load := r.sc.Load
	out := report.Run{
		Target:         t.Name,
		Kind:           string(t.Kind),
		Axis:           st.Axis,
		Producers:      st.Producers,
		RateMsgsPerSec: st.Rate,
		Repeat:         rep,
		Status:         report.StatusComplete,
		WarmupS:        load.Warmup.D().Seconds(),
		Series:         []report.Second{},
	}
	info := StepInfo{Index: r.index, Total: r.total, Target: t.Name, Step: st, Repeat: rep, Repeats: load.Repeat,
		Warmup: load.Warmup.D(), Duration: load.Duration.D()}
	r.opts.Progress.StepStarted(info)
	defer func() { r.opts.Progress.StepFinished(info, out) }()

	clock := workers.NewClock()
	session, err := drv.BeginStep(ctx, workers.StepSpec{Producers: st.Producers, Clock: clock, Drain: load.Drain.D()})
	if err != nil {
		return failed(out, err)
	}
	checks := r.beginChecks(ctx, drv, session)
	ws, err := r.openWorkers(ctx, session, clock, t, st)
	if err != nil {
		r.finish(ctx, session, ws)
		return failed(out, err)
	}
	loadStart := time.Duration(clock.Now()) + lead
	window := workers.Window{From: loadStart + load.Warmup.D(), To: loadStart + load.Warmup.D() + load.Duration.D()}
	session.Start(window)
	obs := r.observe(t.Name, ws, clock, window) // tracers, live metrics, phases: producers.go

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

	deliveries, ferr := r.finish(ctx, session, ws)
	end := time.Duration(0)
	for _, e := range ended {
		end = max(end, time.Duration(e))
	}
	out = aggregate(out, ws, deliveries, max(0, end-window.From), r.sc.Message.Size.Int())
	out = obs.finish(out, r.sc.Message.Size.Int())
	ferr = errors.Join(r.endChecks(ctx, &out, checks, clock.Start().Add(window.From)), ferr)
	switch {
	case ctx.Err() != nil:
		out.Status, out.Error = report.StatusInterrupted, "interrupted"
	case ferr != nil:
		return failed(out, ferr)
	case out.Sent == 0:
		return failed(out, errors.New("no message was sent in the measured window"))
	}
	return out
}

// openWorkers makes a worker and its producer for each producer of the step.
func (r *run) openWorkers(ctx context.Context, s workers.Step, clock *workers.Clock, t scenarios.Target, st scenarios.Step) ([]*workers.Worker, error) {
	p, load := r.sc.Producers, r.sc.Load
	ws := make([]*workers.Worker, 0, st.Producers)
	for k := range st.Producers {
		spec := workers.ProducerSpec{Index: k + 1, Name: fmt.Sprintf("%s-%d", p.Name, k+1)}
		cfg := workers.WorkerConfig{
			Spec:        spec,
			Clock:       clock,
			MaxPending:  p.MaxPending,
			AckTimeout:  t.Timeout(),
			Drain:       load.Drain.D(),
			LateAfter:   load.LateAfter.D(),
			PayloadSize: r.sc.Message.Size.Int(),
			LiveLatency: r.opts.Live != nil,
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
func (r *run) finish(ctx context.Context, s workers.Step, ws []*workers.Worker) (*workers.AckStats, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	for _, w := range ws {
		if err := w.Close(cctx); err != nil {
			errs = append(errs, err)
		}
	}
	res, err := s.Finish(cctx)
	for i, st := range res.DeliveriesByProducer {
		if i < len(ws) {
			ws[i].AdoptDeliveries(st)
		}
	}
	return res.Deliveries, errors.Join(append(errs, err)...)
}

func failed(out report.Run, err error) report.Run {
	out.Status, out.Error = report.StatusFailed, err.Error()
	return out
}
