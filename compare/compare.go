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

	"github.com/stationbench/stationbench/result"
)

// Defaults for Options.
const (
	DefaultMaxThroughputDrop = 0.05
	DefaultMaxLatencyRise    = 0.10
	DefaultAlpha             = 0.05
	// Power is the chance of detecting a change the size of the minimum
	// detectable effect (see Comparison.MDE).
	Power = 0.8
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
	// WidenThroughputDrop and WidenLatencyRise widen that tolerance, on a
	// step the test cannot decide (too few repeats), to the base's own
	// spread when it is larger (see spreadTolerance). They are for default
	// tolerances; one the user chose is kept as given.
	WidenThroughputDrop bool
	WidenLatencyRise    bool
}

// DefaultOptions are the gate's defaults: 5% throughput drop, 10% latency
// rise, both widened to the base's spread where the test cannot decide,
// alpha 0.05.
func DefaultOptions() Options {
	return Options{MaxThroughputDrop: DefaultMaxThroughputDrop, MaxLatencyRise: DefaultMaxLatencyRise, Alpha: DefaultAlpha,
		WidenThroughputDrop: true, WidenLatencyRise: true}
}

// Validate checks the options' ranges.
func (o Options) Validate() error {
	switch {
	case o.MaxThroughputDrop < 0 || o.MaxThroughputDrop >= 1 || math.IsNaN(o.MaxThroughputDrop):
		return fmt.Errorf("max throughput drop must be 0%% to under 100%%, got %s", pct(o.MaxThroughputDrop))
	case o.MaxLatencyRise < 0 || math.IsNaN(o.MaxLatencyRise) || math.IsInf(o.MaxLatencyRise, 0):
		return fmt.Errorf("max latency rise must be 0%% or more, got %s", pct(o.MaxLatencyRise))
	case !(o.Alpha > 0 && o.Alpha < 1):
		return fmt.Errorf("alpha must be between 0 and 1 (0%% and 100%%), got %g", o.Alpha)
	}
	return nil
}

// Verdict is the gate's decision on one metric of one step.
type Verdict string

// Verdicts.
const (
	Same        Verdict = "ok"          // within tolerance, or not significant
	Regression  Verdict = "regression"  // worse beyond tolerance and significant (or beyond tolerance where the test cannot decide)
	Improvement Verdict = "improvement" // better beyond tolerance and significant
	Missing     Verdict = "missing"     // the base has no completed run of the step: nothing to hold the new run to
	// NotMeasured: the base measured the step but the new result has no
	// completed run of it. It fails the gate: what was not measured cannot
	// pass.
	NotMeasured Verdict = "not measured"
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
	case k.Axis == result.AxisRate:
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
	// ToleranceFromSpread says the tolerance was widened to the base's own
	// spread (the test could not decide and the tolerance was a default).
	ToleranceFromSpread bool `json:"tolerance_from_spread,omitempty"`
	// MDE is the minimum detectable effect, as a fraction of the base
	// median: the smallest change a test at Alpha would detect with
	// probability Power given the repeats' spread and counts (see mde).
	// Nil when neither side has two repeats, so there is no spread.
	MDE     *float64 `json:"mde,omitempty"`
	Verdict Verdict  `json:"verdict"`
	Note    string   `json:"note,omitempty"`
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
	// too few repeats, a changed environment.
	Notes []string
	// Failures are reasons the whole comparison fails closed, whatever the
	// rows say: a new or base result that did not complete or holds no
	// completed run, or no step the two have in common.
	Failures []string
}

// Regressions counts the comparisons judged a regression.
func (r *Report) Regressions() int {
	return r.count(func(c Comparison) bool { return c.Verdict == Regression })
}

// NotMeasured counts the comparisons of base steps the new result did not
// measure.
func (r *Report) NotMeasured() int {
	return r.count(func(c Comparison) bool { return c.Verdict == NotMeasured })
}

// Compared counts the comparisons that had numbers on both sides.
func (r *Report) Compared() int { return r.count(compared) }

// ToleranceOnly counts the compared comparisons the test could not decide
// (too few repeats), judged by the tolerance alone.
func (r *Report) ToleranceOnly() int {
	return r.count(func(c Comparison) bool { return compared(c) && !c.TestUsable })
}

// Passed reports whether the gate passes: nothing failed closed, every
// step of the base was measured again, and nothing regressed.
func (r *Report) Passed() bool {
	return len(r.Failures) == 0 && r.Regressions() == 0 && r.NotMeasured() == 0
}

func (r *Report) count(f func(Comparison) bool) int {
	n := 0
	for _, c := range r.Comparisons {
		if f(c) {
			n++
		}
	}
	return n
}

func compared(c Comparison) bool { return c.Verdict != Missing && c.Verdict != NotMeasured }

// Compare compares the new result with the base one. It refuses (with a
// *MismatchError) results whose scenarios differ in what shapes the load,
// unless o.Force is set, and then lists the differences in the notes.
func Compare(base, cur *result.Result, o Options) (*Report, error) {
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
	rep.Failures = gateFailures(base, cur, bg, cg)
	keys := unionKeys(bg, cg)
	fewer := false
	for _, k := range keys {
		for _, m := range Metrics() {
			c := compareOne(k, m, values(bg[k], m), values(cg[k], m), o)
			if compared(c) && !c.TestUsable {
				fewer = true
			}
			rep.Comparisons = append(rep.Comparisons, c)
		}
	}
	if fewer {
		rep.Notes = append(rep.Notes, fmt.Sprintf(
			"too few repeats for the Mann-Whitney U test to ever reach alpha %g (it needs at least %d completed repeats a side); "+
				"those steps are judged by the tolerance alone: a gate wants load.repeat %d or more, in both results",
			o.Alpha, repeatsNeeded(o.Alpha), repeatsNeeded(o.Alpha)))
	}
	return rep, nil
}

// compareOne judges one metric of one step.
func compareOne(k Key, metric string, base, cur []float64, o Options) Comparison {
	c := Comparison{Key: k, Metric: metric, Unit: unit(metric), Base: base, New: cur, Alpha: o.Alpha, P: 1, MinP: 1}
	widen := o.WidenLatencyRise
	c.Tolerance = o.MaxLatencyRise
	if metric == MetricThroughput {
		c.Tolerance, widen = o.MaxThroughputDrop, o.WidenThroughputDrop
	}
	switch {
	case len(base) == 0:
		c.Verdict, c.Note = Missing, "no completed run in the base result: nothing to hold it to"
		return c
	case len(cur) == 0:
		c.Verdict, c.Note = NotMeasured, "no completed run in the new result: not measured, so it cannot pass"
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
	if m, ok := mde(base, cur, o.Alpha, Power); ok {
		c.MDE = &m
	}
	if !c.TestUsable && widen {
		if t, ok := spreadTolerance(base, len(cur), o.Alpha); ok && t > c.Tolerance {
			c.Tolerance, c.ToleranceFromSpread = t, true
		}
	}
	var warnings []string
	c.P, warnings = uTest(base, cur, o.Alpha)
	beyond := math.Abs(c.Change) > c.Tolerance
	switch {
	case !c.TestUsable:
		// The test cannot decide: the tolerance alone does.
		c.Verdict = Same
		if beyond {
			c.Verdict = Improvement
			if c.Worse {
				c.Verdict = Regression
			}
		}
		if beyond || c.ToleranceFromSpread {
			c.Note = fmt.Sprintf("tolerance-only: %d vs %d repeats, the test cannot reach alpha (smallest p %.3g)",
				len(base), len(cur), c.MinP)
		}
		if c.ToleranceFromSpread {
			c.Note += fmt.Sprintf("; tolerance %.1f%% from the base's spread", 100*c.Tolerance)
		}
	case !beyond:
		c.Verdict = Same
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
func group(runs []result.Run) map[Key][]result.Run {
	out := map[Key][]result.Run{}
	for _, r := range runs {
		if r.Status != result.StatusComplete {
			continue
		}
		k := Key{Target: r.Target, Axis: r.Axis, Producers: r.Producers, RateMsgsPerSec: r.RateMsgsPerSec}
		out[k] = append(out[k], r)
	}
	return out
}

// unionKeys lists the keys of both groupings in a stable order: by target,
// then producers, then rate.
func unionKeys(a, b map[Key][]result.Run) []Key {
	seen := map[Key]bool{}
	var keys []Key
	for _, m := range []map[Key][]result.Run{a, b} {
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
func values(runs []result.Run, metric string) []float64 {
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
