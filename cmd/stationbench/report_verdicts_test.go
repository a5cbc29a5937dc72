package main

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// verdictResult is a result with three threshold verdicts (one failed) and
// a findMaxRate answer.
func verdictResult() *result.Result {
	r := gateResult(1000, 1010)
	obs := func(v float64) *float64 { return &v }
	r.Analysis = &result.Analysis{Thresholds: []result.ThresholdVerdict{
		{Metric: "errors", Op: "max", Limit: 0, LimitText: "0", Unit: report.UnitMsgs, Target: "local", Producers: 1, Repeat: 1, Observed: obs(0), Pass: true},
		{Metric: "latency.p99", Op: "max", Limit: 20000, LimitText: "20ms", Unit: report.UnitMicros, Target: "local", Producers: 1, Repeat: 1, Observed: obs(1000), Pass: true},
		{Metric: "throughput", Op: "min", Limit: 5000, LimitText: "5000", Unit: report.UnitMsgsPerSec, Target: "local", Producers: 1, Repeat: 2, Observed: obs(1010)},
	}}
	r.MaxRate = []result.MaxRateSearch{{Target: "local", Producers: 2, SLO: []string{"p99<=10ms"}, ClosedLoopMsgsPerSec: 52000,
		MaxRateMsgsPerSec: 34593, Converged: true,
		Probes: []result.RateProbe{{RateMsgsPerSec: 34593, AchievedMsgsPerSec: 34590, Pass: true, Reason: "ok"}}}}
	return r
}

// TestReportVerdicts: threshold verdicts and the findMaxRate answer reach
// report.html (a verdict box at the top), the markdown (PR comment) and
// JUnit, not only summary.txt.
func TestReportVerdicts(t *testing.T) {
	path := writeResult(t, t.TempDir(), "result", verdictResult())
	want := []string{"thresholds: 2 of 3 passed", "throughput min 5000", "below the minimum", "2 passed: errors max 0, latency.p99 max 20ms", "34593 msgs/s", "p99&lt;=10ms"}

	code, html, errOut := runCLI("report", path, "--format", "html")
	if code != exitOK {
		t.Fatalf("html: exit %d: %s", code, errOut)
	}
	box := strings.Index(html, `class="verdicts`)
	if box < 0 || box > strings.Index(html, "<h2>Summary</h2>") {
		t.Errorf("report.html has no verdict box above the summary")
	}
	for _, w := range want {
		if i := strings.Index(html, w); i < 0 || i > strings.Index(html, "<h2>Summary</h2>") {
			t.Errorf("report.html: %q not in the verdict box", w)
		}
	}

	code, md, errOut := runCLI("report", path, "--format", "markdown")
	if code != exitOK {
		t.Fatalf("markdown: exit %d: %s", code, errOut)
	}
	for _, w := range []string{"### Verdicts", "❌ **thresholds: 2 of 3 passed**", "throughput min 5000", "below the minimum", "34593 msgs/s"} {
		if !strings.Contains(md, w) {
			t.Errorf("markdown lacks %q:\n%s", w, md)
		}
	}

	code, junit, errOut := runCLI("report", path, "--format", "junit")
	if code != exitOK {
		t.Fatalf("junit: exit %d: %s", code, errOut)
	}
	var doc report.JUnitSuites
	if err := xml.Unmarshal([]byte(junit), &doc); err != nil {
		t.Fatalf("junit: %v\n%s", err, junit)
	}
	// The run itself, three thresholds and one search.
	if doc.Tests != 5 || doc.Failures != 1 || !strings.Contains(junit, "34593 msgs/s") || !strings.Contains(junit, `message="throughput min 5000`) {
		t.Errorf("junit: tests %d failures %d, want 5 and 1:\n%s", doc.Tests, doc.Failures, junit)
	}
}
