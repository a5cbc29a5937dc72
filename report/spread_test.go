package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// TestSpreadOfASweep: a sweep shows one spread row per run, and names the
// producers at either end only of the run with the most producers and of
// runs flagged unfair, in every format.
func TestSpreadOfASweep(t *testing.T) {
	r := &result.Result{Status: result.StatusComplete}
	for _, n := range []int{2, 4, 8, 16} {
		run := result.Run{Target: "local", Producers: n, Repeat: 1, Status: result.StatusComplete, DurationS: 3}
		var rates []float64
		for i := range n {
			rate := 100.0
			if n == 4 && i == 0 {
				rate = 1 // starved: 4 producers flagged
			}
			run.ProducerStats = append(run.ProducerStats, result.ProducerStats{Name: fmt.Sprintf("p%d-%d", n, i+1),
				ThroughputMsgsPerSec: rate, LatencyUs: result.ProducerLatency{P99: float64(1000 * (i + 1))}})
			rates = append(rates, rate)
		}
		f := analysis.Jain(rates)
		run.Fairness = &f
		r.Runs = append(r.Runs, run)
	}
	r.Analysis = analysis.Analyze(r, nil)
	for name, out := range renderReports(t, r) {
		for _, want := range []string{"fairness flagged", "p4-4 100, p4-3 100", "p4-4 4ms, p4-3 3ms",
			"most producers", "p16-16 16ms, p16-15 15ms"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in\n%s", name, want, out)
			}
		}
		for _, not := range []string{"p2-", "p8-"} {
			if strings.Contains(out, not) {
				t.Errorf("%s: names producers of a run neither flagged nor the largest (%s)", name, not)
			}
		}
	}
	v := Spread(r)
	if len(v.Rows) != 4 || len(v.Named) != 2 {
		t.Errorf("%d rows, %d runs named; want 4, 2", len(v.Rows), len(v.Named))
	}
}
