package merge

import (
	"slices"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestResultsAddsPacerLag: the agents' pacer lag histograms are added
// bucket by bucket and pacer_lag_us recomputed from the sum. Agent 0's
// pacer was 10 µs late 990 times, agent 1's 2 ms late 10 times: of the
// 1,000 the 990th is 10 µs (p99) and the 999th 2 ms (p99.9), which neither
// agent's own figures show (agent 1's p99 is 2 ms, agent 0's p99.9 10 µs).
// An agent without pacer lag (idle in the step, or closed loop) adds
// nothing.
func TestResultsAddsPacerLag(t *testing.T) {
	g := &gen{agents: 3, steps: 1, seconds: 1, perAgent: 1, valuesPerSecond: 10}
	parts := g.parts(t)
	all := result.NewPacerLagHistogram()
	for seg, v := range map[int]struct {
		ns int64
		n  int64
	}{0: {10_000, 990}, 1: {2_000_000, 10}} {
		h := result.NewPacerLagHistogram()
		if err := h.RecordValues(v.ns, v.n); err != nil {
			t.Fatal(err)
		}
		_ = all.RecordValues(v.ns, v.n)
		lag := result.Latency(h)
		parts[seg].Runs[0].PacerLagUs, parts[seg].Runs[0].PacerLagHistogram = &lag, mustEncode(t, h)
	}
	m, err := Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	run := m.Runs[0]
	if run.PacerLagUs == nil || run.PacerLagHistogram == "" {
		t.Fatalf("merged run has no pacer lag: %+v, %q", run.PacerLagUs, run.PacerLagHistogram)
	}
	h, err := result.DecodeHistogram(run.PacerLagHistogram)
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != 1000 || h.LowestTrackableValue() != result.PacerLagLowestNs || h.SignificantFigures() != result.PacerLagSigFigs {
		t.Errorf("merged histogram: %d values, lowest %d, %d digits; want 1000 values of the pacer lag geometry",
			h.TotalCount(), h.LowestTrackableValue(), h.SignificantFigures())
	}
	lag := *run.PacerLagUs
	if want := result.Latency(all); lag != want {
		t.Errorf("pacer lag %+v, want (one histogram of every value) %+v", lag, want)
	}
	// Within the histogram's resolution at those values (512 ns below
	// 128 µs, 1% at 2 ms).
	within := func(got, want, res float64) bool { return got >= want && got < want+res }
	if !within(lag.P50, 10, 0.512) || !within(lag.P99, 10, 0.512) || !within(lag.P999, 2000, 20) || !within(lag.Max, 2000, 20) {
		t.Errorf("pacer lag p50 %.3f p99 %.3f p99.9 %.1f max %.1f µs; want 10, 10, 2000, 2000", lag.P50, lag.P99, lag.P999, lag.Max)
	}
}

// TestResultsPacerLagWithoutHistogram: a part with pacer lag percentiles
// but no histogram cannot be added; the merged run has no pacer lag, and a
// note says why, rather than a figure that is not the run's.
func TestResultsPacerLagWithoutHistogram(t *testing.T) {
	g := &gen{agents: 2, steps: 1, seconds: 1, perAgent: 1, valuesPerSecond: 10}
	parts := g.parts(t)
	h := result.NewPacerLagHistogram()
	_ = h.RecordValue(50_000)
	lag := result.Latency(h)
	parts[0].Runs[0].PacerLagUs, parts[0].Runs[0].PacerLagHistogram = &lag, mustEncode(t, h)
	parts[1].Runs[0].PacerLagUs = &lag
	m, err := Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	run := m.Runs[0]
	if run.PacerLagUs != nil || run.PacerLagHistogram != "" {
		t.Errorf("pacer lag %+v merged from a part without its histogram", run.PacerLagUs)
	}
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "pacer lag not merged") }) {
		t.Errorf("no note on the pacer lag: %q", run.Notes)
	}
}
