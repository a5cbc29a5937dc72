// Package compare is stationbench's regression gate: it compares two
// results (a baseline and a new run) step by step and decides, metric by
// metric, whether the new run is worse beyond a tolerance and significantly
// so (Mann-Whitney U over the repeats, as benchstat does). It renders the
// comparison as a text table, Markdown (for a CI step summary) or JUnit XML.
package compare

import (
	"fmt"
	"math"
	"sort"

	"github.com/stationbench/stationbench/report"
)

// Defaults for Options.
const (
	DefaultMaxThroughputDrop = 0.05
	DefaultMaxLatencyRise    = 0.10
	DefaultAlpha             = 0.05
)

// Metrics compared for every step, in report order.
const (
	MetricThroughput  = "throughput"
	MetricLatencyP50  = "latency.p50"
	MetricLatencyP99  = "latency.p99"
	MetricLatencyP999 = "latency.p999"
)

// Metrics lists what is compared for every step, in order.
func Metrics() []string {
	return []string{MetricThroughput, MetricLatencyP50, MetricLatencyP99, MetricLatencyP999}
}

// Options set the gate's tolerances and significance level.
type Options struct {
	// MaxThroughputDrop is the largest tolerated fall in throughput, as a
	// fraction (0.05 is 5%).
	MaxThroughputDrop float64
	// MaxLatencyRise is the largest tolerated rise in a latency percentile,
	// as a fraction.
	MaxLatencyRise float64
	// Alpha is the significance level: a change counts only when the test's
	// p-value is at most Alpha.
	Alpha float64
	// Force compares results whose scenarios differ in ways that make the
	// comparison doubtful (message size, station, targets, acks).
	Force bool
}

// DefaultOptions are the gate's defaults: 5% throughput drop, 10% latency
// rise, alpha 0.05.
func DefaultOptions() Options {
	return Options{MaxThroughputDrop: DefaultMaxThroughputDrop, MaxLatencyRise: DefaultMaxLatencyRise, Alpha: DefaultAlpha}
}

// Validate checks the options' ranges.
func (o Options) Validate() error {
	switch {
	case o.MaxThroughputDrop < 0 || o.MaxThroughputDrop >= 1 || math.IsNaN(o.MaxThroughputDrop):
		return fmt.Errorf("max throughput drop must be 0%% to under 100%%, got %g%%", 100*o.MaxThroughputDrop)
	case o.MaxLatencyRise < 0 || math.IsNaN(o.MaxLatencyRise) || math.IsInf(o.MaxLatencyRise, 0):
		return fmt.Errorf("max latency rise must be 0%% or more, got %g%%", 100*o.MaxLatencyRise)
	case !(o.Alpha > 0 && o.Alpha < 1):
		return fmt.Errorf("alpha must be between 0 and 1, got %g", o.Alpha)
	}
	return nil
}

// Verdict is the gate's decision on one metric of one step.
type Verdict string

// Verdicts.
const (
	Same        Verdict = "ok"          // within tolerance, or not significant
	Regression  Verdict = "regression"  // worse beyond tolerance and significant
	Improvement Verdict = "improvement" // better beyond tolerance and significant
	Missing     Verdict = "missing"     // one side has no completed run of the step
)

// Key identifies one step of one target: the runs whose repeats are
// compared with each other.
type Key struct {
	Target         string  `json:"target"`
	Axis           string  `json:"axis"`
	Producers      int     `json:"producers"`
	RateMsgsPerSec float64 `json:"rate_msgs_per_sec"`
}

// Step names the step for people: "4 producers" or "2000 msgs/s (2 producers)".
func (k Key) Step() string {
	switch {
	case k.Axis == report.AxisRate:
		return fmt.Sprintf("%g msgs/s (%d producers)", k.RateMsgsPerSec, k.Producers)
	case k.RateMsgsPerSec > 0:
		return fmt.Sprintf("%d producers @ %g msgs/s", k.Producers, k.RateMsgsPerSec)
	}
	return fmt.Sprintf("%d producers", k.Producers)
}

// Comparison is one metric of one step, base against new.
type Comparison struct {
	Key    Key    `json:"key"`
	Metric string `json:"metric"`
	Unit   string `json:"unit"` // "msgs/s" or "us"
	// Base and New are the repeats' values; BaseMedian and NewMedian their
	// medians, from which Change is computed.
	Base       []float64 `json:"base"`
	New        []float64 `json:"new"`
	BaseMedian float64   `json:"base_median"`
	NewMedian  float64   `json:"new_median"`
	// Change is the relative change of the medians: 0.1 for 10% more.
	Change float64 `json:"change"`
	// Worse says whether the change is in the bad direction (less
	// throughput, more latency).
	Worse bool `json:"worse"`
	// Tolerance is the largest tolerated change in the bad direction.
	Tolerance float64 `json:"tolerance"`
	// P is the Mann-Whitney U test's two-sided p-value; Alpha the level.
	P     float64 `json:"p"`
	Alpha float64 `json:"alpha"`
	// MinP is the smallest p-value the test can give with these numbers of
	// repeats. When it is above Alpha the test can never be significant,
	// and the verdict rests on the tolerance alone (TestUsable is false).
	MinP       float64 `json:"min_p"`
	TestUsable bool    `json:"test_usable"`
	Verdict    Verdict `json:"verdict"`
	Note       string  `json:"note,omitempty"`
}

// BeyondTolerance reports whether the change is worse than tolerated.
func (c Comparison) BeyondTolerance() bool { return c.Worse && math.Abs(c.Change) > c.Tolerance }

// Significant reports whether the test rejects "same distribution".
func (c Comparison) Significant() bool { return c.TestUsable && c.P <= c.Alpha }

// Report is a whole comparison of two results.
type Report struct {
	BaseName, NewName string // how the two results are named in output (file names)
	Options           Options
	Comparisons       []Comparison
	// Notes are things a reader should know: differences forced through,
	// too few repeats, incomplete results, a changed environment.
	Notes []string
}

// Regressions counts the comparisons judged a regression.
func (r *Report) Regressions() int {
	n := 0
	for _, c := range r.Comparisons {
		if c.Verdict == Regression {
			n++
		}
	}
	return n
}

// Compare compares the new result with the base one. It refuses (with a
// *MismatchError) results whose scenarios differ in what shapes the load,
// unless o.Force is set, and then lists the differences in the notes.
func Compare(base, cur *report.Result, o Options) (*Report, error) {
	if base == nil || cur == nil {
		return nil, fmt.Errorf("compare: nil result")
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	rep := &Report{Options: o}
	if diffs := scenarioDiffs(base, cur); len(diffs) > 0 {
		if !o.Force {
			return nil, &MismatchError{Diffs: diffs}
		}
		for _, d := range diffs {
			rep.Notes = append(rep.Notes, "forced past a scenario difference: "+d)
		}
	}
	rep.Notes = append(rep.Notes, contextNotes(base, cur)...)

	bg, cg := group(base.Runs), group(cur.Runs)
	keys := unionKeys(bg, cg)
	fewer := false
	for _, k := range keys {
		for _, m := range Metrics() {
			c := compareOne(k, m, values(bg[k], m), values(cg[k], m), o)
			if c.Verdict != Missing && !c.TestUsable {
				fewer = true
			}
			rep.Comparisons = append(rep.Comparisons, c)
		}
	}
	if fewer {
		rep.Notes = append(rep.Notes, fmt.Sprintf(
			"too few repeats for the Mann-Whitney U test to ever reach alpha %g (it needs at least %d repeats a side); "+
				"those steps are judged by the tolerance alone: set load.repeat to %d or more",
			o.Alpha, repeatsNeeded(o.Alpha), repeatsNeeded(o.Alpha)))
	}
	return rep, nil
}

// compareOne judges one metric of one step.
func compareOne(k Key, metric string, base, cur []float64, o Options) Comparison {
	c := Comparison{Key: k, Metric: metric, Unit: unit(metric), Base: base, New: cur, Alpha: o.Alpha, P: 1, MinP: 1}
	c.Tolerance = o.MaxLatencyRise
	if metric == MetricThroughput {
		c.Tolerance = o.MaxThroughputDrop
	}
	switch {
	case len(base) == 0 && len(cur) == 0:
		c.Verdict, c.Note = Missing, "no completed run in either result"
		return c
	case len(base) == 0:
		c.Verdict, c.Note = Missing, "no completed run in the base result"
		return c
	case len(cur) == 0:
		c.Verdict, c.Note = Missing, "no completed run in the new result"
		return c
	}
	c.BaseMedian, c.NewMedian = median(base), median(cur)
	c.Change = change(c.BaseMedian, c.NewMedian)
	if metric == MetricThroughput {
		c.Worse = c.Change < 0
	} else {
		c.Worse = c.Change > 0
	}
	c.MinP = minP(len(base), len(cur))
	c.TestUsable = c.MinP <= o.Alpha
	var warnings []string
	c.P, warnings = uTest(base, cur, o.Alpha)
	beyond := math.Abs(c.Change) > c.Tolerance
	switch {
	case !beyond:
		c.Verdict = Same
	case !c.TestUsable:
		// The test cannot decide: the tolerance alone does.
		c.Verdict = Improvement
		if c.Worse {
			c.Verdict = Regression
		}
		c.Note = fmt.Sprintf("%d vs %d repeats: the test cannot reach alpha (smallest p %.3g); judged by tolerance alone",
			len(base), len(cur), c.MinP)
	case c.P > o.Alpha:
		c.Verdict = Same
		c.Note = fmt.Sprintf("beyond tolerance but not significant (p %.3g > %g): within the noise", c.P, o.Alpha)
	case c.Worse:
		c.Verdict = Regression
	default:
		c.Verdict = Improvement
	}
	if len(warnings) > 0 && beyond && c.TestUsable && c.Note == "" {
		c.Note = warnings[0]
	}
	return c
}

// group gathers the completed runs by target and step.
func group(runs []report.Run) map[Key][]report.Run {
	out := map[Key][]report.Run{}
	for _, r := range runs {
		if r.Status != report.StatusComplete {
			continue
		}
		k := Key{Target: r.Target, Axis: r.Axis, Producers: r.Producers, RateMsgsPerSec: r.RateMsgsPerSec}
		out[k] = append(out[k], r)
	}
	return out
}

// unionKeys lists the keys of both groupings in a stable order: by target,
// then producers, then rate.
func unionKeys(a, b map[Key][]report.Run) []Key {
	seen := map[Key]bool{}
	var keys []Key
	for _, m := range []map[Key][]report.Run{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		x, y := keys[i], keys[j]
		switch {
		case x.Target != y.Target:
			return x.Target < y.Target
		case x.Axis != y.Axis:
			return x.Axis < y.Axis
		case x.Producers != y.Producers:
			return x.Producers < y.Producers
		}
		return x.RateMsgsPerSec < y.RateMsgsPerSec
	})
	return keys
}

// values reads one metric from each run.
func values(runs []report.Run, metric string) []float64 {
	out := make([]float64, 0, len(runs))
	for _, r := range runs {
		switch metric {
		case MetricThroughput:
			out = append(out, r.ThroughputMsgsPerSec)
		case MetricLatencyP50:
			out = append(out, r.LatencyUs.P50)
		case MetricLatencyP99:
			out = append(out, r.LatencyUs.P99)
		case MetricLatencyP999:
			out = append(out, r.LatencyUs.P999)
		}
	}
	return out
}

// unit names the unit of a metric's values.
func unit(metric string) string {
	if metric == MetricThroughput {
		return "msgs/s"
	}
	return "us"
}
