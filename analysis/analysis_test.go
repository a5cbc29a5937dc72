package analysis

import (
	"io"
	"math"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestAnalysisOfNonFiniteRunsEncodes: runs holding non-finite numbers (a
// rate over a zero-length window) still give an analysis that result.json
// can carry, so the result is never lost to its analysis.
func TestAnalysisOfNonFiniteRunsEncodes(t *testing.T) {
	delivered, lost := int64(100), int64(50)
	inf, nan := math.Inf(1), math.NaN()
	r := &result.Result{Status: result.StatusComplete}
	for i, n := range []int{1, 2, 4, 8} {
		for _, target := range []string{"a", "b"} {
			tput := float64(1000 * n)
			if i == 1 {
				tput = inf
			}
			r.Runs = append(r.Runs, result.Run{Target: target, Kind: "nats", Axis: result.AxisProducers, Producers: n, Repeat: 1,
				Status: result.StatusComplete, DurationS: 1, Sent: 100, Delivered: &delivered, Lost: &lost,
				ThroughputMsgsPerSec: tput, LatencyUs: result.Percentiles{P99: nan, Max: inf}})
		}
	}
	r.Analysis = Analyze(r, nil)
	if len(r.Analysis.DeliveryLags) == 0 || r.Analysis.Comparison == nil || len(r.Analysis.Capacity) != 2 {
		t.Fatalf("analysis = %+v", r.Analysis)
	}
	if err := result.Encode(io.Discard, r); err != nil {
		t.Fatalf("the analysis cannot be written: %v", err)
	}
}
