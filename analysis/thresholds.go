package analysis

import (
	"fmt"
	"math"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// Thresholds checks every threshold against every completed run of r it
// selects (scenarios.Threshold.Selects: by target and producer count) and
// returns one verdict per threshold x run, in threshold order, then run
// order. A threshold that matches no completed run gets a single failing
// verdict saying why, so a gate never passes on a run that did not happen.
func Thresholds(ths []scenarios.Threshold, r *result.Result) []result.ThresholdVerdict {
	var out []result.ThresholdVerdict
	for _, th := range ths {
		out = append(out, evaluate(th, r)...)
	}
	return out
}

func evaluate(th scenarios.Threshold, r *result.Result) []result.ThresholdVerdict {
	op, limit := th.Bound()
	base := result.ThresholdVerdict{Metric: th.Metric, Op: op, Unit: Unit(th.Metric)}
	if limit == nil {
		base.Reason = "the threshold has no bound (max or min)"
		return []result.ThresholdVerdict{base}
	}
	base.Limit, base.LimitText = limit.Value(), limit.String()

	var out []result.ThresholdVerdict
	matched, incomplete := 0, 0
	if r != nil {
		for _, run := range r.Runs {
			if !th.Selects(run.Target, run.Producers) {
				continue
			}
			matched++
			if run.Status != result.StatusComplete {
				incomplete++
				continue
			}
			out = append(out, judge(base, run))
		}
	}
	if len(out) > 0 {
		return out
	}
	base.Target, base.Producers = th.Target, th.Producers
	switch {
	case matched == 0:
		base.Reason = "no run matched " + scope(th)
	default:
		base.Reason = fmt.Sprintf("no completed run matched %s: %d run(s) failed or were interrupted", scope(th), incomplete)
	}
	return []result.ThresholdVerdict{base}
}

// scope describes which runs a threshold selects.
func scope(th scenarios.Threshold) string {
	switch {
	case th.Target != "" && th.Producers != 0:
		return fmt.Sprintf("target %s with %d producers", th.Target, th.Producers)
	case th.Target != "":
		return "target " + th.Target
	case th.Producers != 0:
		return fmt.Sprintf("%d producers", th.Producers)
	}
	return "the threshold"
}

// judge compares one run's value with the bound in v.
func judge(v result.ThresholdVerdict, run result.Run) result.ThresholdVerdict {
	v.Target, v.Producers, v.RateMsgsPerSec, v.Repeat = run.Target, run.Producers, run.RateMsgsPerSec, run.Repeat
	obs, ok := observe(v.Metric, run)
	if !ok {
		v.Reason = fmt.Sprintf("%s is not measured for this run (kind %s): only nats targets with station.subscribe on count lost messages", v.Metric, run.Kind)
		if v.Metric != scenarios.MetricLost {
			v.Reason = fmt.Sprintf("%s is not a metric stationbench measures", v.Metric)
		}
		return v
	}
	v.Observed = &obs
	switch {
	case math.IsNaN(obs):
		v.Reason = "the observed value is not a number"
	case v.Op == "max":
		v.Pass = obs <= v.Limit
	case v.Op == "min":
		v.Pass = obs >= v.Limit
	}
	return v
}

// observe reads a threshold metric from a run, in the metric's Unit. It
// reports false when the run does not measure the metric.
func observe(metric string, run result.Run) (float64, bool) {
	switch metric {
	case scenarios.MetricLatencyP50:
		return run.LatencyUs.P50, true
	case scenarios.MetricLatencyP90:
		return run.LatencyUs.P90, true
	case scenarios.MetricLatencyP99:
		return run.LatencyUs.P99, true
	case scenarios.MetricLatencyP999:
		return run.LatencyUs.P999, true
	case scenarios.MetricLatencyMax:
		return run.LatencyUs.Max, true
	case scenarios.MetricThroughput:
		return run.ThroughputMsgsPerSec, true
	case scenarios.MetricErrors:
		return float64(run.Errors), true
	case scenarios.MetricLate:
		return float64(run.Late), true
	case scenarios.MetricLost:
		if run.Lost == nil {
			return 0, false
		}
		return float64(*run.Lost), true
	}
	return 0, false
}

// Unit names the unit a metric's values are in.
func Unit(metric string) string {
	switch {
	case scenarios.IsLatencyMetric(metric):
		return result.UnitMicros
	case metric == scenarios.MetricThroughput:
		return result.UnitMsgsPerSec
	}
	return result.UnitMsgs
}
