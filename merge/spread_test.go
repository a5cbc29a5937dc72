package merge

import (
	"testing"
)

// TestResultsSpreadOverEveryAgent: the merged result's producer spread is
// made over every agent's producers, not one agent's: the analysis is
// recomputed after the runs are merged. Agent i's producers have a p99 of
// 4000+i µs, so the merged spread runs from agent 0's to agent 2's.
func TestResultsSpreadOverEveryAgent(t *testing.T) {
	g := &gen{agents: 3, steps: 2, seconds: 1, perAgent: 2, valuesPerSecond: 10}
	m, err := Results(g.parts(t))
	if err != nil {
		t.Fatal(err)
	}
	spreads := m.Analysis.ProducerSpread
	if len(spreads) != 2 {
		t.Fatalf("%d spreads, want one per run (2)", len(spreads))
	}
	for i, s := range spreads {
		n := 6 * (i + 1) // 2 producers per agent per step, times the step
		if s.Run != i || s.Producers != n || s.ThroughputMsgsPerSec.N != n || s.P99Us == nil || s.P99Us.N != n {
			t.Errorf("step %d: spread over %+v producers, want %d", i, s, n)
			continue
		}
		if s.P99Us.Min != 4000 || s.P99Us.Max != 4002 || s.SlowestP99[0].P99Us != 4002 {
			t.Errorf("step %d: p99 spread %+v, slowest %+v; want 4000 to 4002 µs", i, *s.P99Us, s.SlowestP99)
		}
	}
}
