package runner

import (
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// TraceFile is the name of the trace events file in the output folder.
const TraceFile = "trace.jsonl"

// Live is told which workers run each step, so that it can read their
// progress counters while they run (live metrics). Calls come from the
// runner's goroutine; a step's StepFinished follows its StepStarted.
type Live interface {
	StepStarted(target string, ws []*workers.Worker)
	StepFinished(target string, ws []*workers.Worker)
}

// traceOut is the run's trace file and its writer.
type traceOut struct {
	file *os.File
	w    *workers.TraceWriter
	sum  *result.TraceSummary
}

// beginObserve carries the labels into the result and opens the trace file
// when the scenario asks for one and the run has an output folder.
func (r *run) beginObserve() {
	r.res.Labels = maps.Clone(r.plan.Labels)
	tr := r.plan.Trace
	if tr == nil {
		return
	}
	sum := &result.TraceSummary{File: TraceFile}
	r.res.Trace = sum
	if r.opts.OutDir == "" {
		sum.Error = "no output folder: trace not written"
		return
	}
	var types []workers.EventType
	for _, name := range tr.Types {
		if t, ok := workers.ParseEventType(name); ok {
			types = append(types, t)
		}
	}
	f, err := os.Create(filepath.Join(r.opts.OutDir, TraceFile))
	if err != nil {
		sum.Error = fmt.Errorf("trace: %w", err).Error()
		return
	}
	r.trace = &traceOut{file: f, w: workers.NewTraceWriter(f, workers.TraceOptions{Types: types, Sample: tr.Sample}), sum: sum}
}

// endObserve flushes and closes the trace file.
func (r *run) endObserve() {
	if r.trace == nil {
		return
	}
	st, err := r.trace.w.Close()
	if cerr := r.trace.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("trace: %w", cerr)
	}
	r.trace.sum.Events, r.trace.sum.Dropped = st.Written, st.Dropped
	if err != nil {
		r.trace.sum.Error = err.Error()
	}
	r.trace = nil
}

// stepObs watches one step's producers: it gives them tracers, shows them
// to the live metrics, and plays the scenario's phases.
type stepObs struct {
	r      *run
	step   plan.Step
	ws     []*workers.Worker
	clock  *workers.Clock
	window workers.Window
	stop   chan struct{}
	done   chan struct{} // closed when the phase goroutine has ended
	events []result.PhaseEvent
}

// observe starts watching a step whose workers are made but not yet
// running. Call finish after the step's aggregate.
func (r *run) observe(st plan.Step, ws []*workers.Worker, clock *workers.Clock, window workers.Window) *stepObs {
	o := &stepObs{r: r, step: st, ws: ws, clock: clock, window: window, stop: make(chan struct{}), done: make(chan struct{})}
	if r.trace != nil {
		for _, w := range ws {
			w.SetTracer(r.trace.w.Producer(w.Name(), r.index, clock))
		}
	}
	if r.opts.Live != nil {
		r.opts.Live.StepStarted(st.Target, ws)
	}
	go o.phases(st.Phases, st.ProducerName)
	return o
}

// phases pauses and resumes producers as the scenario's phases say, timed
// from the start of the measured window, until the last phase or stop.
func (o *stepObs) phases(phases []scenarios.Phase, base string) {
	defer close(o.done)
	paused := make([]bool, len(o.ws))
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for _, p := range phases {
		due := o.window.From + p.At.D()
		if wait := due - time.Duration(o.clock.Now()); wait > 0 {
			t.Reset(wait)
			select {
			case <-t.C:
			case <-o.stop:
				return
			}
		}
		action, set := p.Action()
		if set == nil {
			continue
		}
		ev := result.PhaseEvent{PlannedS: p.At.D().Seconds(), Action: action, Producers: []string{}}
		idx, err := set.Select(paused, base, action == "pause")
		if err != nil {
			ev.Error = err.Error()
		}
		for _, k := range idx {
			if action == "pause" {
				o.ws[k].Pause()
			} else {
				o.ws[k].Resume()
			}
			paused[k] = action == "pause"
			ev.Producers = append(ev.Producers, o.ws[k].Name())
		}
		ev.AtS = (time.Duration(o.clock.Now()) - o.window.From).Seconds()
		o.events = append(o.events, ev)
	}
}

// finish stops the phases and adds the producers' records to out.
func (o *stepObs) finish(out result.Run) result.Run {
	close(o.stop)
	<-o.done
	if o.r.opts.Live != nil {
		o.r.opts.Live.StepFinished(o.step.Target, o.ws)
	}
	out.ProducerStats, out.Fairness = producerStats(o.ws, o.window, out, o.step.MessageSize, o.step.SLOP99Us)
	out.Phases = o.events
	markPhases(out.Series, o.events)
	return out
}

// producerStats makes one record per worker and Jain's fairness index of
// their throughput. Throughput is per second of the time a producer was not
// paused, so a paused producer is not counted as treated unfairly.
// Producers that were paused throughout are left out of the index.
func producerStats(ws []*workers.Worker, window workers.Window, run result.Run, size int, sloUs float64) ([]result.ProducerStats, *float64) {
	if len(ws) == 0 {
		return nil, nil
	}
	measured := time.Duration(run.DurationS * float64(time.Second))
	out := make([]result.ProducerStats, len(ws))
	var p99s, rates []float64
	for i, w := range ws {
		ps := result.ProducerStats{ID: newUUID(), Name: w.Name(), Sent: w.Send.Sent, Errors: w.Send.Errors,
			Bytes: w.Send.Sent * int64(size), Reconnects: w.Reconnects()}
		paused := min(w.PausedWithin(window), measured)
		ps.PausedS = paused.Seconds()
		basis := ps.Sent
		if a := w.Acks(); a != nil {
			ps.Acked, ps.Errors, basis = a.Acked, ps.Errors+a.Errors, a.Acked
			if a.Latency.TotalCount() > 0 { // coarser than the step's: see workers.AckStats.Latency
				ps.LatencyUs = result.ProducerLatency{P50: us(a.LatencyAt(50)), P99: us(a.LatencyAt(99)), Max: us(a.MaxNs)}
				p99s = append(p99s, ps.LatencyUs.P99)
			}
		}
		if active := (measured - paused).Seconds(); active > 0 {
			ps.ThroughputMsgsPerSec = float64(basis) / active
			rates = append(rates, ps.ThroughputMsgsPerSec)
		}
		out[i] = ps
	}
	ref, basis := sloUs, "slo"
	if ref <= 0 {
		ref, basis = analysis.Median(p99s), "median"
	}
	for i := range out {
		out[i].Score = analysis.Score(out[i].Sent, out[i].Errors, out[i].LatencyUs.P99, ref)
		out[i].ScoreBasis = basis
	}
	if len(rates) == 0 {
		return out, nil
	}
	f := analysis.Jain(rates)
	return out, &f
}

func us(ns int64) float64 { return float64(ns) / 1e3 }

// markPhases writes into the series how many producers were paused at the
// end of each second and which phase changes happened in it.
func markPhases(series []result.Second, events []result.PhaseEvent) {
	for i := range series {
		hi := float64(i + 1)
		paused := 0
		var what []string
		for _, ev := range events {
			if ev.AtS >= hi {
				break
			}
			n := len(ev.Producers)
			if ev.Action == "resume" {
				n = -n
			}
			paused += n
			if ev.AtS >= float64(i) || i == 0 {
				what = append(what, fmt.Sprintf("%s %d", ev.Action, len(ev.Producers)))
			}
		}
		series[i].Paused = max(0, paused)
		series[i].Phase = strings.Join(what, "; ")
	}
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
