package runner

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// sustainedFraction is how much of the offered rate a probe must achieve.
const sustainedFraction = result.SustainedFraction

// searchMaxRate finds the highest offered rate that the search's target
// sustains with its producers under the scenario's latency objectives.
//
// A closed-loop probe first measures the most the producers can push; no
// higher rate can be sustained, so it is the top of the bracket. bisect
// then searches below it with open-loop probes and re-probes its answer
// once. Every probe is also kept as a run, so the charts show latency
// against offered rate.
func (r *run) searchMaxRate(ctx context.Context, drv workers.Driver, search plan.Search) (result.MaxRateSearch, error) {
	f, target, n := &search.Spec, search.Closed.Target, search.Closed.Producers
	s := result.MaxRateSearch{Target: target, Producers: n, Probes: []result.RateProbe{}}
	for _, b := range f.SLO() {
		s.SLO = append(s.SLO, fmt.Sprintf("%s<=%s", b.Percentile, b.Max))
	}
	r.index++
	closed := r.step(ctx, drv, search.Closed)
	r.res.Runs = append(r.res.Runs, closed)
	if closed.Status != result.StatusComplete || closed.ThroughputMsgsPerSec <= 0 {
		s.Note = "the closed-loop probe failed: " + closed.Error
		return s, fmt.Errorf("target %q, %d producers: closed-loop probe: %s", target, n, closed.Error)
	}
	s.ClosedLoopMsgsPerSec = closed.ThroughputMsgsPerSec
	bisect(ctx, &s, f, func(ctx context.Context, rate float64) result.RateProbe {
		r.index++
		run := r.step(ctx, drv, search.Closed.AtRate(rate))
		r.res.Runs = append(r.res.Runs, run)
		return judge(run, rate, f)
	})
	return s, nil
}

// bisect searches [0, s.ClosedLoopMsgsPerSec] with probe, in whole msgs/s:
// a pass raises the bottom of the bracket, a failure lowers the top. It
// stops when the bracket is narrower than the precision times its top,
// when it cannot narrow below 1 msg/s, or when f.MaxProbes probes are
// spent. It then re-probes the highest passing rate once (one probe beyond
// f.MaxProbes). When that confirmation passes, the answer stands
// (Confirmed). When it fails, that rate becomes the bracket's failing end
// and the answer falls back to the next lower rate that passed, or to 0
// when none did; the result says so. If even the first probe fails, the
// bracket moves down; if none passes, the answer is 0 and the note says
// the lowest rate tried.
func bisect(ctx context.Context, s *result.MaxRateSearch, f *scenarios.FindMaxRate, probe func(context.Context, float64) result.RateProbe) {
	lo, hi := 0.0, math.Round(s.ClosedLoopMsgsPerSec)
	var passed []float64
	for len(s.Probes) < f.MaxProbes {
		if ctx.Err() != nil {
			s.Note = "interrupted"
			break
		}
		rate := math.Round((lo + hi) / 2)
		if rate <= lo || rate >= hi {
			s.Converged = true // the bracket is down to 1 msg/s
			break
		}
		p := probe(ctx, rate)
		s.Probes = append(s.Probes, p)
		if p.Pass {
			lo = rate
			passed = append(passed, rate)
		} else {
			hi = rate
			s.LowestFailMsgsPerSec = rate
		}
		if hi-lo <= f.Precision*hi {
			s.Converged = true
			break
		}
	}
	s.HighestPassMsgsPerSec, s.MaxRateMsgsPerSec = lo, lo
	if lo == 0 {
		s.Note = joinNote(s.Note, fmt.Sprintf("no probed rate met the objectives; the lowest tried was %.0f msgs/s", hi))
		return
	}
	if ctx.Err() != nil {
		s.Note = joinNote(s.Note, "the answer was not re-probed")
		return
	}
	c := probe(ctx, lo)
	c.Confirm = true
	s.Probes = append(s.Probes, c)
	if c.Pass {
		s.Confirmed = true
		return
	}
	// The rate found failed a second time: it is the edge, not the answer.
	s.LowestFailMsgsPerSec = lo
	s.HighestPassMsgsPerSec, s.MaxRateMsgsPerSec = 0, 0
	for _, r := range passed {
		if r < lo && r > s.MaxRateMsgsPerSec {
			s.HighestPassMsgsPerSec, s.MaxRateMsgsPerSec = r, r
		}
	}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// judge decides whether a probe sustained its rate within the objectives.
func judge(run result.Run, rate float64, f *scenarios.FindMaxRate) result.RateProbe {
	p := result.RateProbe{
		RateMsgsPerSec:     rate,
		AchievedMsgsPerSec: run.ThroughputMsgsPerSec,
		LatencyUs:          run.LatencyUs,
		Errors:             run.Errors,
		Sent:               run.Sent,
		Late:               run.Late,
	}
	var why []string
	if run.Status != result.StatusComplete {
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
