// Package analysis computes, once after a run, everything a result's
// renderers show that is derived from its runs: the capacity of each
// target's producer sweep and its Universal Scalability Law fit, the targets
// side by side, the runs whose delivery lagged, the fairness of each run and
// the producers' scores, how each run's producers spread, the figures of
// each step that the charts draw, and the verdicts of the scenario's
// thresholds. The runner stores it in the result (result.Analysis);
// renderers only render it. It is not on the hot path: workers never import it.
package analysis

import (
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// Analyze computes r's analysis, judging r's runs against thresholds (the
// scenario's). r is not modified.
func Analyze(r *result.Result, thresholds []scenarios.Threshold) *result.Analysis {
	a := derived(r)
	a.Thresholds = Thresholds(thresholds, r)
	return a
}

// derived is everything but the threshold verdicts.
func derived(r *result.Result) *result.Analysis {
	steps := Steps(r)
	return &result.Analysis{
		Capacity:       Capacity(r),
		Comparison:     comparison(steps),
		DeliveryLags:   DeliveryLags(r),
		Fairness:       Fairness(r),
		ProducerSpread: ProducerSpread(r), // spread.go
		Steps:          steps,
	}
}

// Read reads a result.json of any version this stationbench reads. A
// version-1 result, which stored no analysis, gets it computed here, with
// the threshold verdicts it stored; it then reads as this version. A
// result that lacks its analysis all the same (one not written by a run)
// gets it computed, its thresholds judged from the scenario it records; one
// whose analysis lacks the steps (written before the analysis stated them)
// gets those computed, and one whose analysis lacks the producers' spread
// (written before the analysis stated it) gets that computed.
// Every command that reads a result reads it through Read.
func Read(path string) (*result.Result, error) {
	r, err := result.ReadJSON(path)
	if err != nil {
		return nil, err
	}
	switch {
	case r.SchemaVersion < result.SchemaVersion:
		a := derived(r)
		if r.Analysis != nil {
			a.Thresholds = r.Analysis.Thresholds
		}
		r.Analysis = a
		r.SchemaVersion = result.SchemaVersion
	case r.Analysis == nil:
		r.Analysis = Analyze(r, recordedThresholds(r.Scenario))
	case r.Analysis.Steps == nil:
		// A version-2 result written before the analysis stated the steps.
		r.Analysis.Steps = Steps(r)
	}
	if r.Analysis.ProducerSpread == nil {
		// Written before the analysis stated it, or no run to spread
		// (then nil again, and cheap).
		r.Analysis.ProducerSpread = ProducerSpread(r)
	}
	return r, nil
}

// Recompute computes r's analysis from its runs, judging them against the
// thresholds r's scenario record holds: for a result that no single run
// analysed, such as the merge of a distributed run's agents (package
// merge). r is not modified.
func Recompute(r *result.Result) *result.Analysis {
	return Analyze(r, recordedThresholds(r.Scenario))
}

// recordedThresholds are the thresholds a result's scenario record holds,
// as the scenario loader's type, so that one rule (scenarios.Threshold
// Selects) judges them.
func recordedThresholds(sc result.Scenario) []scenarios.Threshold {
	limit := func(l *result.Limit) *scenarios.Limit {
		if l == nil {
			return nil
		}
		return &scenarios.Limit{Duration: scenarios.Duration(l.Duration), Number: l.Number, IsDuration: l.IsDuration}
	}
	var out []scenarios.Threshold
	for _, th := range sc.Thresholds {
		out = append(out, scenarios.Threshold{Metric: th.Metric, Max: limit(th.Max), Min: limit(th.Min),
			Target: th.Target, Producers: th.Producers})
	}
	return out
}
