package report

import (
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// sweepResult is a closed-loop producer sweep of one target built in code:
// tputs[i] holds the msgs/s of each repeat at counts[i].
func sweepResult(kind string, counts []int, tputs [][]float64) *result.Result {
	r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete}
	r.Scenario.Name = "sweep"
	for i, n := range counts {
		for rep, v := range tputs[i] {
			r.Runs = append(r.Runs, result.Run{
				Target: "t", Kind: kind, Axis: result.AxisProducers, Producers: n, Repeat: rep + 1,
				Status: result.StatusComplete, DurationS: 3, Sent: int64(3 * v), Acked: int64(3 * v),
				ThroughputMsgsPerSec: v,
			})
		}
	}
	return r
}

func one(vs ...float64) [][]float64 {
	out := make([][]float64, len(vs))
	for i, v := range vs {
		out[i] = []float64{v}
	}
	return out
}

// Issue 13 item 6: a step is judged by what it added over the previous
// count, so core NATS's 2 -> 4 step (+60%) pays even though efficiency
// against one producer is low.
func TestCapacityJudgesEachStepByItsGain(t *testing.T) {
	r := sweepResult("nats", []int{1, 2, 4, 8}, one(1_000_000, 1_100_000, 1_760_000, 1_800_000))
	caps := analysis.Capacity(r)
	if len(caps) != 1 {
		t.Fatalf("%d analyses", len(caps))
	}
	c := caps[0]
	if c.Best != 4 || c.StopAt != 8 {
		t.Errorf("best %d, stop at %d; want 4 and 8 (2 -> 4 gained +60%%, 4 -> 8 +2.3%%)\nverdict: %s", c.Best, c.StopAt, scalingVerdict(c))
	}
	v := scalingVerdict(c)
	if strings.Contains(v, "stopped paying at 4") || !strings.Contains(v, "stopped paying after 4: 4 -> 8 added +2.3%") {
		t.Errorf("verdict %q: the +60%% step must count as paying", v)
	}
}

// The verdict never names a count as the last that paid next to a higher
// throughput measured elsewhere without saying why.
func TestCapacityVerdictExplainsThePeak(t *testing.T) {
	c := analysis.Capacity(quickstart(t))[0] // 271k, 321k, 316k, 339k
	v := scalingVerdict(c)
	if c.Best != 2 {
		t.Fatalf("best %d, want 2; verdict %q", c.Best, v)
	}
	if !strings.Contains(v, "339k msgs/s at 8") || !strings.Contains(v, "(+5.4% over 2, short of the +21.0% needed)") {
		t.Errorf("verdict %q: the most measured (339k at 8) must be stated with its gain over the answer", v)
	}
	if strings.Contains(v, "stopped paying at") {
		t.Errorf("verdict %q still says 'stopped paying at'", v)
	}
}

// Interrupted and failed steps never enter the verdict.
func TestCapacityLeavesOutUnfinishedSteps(t *testing.T) {
	r := sweepResult("jetstream", []int{1, 2, 4, 8}, one(100_000, 180_000, 250_000, 900_000))
	r.Runs[3].Status, r.Runs[3].Error = result.StatusInterrupted, "interrupted"
	r.Runs = append(r.Runs, result.Run{Target: "t", Kind: "jetstream", Axis: result.AxisProducers, Producers: 16, Repeat: 1,
		Status: result.StatusFailed, Error: "boom", ThroughputMsgsPerSec: 2_000_000})
	c := analysis.Capacity(r)[0]
	for _, st := range c.Steps {
		if st.Producers >= 8 {
			t.Errorf("step %d producers (not complete) is in the analysis: %+v", st.Producers, c.Steps)
		}
	}
	v := scalingVerdict(c)
	if c.Best != 4 || !strings.Contains(v, "left out: 8 producers (interrupted), 16 producers (failed)") {
		t.Errorf("best %d, verdict %q", c.Best, v)
	}
}

// A dip then a partial recovery does not make the recovery "pay": a step
// pays over the best count below it, so the answer is never a count that
// gives less than a smaller one (measured: capacity-sweep on a busy
// machine, 88.7k, 97.7k, 54.4k, 69.1k, 69.8k).
func TestCapacityRecoveryAfterADipDoesNotPay(t *testing.T) {
	r := sweepResult("jetstream", []int{1, 2, 4, 8, 16}, one(88_700, 97_700, 54_400, 69_100, 69_800))
	c := analysis.Capacity(r)[0]
	v := scalingVerdict(c)
	if c.Best != 2 || c.StopAt != 4 {
		t.Errorf("best %d, stop at %d; want 2 and 4\nverdict: %s", c.Best, c.StopAt, v)
	}
	if !strings.Contains(v, "4 -> 8 added +27.0%, but 8 producers gave -29.3% against 2 producers (needed +21.0%)") {
		t.Errorf("verdict %q does not explain the recovery", v)
	}
	if strings.Contains(v, "the most measured") {
		t.Errorf("verdict %q: the answer is the most measured", v)
	}
}

// An open-loop sweep at one offered rate measures that rate at every count:
// no verdict on whether adding producers paid is drawn from it (it said
// "did not pay past 1" for every target of a 2,000 msgs/s sweep).
func TestCapacityLeavesOutOpenLoopSweeps(t *testing.T) {
	r := sweepResult("jetstream", []int{1, 8}, one(2000, 2000))
	for i := range r.Runs {
		r.Runs[i].RateMsgsPerSec = 2000
	}
	if caps := analysis.Capacity(r); len(caps) != 0 {
		t.Errorf("capacity judged an open-loop sweep: %s", scalingVerdict(caps[0]))
	}
	r.Runs[0].RateMsgsPerSec = 0 // one closed-loop step: judged
	if caps := analysis.Capacity(r); len(caps) != 1 {
		t.Errorf("%d analyses of a sweep with a closed-loop step, want 1", len(caps))
	}
}
