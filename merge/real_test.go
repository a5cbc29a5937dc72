package merge_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/compare"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/merge"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// TestResultsOfRealRuns merges two real runs on a real nats-server, dressed
// as the two agents of one run (the second one's producers renamed, its
// station verification left to segment 0), and renders every report and
// chart from the merged result and from its result.json read back.
func TestResultsOfRealRuns(t *testing.T) {
	srv := natstest.Start(t)
	sc, err := scenarios.Parse("agents.yaml", []byte(`
name: agents
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: agents, storage: memory}
producers: {counts: [2], maxPending: 16}
message: {size: 64}
load: {duration: 1s, warmup: 100ms, drain: 2s}
thresholds:
  - {metric: latency.p99, max: 5s}
`), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	var parts []*result.Result
	for seg := range 2 {
		r := runner.Run(context.Background(), sc, runner.Options{Version: "test", SecondHistograms: true})
		if r.Status != result.StatusComplete {
			t.Fatalf("run %d: %s: %s", seg, r.Status, r.Error)
		}
		r.Env.Agents = []result.Agent{{Segment: seg, Segments: 2, Host: fmt.Sprintf("agent-%d", seg), Version: "test", ClockOffsetUs: float64(seg * 120)}}
		for i := range r.Runs {
			run := &r.Runs[i]
			run.Producers = 4 // the step's whole count: each agent ran two of four
			for k := range run.ProducerStats {
				run.ProducerStats[k].Name = fmt.Sprintf("bench-%d", 2*seg+k+1)
			}
			if seg > 0 { // segment 0 verifies the station for every agent
				run.Stored, run.Lost, run.Duplicates = nil, nil, nil
			}
		}
		parts = append(parts, r)
	}
	parts[1].RunID = parts[0].RunID
	m, err := merge.Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != result.StatusComplete || len(m.Runs) != 1 {
		t.Fatalf("merged: %s %q, %d runs", m.Status, m.Error, len(m.Runs))
	}
	run, a, b := m.Runs[0], parts[0].Runs[0], parts[1].Runs[0]
	if run.Acked != a.Acked+b.Acked || run.Sent != a.Sent+b.Sent || len(run.ProducerStats) != 4 {
		t.Errorf("acked %d sent %d producers %d, want %d, %d, 4", run.Acked, run.Sent, len(run.ProducerStats), a.Acked+b.Acked, a.Sent+b.Sent)
	}
	// The merged histogram is the sum of the two, added here the dense way.
	sum := result.NewHistogram()
	for _, r := range []result.Run{a, b} {
		h, err := result.DecodeHistogram(r.Histogram)
		if err != nil {
			t.Fatal(err)
		}
		sum.Merge(h)
	}
	h, err := result.DecodeHistogram(run.Histogram)
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != sum.TotalCount() || h.TotalCount() != run.Acked || run.LatencyUs != result.Latency(sum) {
		t.Errorf("merged histogram: count %d latency %+v; want count %d (acked %d) latency %+v",
			h.TotalCount(), run.LatencyUs, sum.TotalCount(), run.Acked, result.Latency(sum))
	}
	var seriesAcked int64
	for _, s := range run.Series {
		seriesAcked += s.Acked
	}
	if seriesAcked != run.Acked {
		t.Errorf("series acks %d, run acks %d", seriesAcked, run.Acked)
	}
	if run.Stored == nil || *run.Stored != *a.Stored {
		t.Errorf("stored %v, want segment 0's %d", run.Stored, *a.Stored)
	}
	renderEverything(t, m)

	// And from its result.json, read back as every command reads a result.
	dir := t.TempDir()
	if err := result.WriteJSON(filepath.Join(dir, "result.json"), m); err != nil {
		t.Fatal(err)
	}
	back, err := analysis.Read(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Env.Agents) != 2 || back.Runs[0].Acked != run.Acked || !back.Runs[0].MeasuredFrom.Equal(run.MeasuredFrom) {
		t.Errorf("read back: agents %d, acked %d, measured_from %s", len(back.Env.Agents), back.Runs[0].Acked, back.Runs[0].MeasuredFrom)
	}
	renderEverything(t, back)
}

// renderEverything renders every report and chart of r, and r overlaid
// (plot) and compared (compare).
func renderEverything(t *testing.T, r *result.Result) {
	t.Helper()
	renders := map[string]func(io.Writer, *result.Result) error{
		"summary": report.Summary, "markdown": report.Markdown, "csv": report.CSV, "hgrm": report.HGRM,
		"html": report.HTML, "junit": report.JUnit, "json": result.Encode,
	}
	for name, render := range renders {
		var buf bytes.Buffer
		if err := render(&buf, r); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if buf.Len() == 0 {
			t.Errorf("%s: nothing written", name)
		}
	}
	var summary bytes.Buffer
	_ = report.Summary(&summary, r)
	if !strings.Contains(summary.String(), "largest clock offset") {
		t.Errorf("the summary does not name the largest clock offset:\n%s", summary.String())
	}
	dir := t.TempDir()
	if err := report.WriteAll(dir, r); err != nil {
		t.Fatalf("write all: %v", err)
	}
	if _, err := report.WriteHGRM(dir, r); err != nil {
		t.Errorf("hgrm files: %v", err)
	}
	charts := report.Charts(r)
	if len(charts) == 0 {
		t.Fatal("no chart")
	}
	for _, c := range charts {
		if fi, err := os.Stat(filepath.Join(dir, c.Name+".png")); err != nil || fi.Size() == 0 {
			t.Errorf("chart %s: %v", c.Name, err)
		}
	}
	// plot: overlaid with another result; compare: against itself.
	o, err := report.Overlay([]*result.Result{r, r}, []string{"a/result.json", "b/result.json"})
	if err != nil {
		t.Fatalf("overlay: %v", err)
	}
	if err := report.WriteAll(t.TempDir(), o); err != nil {
		t.Errorf("overlay charts: %v", err)
	}
	rep, err := compare.Compare(r, r, compare.DefaultOptions())
	if err != nil {
		t.Fatalf("compare: %v", err)
	}
	if err := compare.WriteText(io.Discard, rep); err != nil {
		t.Errorf("compare text: %v", err)
	}
}
