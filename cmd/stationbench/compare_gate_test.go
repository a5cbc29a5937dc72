package main

import (
	"context"
	"encoding/xml"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// gateResult is a complete result of one closed-loop step at 1 producer on
// an embedded JetStream target, one run per throughput value.
func gateResult(tput ...float64) *result.Result {
	r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete, Runs: []result.Run{},
		Scenario: result.Scenario{
			Name:      "gate",
			Targets:   []result.Target{{Name: "local", Kind: "jetstream", URL: result.Embedded}},
			Station:   result.Station{Storage: "memory", Replicas: 1},
			Producers: result.Producers{Ack: "async", Connections: "per-producer", MaxPending: 64, Counts: []int{1}},
			Message:   result.Message{Size: 64},
			Load:      result.Load{Repeat: len(tput)},
		}}
	for i, v := range tput {
		r.Runs = append(r.Runs, result.Run{Target: "local", Kind: "jetstream", Axis: result.AxisProducers, Producers: 1,
			Repeat: i + 1, Status: result.StatusComplete, ThroughputMsgsPerSec: v,
			LatencyUs: result.Percentiles{P50: 500, P90: 800, P99: 1000, P999: 2000, Max: 3000}})
	}
	return r
}

func writeResult(t *testing.T, dir, name string, r *result.Result) string {
	t.Helper()
	path := filepath.Join(dir, name+".json")
	if err := result.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCompareFailsClosed: a comparison that compared nothing, or whose
// new or base result did not complete, fails the gate with exit 3 and a
// line saying why.
func TestCompareFailsClosed(t *testing.T) {
	dir := t.TempDir()
	base := writeResult(t, dir, "base", gateResult(100, 101, 99, 100))

	noRuns := gateResult()
	noRuns.Status, noRuns.Error = result.StatusFailed, `target "local": connect: connection refused`
	noRunsPath := writeResult(t, dir, "noruns", noRuns)

	rated := gateResult(100, 101, 99, 100)
	for i := range rated.Runs {
		rated.Runs[i].RateMsgsPerSec = 1000 // the new run used load.rate, the base did not
	}
	ratedPath := writeResult(t, dir, "rated", rated)

	interrupted := gateResult(100, 101)
	interrupted.Status, interrupted.Error = result.StatusInterrupted, "interrupted"
	interruptedPath := writeResult(t, dir, "interrupted", interrupted)

	failedBase := gateResult()
	failedBase.Status, failedBase.Error = result.StatusFailed, "connect: connection refused"
	failedBasePath := writeResult(t, dir, "failedbase", failedBase)

	tests := []struct {
		name     string
		base, in string
		want     string
	}{
		{"new failed with 0 runs", base, noRunsPath, "the new result failed"},
		{"no row matched", base, ratedPath, "no step of the new result matched the base"},
		{"new interrupted", base, interruptedPath, "the new result is interrupted"},
		{"base failed and empty", failedBasePath, base, "the base result failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI("compare", tt.base, tt.in, "--force")
			if code != exitThreshold {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitThreshold, out, errOut)
			}
			if !strings.Contains(out, tt.want) || !strings.Contains(out, "verdict: FAIL") || !strings.Contains(errOut, tt.want) {
				t.Errorf("want %q in the verdict and on stderr:\n%s\nstderr: %s", tt.want, out, errOut)
			}
		})
	}
}

// TestCompareTooFewRepeats: with one run a side the test cannot be
// significant; the verdict line says the comparison is tolerance-only and
// every metric shows its minimum detectable effect.
func TestCompareTooFewRepeats(t *testing.T) {
	dir := t.TempDir()
	base := writeResult(t, dir, "base", gateResult(100))
	slower := writeResult(t, dir, "slow", gateResult(70))
	code, out, errOut := runCLI("compare", base, slower)
	if code != exitThreshold {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitThreshold, out, errOut)
	}
	verdict := out[strings.LastIndex(out, "verdict:"):]
	if !strings.Contains(strings.ToLower(verdict), "tolerance-only") || strings.Contains(errOut, "and significant") || !strings.Contains(errOut, "tolerance-only") {
		t.Errorf("verdict line must say tolerance-only and never significant:\n%s\nstderr: %s", out, errOut)
	}
	if !strings.Contains(out, "mde") || !strings.Contains(out, "minimum detectable effect") {
		t.Errorf("no minimum detectable effect column and legend:\n%s", out)
	}
}

// TestCompareSpreadTolerance: when the test cannot decide, the default
// tolerance widens to the base's own spread, so a new run inside the
// base's noise is not a regression; an explicit flag is kept as given.
func TestCompareSpreadTolerance(t *testing.T) {
	dir := t.TempDir()
	base := writeResult(t, dir, "base", gateResult(100, 80, 120, 100))
	cur := writeResult(t, dir, "new", gateResult(88))
	code, out, errOut := runCLI("compare", base, cur)
	if code != exitOK || !strings.Contains(out, "from the base's spread") {
		t.Fatalf("exit %d, want 0 with the tolerance sized from the base's spread\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("compare", base, cur, "--max-throughput-drop", "5%")
	if code != exitThreshold {
		t.Fatalf("explicit 5%%: exit %d, want %d\n%s%s", code, exitThreshold, out, errOut)
	}
}

// TestComparePercentFlags: every percentage-like flag reads 15% and 0.15
// alike, and refuses a bare number above 1.
func TestComparePercentFlags(t *testing.T) {
	dir := t.TempDir()
	base := writeResult(t, dir, "base", gateResult(100, 101, 99, 100))
	cur := writeResult(t, dir, "new", gateResult(100, 101, 99, 100))
	for _, tt := range []struct {
		args []string
		code int
		want string // in stdout for exit 0, in stderr otherwise
	}{
		{[]string{"--max-throughput-drop", "0.15"}, exitOK, "throughput may drop 15%"},
		{[]string{"--max-throughput-drop", "15%"}, exitOK, "throughput may drop 15%"},
		{[]string{"--max-latency-rise", "0.3"}, exitOK, "latency may rise 30%"},
		{[]string{"--alpha", "5%"}, exitOK, "alpha 0.05"},
		{[]string{"--alpha", "0.01"}, exitOK, "alpha 0.01"},
		{[]string{"--max-throughput-drop", "15"}, exitUsage, `write 15% for a percentage`},
		{[]string{"--max-latency-rise", "2"}, exitUsage, `write 2% for a percentage`},
		{[]string{"--alpha", "5"}, exitUsage, `write 5% for a percentage`},
	} {
		code, out, errOut := runCLI(append([]string{"compare", base, cur}, tt.args...)...)
		got := out
		if tt.code != exitOK {
			got = errOut
		}
		if code != tt.code || !strings.Contains(got, tt.want) {
			t.Errorf("%v: exit %d, want %d and %q\n%s%s", tt.args, code, tt.code, tt.want, out, errOut)
		}
	}
}

// TestCompareFailClosedEndToEnd runs a real baseline on the embedded
// server and a new run whose target refuses connections: the new result
// has 0 runs, and the gate fails (exit 3) saying so, in every format. Not
// parallel: a parallel test's server could take the closed port.
func TestCompareFailClosedEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	srv := natstest.Start(t)
	dir := t.TempDir()
	base := measure(t, gateScenario(t, srv.URL()), dir, "base")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "nats://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	sc := gateScenario(t, refused)
	sc.Targets[0].RequestTimeout, sc.Targets[0].MaxReconnect = scenarios.Milliseconds(500*time.Millisecond), 0
	res := runner.Run(context.Background(), sc, runner.Options{Version: "test"})
	if res.Status != result.StatusFailed || len(res.Runs) != 0 {
		t.Fatalf("run against a closed port: status %s, %d runs", res.Status, len(res.Runs))
	}
	failed := filepath.Join(dir, "failed.json")
	if err := result.WriteJSON(failed, res); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI("compare", base, failed)
	if code != exitThreshold || !strings.Contains(out, "verdict: FAIL: the new result failed") ||
		!strings.Contains(out, "NOT MEASURED") || !strings.Contains(errOut, "the new result has no completed run (0 runs recorded)") {
		t.Fatalf("exit %d, want %d with the reason\n%s\nstderr: %s", code, exitThreshold, out, errOut)
	}
	t.Logf("\n%s%s", out, errOut)
	code, md, _ := runCLI("compare", base, failed, "--format", "markdown")
	if code != exitThreshold || !strings.Contains(md, "## stationbench compare: ❌ FAIL: the new result failed") {
		t.Errorf("markdown exit %d:\n%s", code, md)
	}
	code, junit, _ := runCLI("compare", base, failed, "--format", "junit")
	var doc report.JUnitSuites
	if err := xml.Unmarshal([]byte(junit), &doc); err != nil || code != exitThreshold || doc.Failures < 2 ||
		!strings.Contains(junit, `type="fail-closed"`) {
		t.Errorf("junit exit %d failures %d (%v):\n%s", code, doc.Failures, err, junit)
	}
}
