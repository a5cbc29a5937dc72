package report

import (
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
	"gonum.org/v1/plot"
)

// Issue 13 item 10: the percentile chart has a log latency axis.
func TestPercentileChartLogLatency(t *testing.T) {
	t.Parallel()
	p, ok := percentilePlot(closedResult(t))
	if !ok {
		t.Fatal("no percentile chart")
	}
	if _, log := p.Y.Scale.(plot.LogScale); !log {
		t.Errorf("latency axis scale %T, want plot.LogScale", p.Y.Scale)
	}
}

// The ideal scaling line stays within the plot: it is clipped to the data's
// y range with headroom, not drawn up to 16x the first point.
func TestThroughputIdealLineClipped(t *testing.T) {
	r := sweepResult("jetstream", []int{1, 2, 4, 8, 16}, one(100_000, 110_000, 112_000, 111_000, 109_000))
	r.Analysis = analysis.Analyze(r, nil) // the charts draw the analysis's steps
	p := throughputPlot(r)
	top := p.Y.Max
	for _, l := range throughputLines(r) {
		for _, xy := range l.XYs {
			if xy.Y > top {
				t.Errorf("%s reaches %.0f above the axis top %.0f", l.name, xy.Y, top)
				break
			}
		}
	}
}

// The latency-rate chart marks the rate findMaxRate found, and a
// findMaxRate result gets a chart of its probes.
func TestMaxRateCharts(t *testing.T) {
	t.Parallel()
	r := maxRateResult(t)
	var names []string
	var probes *Chart
	for _, c := range Charts(r) {
		names = append(names, c.Name)
		if strings.HasPrefix(c.Name, "maxrate") {
			probes = &c
		}
		if c.Name == "latency-rate" {
			b, err := c.Render("svg")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "findMaxRate: 33.7k msgs/s") {
				t.Errorf("latency-rate chart does not mark the rate found")
			}
		}
	}
	if probes == nil {
		t.Fatalf("charts %v: no findMaxRate probe chart", names)
	}
	b, err := probes.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	for _, want := range []string{"pass", "fail", "bracket", "confirmed", "SLO p99 10ms"} {
		if !strings.Contains(svg, want) {
			t.Errorf("probe chart lacks %q", want)
		}
	}
}

// Probe charts of searches that found nothing, or never probed, render.
func TestMaxRateChartsDegenerate(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*result.MaxRateSearch){
		"no probes": func(s *result.MaxRateSearch) {
			s.Probes = nil
			s.MaxRateMsgsPerSec, s.HighestPassMsgsPerSec, s.LowestFailMsgsPerSec = 0, 0, 0
		},
		"none pass": func(s *result.MaxRateSearch) { s.MaxRateMsgsPerSec, s.HighestPassMsgsPerSec, s.Confirmed = 0, 0, false },
		"no latency": func(s *result.MaxRateSearch) {
			s.ClosedLoopMsgsPerSec = 0
			for i := range s.Probes {
				s.Probes[i].LatencyUs = result.Percentiles{}
			}
		},
	} {
		r := maxRateResult(t)
		mod(&r.MaxRate[0])
		for _, c := range maxRateCharts(r) {
			if _, err := c.Render("png"); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
