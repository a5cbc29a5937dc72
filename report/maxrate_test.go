package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// maxRateResult is a findMaxRate search built in code: a closed-loop run,
// then bisection probes, then the confirming probe.
func maxRateResult(t *testing.T) *result.Result {
	t.Helper()
	r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete}
	r.Scenario.Name = "maxrate"
	r.Scenario.Load.FindMaxRate = &result.FindMaxRate{P99: result.Duration(10e6)}
	hist, lat := testHistogram(t, 1_000_000, 1000)
	r.Runs = append(r.Runs, result.Run{Target: "local", Kind: "jetstream", Axis: result.AxisProducers, Producers: 1, Repeat: 1,
		Status: result.StatusComplete, DurationS: 2, Sent: 143750, Acked: 143750, ThroughputMsgsPerSec: 71875,
		LatencyUs: lat, Histogram: hist})
	s := result.MaxRateSearch{Target: "local", Producers: 1, SLO: []string{"p99<=10ms"}, ClosedLoopMsgsPerSec: 71875,
		MaxRateMsgsPerSec: 33692, HighestPassMsgsPerSec: 33692, LowestFailMsgsPerSec: 34815, Converged: true, Confirmed: true}
	for _, p := range []struct {
		rate    float64
		p99     float64
		pass    bool
		confirm bool
		late    int64
	}{
		{35938, 14000, false, false, 1500}, {17969, 2000, true, false, 0}, {26954, 4000, true, false, 0},
		{31446, 6000, true, false, 0}, {33692, 8000, true, false, 0}, {34815, 12000, false, false, 500},
		{33692, 9500, true, true, 0},
	} {
		sent := int64(2 * p.rate)
		probe := result.RateProbe{RateMsgsPerSec: p.rate, AchievedMsgsPerSec: p.rate, Pass: p.pass, Reason: "ok",
			LatencyUs: result.Percentiles{P50: p.p99 / 4, P90: p.p99 / 2, P99: p.p99, P999: p.p99 * 1.5, Max: p.p99 * 2},
			Sent:      sent, Late: p.late, Confirm: p.confirm}
		if !p.pass {
			probe.Reason = "p99 over"
		}
		s.Probes = append(s.Probes, probe)
		h, l := testHistogram(t, int64(p.p99*1000/10), 1000)
		r.Runs = append(r.Runs, result.Run{Target: "local", Kind: "jetstream", Axis: result.AxisRate, Producers: 1, Repeat: 1,
			RateMsgsPerSec: p.rate, Status: result.StatusComplete, DurationS: 2, Offered: sent, Sent: sent, Acked: sent, Late: p.late,
			ThroughputMsgsPerSec: p.rate, LatencyUs: l, Histogram: h})
	}
	r.MaxRate = []result.MaxRateSearch{s}
	r.Analysis = analysis.Analyze(r, nil) // the charts draw the analysis's steps
	return r
}

// Issue 13 item 8: the answer is given with its bracket and whether a
// second probe confirmed it, and a generator that fell behind is called out.
func TestMaxRateStatesBracketAndConfirmation(t *testing.T) {
	r := maxRateResult(t)
	var buf bytes.Buffer
	if err := WriteMaxRate(&buf, r.MaxRate); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"33692 msgs/s, confirmed by a second probe",
		"bracket: 33692 passed, 34815 failed",
		"confirm",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("findMaxRate text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "generator") {
		t.Errorf("warned about the generator with late 0.0%% at the bracket:\n%s", out)
	}

	// Late on more than 1% of the sends at the bracket: the limit may be the
	// generator's.
	r.MaxRate[0].Probes[5].Late = 1000 // 1.4% of the 69630 sends at 34815 msgs/s
	buf.Reset()
	if err := WriteMaxRate(&buf, r.MaxRate); err != nil {
		t.Fatal(err)
	}
	out = buf.String()
	if !strings.Contains(out, "the load generator fell behind its schedule") || !strings.Contains(out, "more producers") {
		t.Errorf("no generator warning:\n%s", out)
	}

	// A failed confirmation is said, with the answer it falls back to.
	s := r.MaxRate[0]
	s.Confirmed = false
	s.MaxRateMsgsPerSec, s.LowestFailMsgsPerSec, s.HighestPassMsgsPerSec = 31446, 33692, 31446
	s.Probes[len(s.Probes)-1].Pass = false
	buf.Reset()
	if err := WriteMaxRate(&buf, []result.MaxRateSearch{s}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "NOT confirmed") || !strings.Contains(out, "falls back to 31446 msgs/s") {
		t.Errorf("failed confirmation not said:\n%s", out)
	}
}
