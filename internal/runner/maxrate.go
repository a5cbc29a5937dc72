package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// sustainedFraction is how much of the offered rate a probe must achieve.
const sustainedFraction = 0.99

// searchMaxRate finds the highest offered rate that target t sustains with
// n producers under the scenario's latency objectives.
//
// A closed-loop probe first measures the most the producers can push; no
// higher rate can be sustained, so it is the top of the bracket. The search
// then bisects the bracket [0, top] with open-loop probes: a pass raises
// the bottom, a failure lowers the top. It stops when the bracket is
// narrower than the precision times its top, or when the probe budget is
// spent, and answers the highest rate that passed (0 when none did: the
// very first probe failing just moves the bracket down). Every probe is
// also kept as a run, so the charts show latency against offered rate.
func (r *run) searchMaxRate(ctx context.Context, drv workers.Driver, t scenarios.Target, n int) (report.MaxRateSearch, error) {
	f := r.sc.Load.FindMaxRate
	s := report.MaxRateSearch{Target: t.Name, Producers: n, Probes: []report.RateProbe{}}
	for _, b := range f.SLO() {
		s.SLO = append(s.SLO, fmt.Sprintf("%s<=%s", b.Percentile, b.Max))
	}
	r.index++
	closed := r.step(ctx, drv, t, scenarios.Step{Axis: scenarios.AxisProducers, Producers: n}, 1)
	r.res.Runs = append(r.res.Runs, closed)
	if closed.Status != report.StatusComplete || closed.ThroughputMsgsPerSec <= 0 {
		s.Note = "the closed-loop probe failed: " + closed.Error
		return s, fmt.Errorf("target %q, %d producers: closed-loop probe: %s", t.Name, n, closed.Error)
	}
	s.ClosedLoopMsgsPerSec = closed.ThroughputMsgsPerSec
	lo, hi := 0.0, closed.ThroughputMsgsPerSec
	for len(s.Probes) < f.MaxProbes {
		if ctx.Err() != nil {
			s.Note = "interrupted"
			return s, nil
		}
		rate := (lo + hi) / 2
		r.index++
		run := r.step(ctx, drv, t, scenarios.Step{Axis: scenarios.AxisRate, Producers: n, Rate: rate}, 1)
		r.res.Runs = append(r.res.Runs, run)
		p := judge(run, rate, f)
		s.Probes = append(s.Probes, p)
		if p.Pass {
			lo = rate
			s.MaxRateMsgsPerSec = rate
		} else {
			hi = rate
		}
		if hi-lo <= f.Precision*hi {
			s.Converged = true
			break
		}
	}
	if s.MaxRateMsgsPerSec == 0 {
		s.Note = fmt.Sprintf("no probed rate met the objectives; the lowest tried was %.0f msgs/s", hi)
	}
	return s, nil
}

// judge decides whether a probe sustained its rate within the objectives.
func judge(run report.Run, rate float64, f *scenarios.FindMaxRate) report.RateProbe {
	p := report.RateProbe{
		RateMsgsPerSec:     rate,
		AchievedMsgsPerSec: run.ThroughputMsgsPerSec,
		LatencyUs:          run.LatencyUs,
		Errors:             run.Errors,
	}
	var why []string
	if run.Status != report.StatusComplete {
		why = append(why, fmt.Sprintf("run %s: %s", run.Status, run.Error))
	}
	if run.ThroughputMsgsPerSec < sustainedFraction*rate {
		why = append(why, fmt.Sprintf("achieved %.1f%% of offered", 100*run.ThroughputMsgsPerSec/rate))
	}
	if run.Errors > 0 {
		why = append(why, fmt.Sprintf("%d errors", run.Errors))
	}
	got := map[string]float64{"p50": run.LatencyUs.P50, "p90": run.LatencyUs.P90, "p99": run.LatencyUs.P99, "p999": run.LatencyUs.P999}
	for _, b := range f.SLO() {
		limit := float64(b.Max.D().Microseconds())
		if v := got[b.Percentile]; v > limit {
			why = append(why, fmt.Sprintf("%s %s > %s", b.Percentile, report.FormatLatencyUs(v), b.Max))
		}
	}
	p.Pass = len(why) == 0
	p.Reason = "ok"
	if !p.Pass {
		p.Reason = strings.Join(why, "; ")
	}
	return p
}
