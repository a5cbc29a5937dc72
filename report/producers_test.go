package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

func TestJain(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"equal shares", []float64{5, 5, 5, 5}, 1},
		{"one has everything of 4", []float64{8, 0, 0, 0}, 0.25},
		{"one has everything of 10", []float64{0, 0, 3, 0, 0, 0, 0, 0, 0, 0}, 0.1},
		{"single producer", []float64{7}, 1},
		{"none", nil, 1},
		{"all zero", []float64{0, 0}, 1},
		{"one throttled to half", []float64{10, 10, 10, 5}, 35.0 * 35 / (4 * 325)},
	} {
		if got := analysis.Jain(tc.xs); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: analysis.Jain(%v) = %v, want %v", tc.name, tc.xs, got, tc.want)
		}
	}
	if j := analysis.Jain([]float64{10, 10, 10, 5}); j >= 1 || j < analysis.FairnessFlag {
		t.Errorf("one of four at half speed: %v, want just below 1", j)
	}
}

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name         string
		sent, errors int64
		p99, refUs   float64
		want         float64
	}{
		{"perfect", 1000, 0, 900, 1000, 10},
		{"at the reference", 1000, 0, 1000, 1000, 10},
		{"twice the reference", 1000, 0, 2000, 1000, 5},
		{"ten times the reference", 1000, 0, 10000, 1000, 1},
		{"1% errors", 1000, 10, 500, 1000, 9},
		{"10% errors", 1000, 100, 500, 1000, 0},
		{"more errors than sent", 10, 50, 500, 1000, 0},
		{"errors and slow", 1000, 50, 4000, 1000, 1.3},
		{"no latency measured", 1000, 0, 0, 1000, 10},
		{"no reference", 1000, 0, 5000, 0, 10},
		{"nothing sent, errors", 0, 3, 0, 1000, 0},
		{"nothing at all", 0, 0, 0, 0, 0},
	} {
		if got := analysis.Score(tc.sent, tc.errors, tc.p99, tc.refUs); got != tc.want {
			t.Errorf("%s: Score = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if m := analysis.Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("odd: %v", m)
	}
	if m := analysis.Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
	if m := analysis.Median(nil); m != 0 {
		t.Errorf("none: %v", m)
	}
}

func TestReportsShowLabelsAndFairness(t *testing.T) {
	low, high := 0.62, 0.99
	r := &result.Result{Status: result.StatusComplete, Labels: map[string]string{"git": "abc123", "cluster": "east"},
		Trace: &result.TraceSummary{File: "trace.jsonl", Events: 12, Dropped: 1},
		Runs: []result.Run{
			{Target: "local", Producers: 3, Repeat: 1, Status: result.StatusComplete, Fairness: &low, ProducerStats: []result.ProducerStats{
				{Name: "bench-1", ThroughputMsgsPerSec: 1000}, {Name: "bench-2", ThroughputMsgsPerSec: 100}, {Name: "bench-3", ThroughputMsgsPerSec: 900},
			}, Phases: []result.PhaseEvent{{AtS: 1.01, PlannedS: 1, Action: "pause", Producers: []string{"bench-1"}}}},
			{Target: "local", Producers: 1, Repeat: 1, Status: result.StatusComplete, Fairness: &high},
		}}
	r.Analysis = analysis.Analyze(r, nil)
	for name, out := range renderReports(t, r) {
		for _, want := range []string{"cluster=east, git=abc123", "fairness 0.620", "slowest: bench-2 100 msgs/s, bench-3 900 msgs/s",
			"fairness 0.990", "pause bench-1 at 1.01s", "trace.jsonl: 12 events, 1 dropped"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in\n%s", name, want, out)
			}
		}
		if strings.Contains(out, "fairness 0.990 <") {
			t.Errorf("%s: a fair run is flagged", name)
		}
	}
}

// TestReportsStayReadableWithManyProducers renders a run of 10,000
// producers, half of them starved and one with a high p99: the reports show
// the spread (one row, not 10,000) and name only the few producers at
// either end (analysis.SlowestShown in the fairness line,
// analysis.SpreadShown per end of the spread) and stay short, while
// result.json keeps every producer's record.
func TestReportsStayReadableWithManyProducers(t *testing.T) {
	const n = 10000
	ps := make([]result.ProducerStats, n)
	for i := range ps {
		ps[i] = result.ProducerStats{Name: fmt.Sprintf("bench-%d", i+1), Sent: 100, Acked: 100, ThroughputMsgsPerSec: 20,
			LatencyUs: result.ProducerLatency{P50: 300, P99: 900, Max: 1200}}
	}
	for i := range n / 2 {
		ps[i].ThroughputMsgsPerSec = 1 // half of them starved: flagged
	}
	ps[n-1].LatencyUs.P99 = 50000 // one slow producer
	low := analysis.Jain(func() []float64 {
		xs := make([]float64, n)
		for i := range ps {
			xs[i] = ps[i].ThroughputMsgsPerSec
		}
		return xs
	}())
	r := &result.Result{Status: result.StatusComplete, Runs: []result.Run{{Target: "local", Producers: n, Repeat: 1,
		Status: result.StatusComplete, Fairness: &low, ProducerStats: ps}}}
	r.Analysis = analysis.Analyze(r, nil)
	for name, out := range renderReports(t, r) {
		if named, most := strings.Count(out, "bench-"), analysis.SlowestShown+3*analysis.SpreadShown; named > most {
			t.Errorf("%s: %d producers named, want at most %d", name, named, most)
		}
		if len(out) > 256<<10 {
			t.Errorf("%s: %d bytes for one run", name, len(out))
		}
		// The spread: msgs/s 1 (half the producers) up to 20, p99 900µs
		// but for bench-10000, named at the top of the highest p99s; the
		// starved bench-1... lowest, bench-10000... highest.
		for _, want := range []string{"10000", "900µs", "50ms", "bench-10000 50ms", "bench-1 1, bench-2 1, bench-3 1, bench-4 1, bench-5 1",
			"bench-10000 20, bench-9999 20, bench-9998 20, bench-9997 20, bench-9996 20"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in the spread", name, want)
			}
		}
		if name == "text" {
			if lines := strings.Count(out, "\n"); lines > 30 {
				t.Errorf("text: %d lines for one run:\n%s", lines, out)
			}
			// min, p10, median (the 5000th of 10,000: still a starved
			// one) and p90, max; then the p99s.
			if !regexp.MustCompile(`(?m)^  local +10000 +1 +1 +1 +20 +20 +900µs +900µs +900µs +900µs +50ms$`).MatchString(out) {
				t.Errorf("text: no spread row for the run in\n%s", out)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := result.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	back, err := result.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(back.Runs[0].ProducerStats); got != n {
		t.Errorf("result.json keeps %d producers, want %d", got, n)
	}
}

// renderReports renders r as the text summary, markdown and HTML, by name.
func renderReports(t *testing.T, r *result.Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, render := range map[string]func(io.Writer, *result.Result) error{"text": Summary, "markdown": Markdown, "html": HTML} {
		var b bytes.Buffer
		if err := render(&b, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.String()
	}
	return out
}
