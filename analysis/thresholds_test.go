package analysis_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

var update = flag.Bool("update", false, "rewrite golden files")

func dur(d time.Duration) *scenarios.Limit {
	return &scenarios.Limit{Duration: scenarios.Duration(d), IsDuration: true}
}

func num(v float64) *scenarios.Limit { return &scenarios.Limit{Number: v} }

func ptr(v int64) *int64 { return &v }

// fixture is a result with two targets x two producer counts; run a/4 is
// slow, and b/4 failed.
func fixture() *result.Result {
	run := func(target, kind string, producers, repeat int, p99Us, tput float64, status result.Status) result.Run {
		return result.Run{Target: target, Kind: kind, Axis: result.AxisProducers, Producers: producers, Repeat: repeat,
			Status: status, ThroughputMsgsPerSec: tput, Errors: int64(producers - 1),
			LatencyUs: result.Percentiles{P50: p99Us / 4, P90: p99Us / 2, P99: p99Us, P999: p99Us * 2, Max: p99Us * 3}}
	}
	r := &result.Result{Status: result.StatusFailed, Runs: []result.Run{
		run("a", "jetstream", 1, 1, 900, 100000, result.StatusComplete),
		run("a", "jetstream", 1, 2, 1100, 90000, result.StatusComplete),
		run("a", "jetstream", 4, 1, 25000, 40000, result.StatusComplete),
		run("b", "nats", 1, 1, 500, 300000, result.StatusComplete),
		run("b", "nats", 4, 1, 0, 0, result.StatusFailed),
	}}
	r.Runs[3].Lost = ptr(3)
	return r
}

func TestEvaluate(t *testing.T) {
	type row struct {
		target    string
		producers int
		repeat    int
		observed  float64 // -1: none
		pass      bool
		reason    string
	}
	tests := []struct {
		name string
		th   scenarios.Threshold
		want []row
	}{
		{"p99 everywhere", scenarios.Threshold{Metric: "latency.p99", Max: dur(20 * time.Millisecond)}, []row{
			{"a", 1, 1, 900, true, ""}, {"a", 1, 2, 1100, true, ""}, {"a", 4, 1, 25000, false, ""}, {"b", 1, 1, 500, true, ""},
		}},
		{"p99 one target one step", scenarios.Threshold{Metric: "latency.p99", Max: dur(time.Millisecond), Target: "a", Producers: 1}, []row{
			{"a", 1, 1, 900, true, ""}, {"a", 1, 2, 1100, false, ""},
		}},
		{"throughput min", scenarios.Threshold{Metric: "throughput", Min: num(95000), Target: "a"}, []row{
			{"a", 1, 1, 100000, true, ""}, {"a", 1, 2, 90000, false, ""}, {"a", 4, 1, 40000, false, ""},
		}},
		{"max latency", scenarios.Threshold{Metric: "latency.max", Max: dur(3 * time.Millisecond), Target: "b"}, []row{
			{"b", 1, 1, 1500, true, ""},
		}},
		{"errors", scenarios.Threshold{Metric: "errors", Max: num(0), Producers: 4}, []row{
			{"a", 4, 1, 3, false, ""},
		}},
		{"lost on jetstream is not measured", scenarios.Threshold{Metric: "lost", Max: num(5), Producers: 1}, []row{
			{"a", 1, 1, -1, false, "not measured"}, {"a", 1, 2, -1, false, "not measured"}, {"b", 1, 1, 3, true, ""},
		}},
		{"only failed runs match", scenarios.Threshold{Metric: "late", Max: num(0), Target: "b", Producers: 4}, []row{
			{"b", 4, 0, -1, false, "no completed run matched target b with 4 producers: 1 run(s) failed"},
		}},
		{"no run at all", scenarios.Threshold{Metric: "late", Max: num(0), Producers: 8}, []row{
			{"", 8, 0, -1, false, "no run matched 8 producers"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenarios.Scenario{Thresholds: []scenarios.Threshold{tt.th}}
			got := analysis.Thresholds(sc.Thresholds, fixture())
			if len(got) != len(tt.want) {
				t.Fatalf("got %d verdicts, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				obs := -1.0
				if g.Observed != nil {
					obs = *g.Observed
				}
				if g.Target != w.target || g.Producers != w.producers || g.Repeat != w.repeat || obs != w.observed ||
					g.Pass != w.pass || !strings.Contains(g.Reason, w.reason) || (w.reason == "" && g.Reason != "") {
					t.Errorf("verdict %d = %+v (observed %v), want %+v", i, g, obs, w)
				}
				if g.Metric != tt.th.Metric || g.Unit != analysis.Unit(tt.th.Metric) || g.LimitText == "" {
					t.Errorf("verdict %d header = %+v", i, g)
				}
			}
		})
	}
}

func TestEvaluateNone(t *testing.T) {
	if got := analysis.Thresholds(nil, fixture()); got != nil {
		t.Errorf("no thresholds gave %+v", got)
	}
	sc := scenarios.Scenario{Thresholds: []scenarios.Threshold{{Metric: "errors", Max: num(0)}}}
	got := analysis.Thresholds(sc.Thresholds, nil)
	if len(got) != 1 || got[0].Pass || report.FailedThresholds(got) != 1 {
		t.Errorf("nil result gave %+v", got)
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		unit string
		v    float64
		want string
	}{
		{result.UnitMicros, 1874.4, "1.87ms"},
		{result.UnitMicros, 794.123, "794.12µs"},
		{result.UnitMicros, 2_500_000, "2.5s"},
		{result.UnitMsgsPerSec, 290806.4, "290806 msgs/s"},
		{result.UnitMsgs, 3, "3"},
	}
	for _, tt := range tests {
		if got := report.FormatThresholdValue(tt.unit, tt.v); got != tt.want {
			t.Errorf("FormatValue(%s, %v) = %q, want %q", tt.unit, tt.v, got, tt.want)
		}
	}
}

func TestWriteTableGolden(t *testing.T) {
	sc := scenarios.Scenario{Thresholds: []scenarios.Threshold{
		{Metric: "latency.p99", Max: dur(20 * time.Millisecond), Target: "a"},
		{Metric: "throughput", Min: num(50000), Producers: 1},
		{Metric: "lost", Max: num(0), Target: "a", Producers: 1},
		{Metric: "errors", Max: num(0), Producers: 8},
	}}
	var buf bytes.Buffer
	if err := report.WriteThresholds(&buf, analysis.Thresholds(sc.Thresholds, fixture())); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if buf.String() != string(want) {
		t.Errorf("table =\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := report.WriteThresholds(&buf, nil); err != nil || buf.Len() != 0 {
		t.Errorf("WriteThresholds(nil) wrote %q, %v", buf.String(), err)
	}
}
