package report

import (
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestChartPointsAreTheAnalysisSteps: the throughput and latency charts
// draw the steps the analysis states, in its order, and nothing else; with
// repeats a point's p99 is that of the repeats' histograms merged, not the
// mean of their p99s.
func TestChartPointsAreTheAnalysisSteps(t *testing.T) {
	r := closedResult(t) // two targets, two repeats a step, one failed run
	var got []result.StepFigures
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		for _, s := range chartDataAxis(r, axis).series {
			for _, pt := range s.points {
				mean, lo, hi, ok := pt.throughput()
				if !ok || s.target != pt.step.Target || pt.x != pt.step.X || len(pt.runs) != pt.repeats() {
					t.Errorf("%s %v: point %+v does not follow its step", s.target, pt.x, pt)
				}
				got = append(got, result.StepFigures{Target: s.target, Axis: axis, X: pt.x, Runs: pt.step.Runs,
					ThroughputMsgsPerSec: mean, MinThroughputMsgsPerSec: lo, MaxThroughputMsgsPerSec: hi, LatencyUs: pt.latency()})
			}
		}
	}
	want := r.Analysis.Steps
	if len(got) != len(want) || len(want) != 8 {
		t.Fatalf("%d chart points, %d steps; want 8 of each", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Target != w.Target || g.Axis != w.Axis || g.X != w.X || len(g.Runs) != len(w.Runs) ||
			g.ThroughputMsgsPerSec != w.ThroughputMsgsPerSec || g.MinThroughputMsgsPerSec != w.MinThroughputMsgsPerSec ||
			g.MaxThroughputMsgsPerSec != w.MaxThroughputMsgsPerSec || g.LatencyUs != w.LatencyUs {
			t.Errorf("point %d = %+v, step %+v", i, g, w)
		}
	}

	pt := chartData(r).series[0].points[3] // local, 8 producers, repeats 1 and 2
	if pt.repeats() != 2 || pt.runs[0].Repeat != 1 || pt.runs[1].Repeat != 2 {
		t.Fatalf("local 8p runs %+v", pt.runs)
	}
	merged := result.NewHistogram()
	var meanP99 float64
	for _, run := range pt.runs {
		h, err := result.DecodeHistogram(run.Histogram)
		if err != nil {
			t.Fatal(err)
		}
		merged.Merge(h)
		meanP99 += run.LatencyUs.P99 / 2
	}
	p99 := result.Latency(merged).P99
	if p99 == meanP99 {
		t.Fatalf("fixture: merged p99 %v equals the mean of the repeats' p99s; the test cannot tell them apart", p99)
	}
	if got := pt.latency().P99; got != p99 {
		t.Errorf("chart p99 at local 8p = %v, want %v (the repeats' histograms merged; their mean p99 is %v)", got, p99, meanP99)
	}
	if mean, lo, hi, _ := pt.throughput(); mean != 172000 || lo != 168000 || hi != 176000 {
		t.Errorf("chart throughput at local 8p = %v [%v, %v], want 172000 [168000, 176000]", mean, lo, hi)
	}
	remote := chartData(r).series[1].points[3] // remote, 8 producers: repeat 2 failed
	if remote.repeats() != 1 || remote.latency() != remote.runs[0].LatencyUs {
		t.Errorf("remote 8p: %d runs, latency %+v; want the one complete run's own", remote.repeats(), remote.latency())
	}
}

// TestChartOfAResultWithoutAnalysis: the charts only render the analysis;
// a result without one draws no points rather than computing them.
func TestChartOfAResultWithoutAnalysis(t *testing.T) {
	r := closedResult(t)
	r.Analysis = nil
	if c := chartData(r); len(c.series) != 0 || c.xLabel != "producers" {
		t.Errorf("chart of a result without analysis: %+v", c)
	}
	if _, err := renderFigure(throughputPlot(r), "svg"); err != nil {
		t.Error(err)
	}
}
