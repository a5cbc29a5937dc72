package compare

import (
	"errors"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// result builds a complete result of one target and one step, one run per
// throughput value; latencies are 1000us / throughput-relative so they
// move with it unless lat is given.
func runsOf(tput []float64, lat []float64) *result.Result {
	r := &result.Result{Status: result.StatusComplete, Scenario: result.Scenario{
		Name:      "s",
		Targets:   []result.Target{{Name: "local", Kind: "jetstream", URL: result.Embedded}},
		Station:   result.Station{Storage: "file", Replicas: 1},
		Producers: result.Producers{Ack: "async", Connections: "per-producer", MaxPending: 256},
		Message:   result.Message{Size: 128},
	}}
	for i, v := range tput {
		l := 1000.0
		if lat != nil {
			l = lat[i]
		}
		r.Runs = append(r.Runs, result.Run{Target: "local", Axis: result.AxisProducers, Producers: 1, Repeat: i + 1,
			Status: result.StatusComplete, ThroughputMsgsPerSec: v,
			LatencyUs: result.Percentiles{P50: l / 2, P99: l, P999: l * 2}})
	}
	return r
}

func find(rep *Report, metric string) Comparison {
	for _, c := range rep.Comparisons {
		if c.Metric == metric {
			return c
		}
	}
	return Comparison{}
}

func TestCompareVerdicts(t *testing.T) {
	tests := []struct {
		name      string
		base, cur *result.Result
		metric    string
		verdict   Verdict
		usable    bool
		note      string
	}{
		{"same numbers", runsOf([]float64{100, 101, 99, 100}, nil), runsOf([]float64{100, 99, 101, 100}, nil),
			MetricThroughput, Same, true, ""},
		{"big separated drop", runsOf([]float64{100, 102, 98, 101}, nil), runsOf([]float64{70, 71, 69, 72}, nil),
			MetricThroughput, Regression, true, ""},
		{"big drop within the noise", runsOf([]float64{100, 60, 140, 100}, nil), runsOf([]float64{70, 130, 65, 75}, nil),
			MetricThroughput, Same, true, "within the noise"},
		{"small separated drop", runsOf([]float64{100, 101, 102, 103}, nil), runsOf([]float64{97, 98, 98.5, 99}, nil),
			MetricThroughput, Same, true, ""},
		{"big separated rise", runsOf([]float64{100, 102, 98, 101}, nil), runsOf([]float64{170, 171, 169, 172}, nil),
			MetricThroughput, Improvement, true, ""},
		{"latency rise", runsOf([]float64{1, 1, 1, 1}, []float64{1000, 1010, 990, 1005}),
			runsOf([]float64{1, 1, 1, 1}, []float64{1500, 1400, 1450, 1600}), MetricLatencyP99, Regression, true, ""},
		{"latency within tolerance", runsOf([]float64{1, 1, 1, 1}, []float64{1000, 1010, 990, 1005}),
			runsOf([]float64{1, 1, 1, 1}, []float64{1050, 1060, 1055, 1070}), MetricLatencyP99, Same, true, ""},
		{"3 vs 3 judged by tolerance", runsOf([]float64{100, 101, 99}, nil), runsOf([]float64{70, 71, 69}, nil),
			MetricThroughput, Regression, false, "tolerance-only: 3 vs 3 repeats"},
		{"3 vs 3 within tolerance", runsOf([]float64{100, 101, 99}, nil), runsOf([]float64{98, 99, 97}, nil),
			MetricThroughput, Same, false, ""},
		{"missing in new", runsOf([]float64{100, 101, 99}, nil), runsOf(nil, nil), MetricThroughput, NotMeasured, false,
			"no completed run in the new result: not measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Compare(tt.base, tt.cur, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			c := find(rep, tt.metric)
			if c.Verdict != tt.verdict || c.TestUsable != tt.usable || !strings.Contains(c.Note, tt.note) {
				t.Errorf("%s: verdict %s usable %v note %q (change %.3f p %.4f); want %s usable %v note containing %q",
					tt.metric, c.Verdict, c.TestUsable, c.Note, c.Change, c.P, tt.verdict, tt.usable, tt.note)
			}
			wantRegressions := 0
			for _, c := range rep.Comparisons {
				if c.Verdict == Regression {
					wantRegressions++
				}
			}
			if rep.Regressions() != wantRegressions {
				t.Errorf("Regressions() = %d, want %d", rep.Regressions(), wantRegressions)
			}
		})
	}
}

func TestCompareFewRepeatsNote(t *testing.T) {
	rep, err := Compare(runsOf([]float64{1, 2, 3}, nil), runsOf([]float64{1, 2, 3}, nil), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(rep.Notes, "\n")
	if !strings.Contains(joined, "too few repeats for the Mann-Whitney U test to ever reach alpha 0.05 (it needs at least 4 completed repeats a side)") {
		t.Errorf("notes = %q", joined)
	}
}

func TestCompareMismatch(t *testing.T) {
	base, cur := runsOf([]float64{1, 2, 3, 4}, nil), runsOf([]float64{1, 2, 3, 4}, nil)
	cur.Scenario.Message.Size = 1024
	cur.Scenario.Producers.Ack = "sync"
	cur.Scenario.Targets = append(cur.Scenario.Targets, result.Target{Name: "remote", Kind: "nats", URL: "nats://h:4222"})
	_, err := Compare(base, cur, DefaultOptions())
	var me *MismatchError
	if !errors.As(err, &me) || len(me.Diffs) != 3 {
		t.Fatalf("Compare = %v, want a MismatchError with 3 differences", err)
	}
	for _, want := range []string{"message.size: 128 (base) vs 1024 (new)", "producers.ack: async (base) vs sync (new)",
		"targets: [local (jetstream, embedded)] (base) vs [local (jetstream, embedded), remote (nats, remote)] (new)", "--force"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	o := DefaultOptions()
	o.Force = true
	rep, err := Compare(base, cur, o)
	if err != nil {
		t.Fatalf("forced: %v", err)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "forced past a scenario difference: message.size") {
		t.Errorf("notes = %q", rep.Notes)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{DefaultOptions(), ""},
		{Options{MaxThroughputDrop: 1, MaxLatencyRise: 0.1, Alpha: 0.05}, "throughput drop"},
		{Options{MaxThroughputDrop: 0.1, MaxLatencyRise: -1, Alpha: 0.05}, "latency rise"},
		{Options{MaxThroughputDrop: 0.1, MaxLatencyRise: 0.1, Alpha: 0}, "alpha"},
		{Options{MaxThroughputDrop: 0.1, MaxLatencyRise: 0.1, Alpha: 1}, "alpha"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.o, err, tt.want)
		}
	}
}

func TestKeyStep(t *testing.T) {
	tests := []struct {
		k    Key
		want string
	}{
		{Key{Axis: result.AxisProducers, Producers: 4}, "4 producers"},
		{Key{Axis: result.AxisProducers, Producers: 2, RateMsgsPerSec: 500}, "2 producers @ 500 msgs/s"},
		{Key{Axis: result.AxisRate, Producers: 2, RateMsgsPerSec: 2000}, "2000 msgs/s (2 producers)"},
	}
	for _, tt := range tests {
		if got := tt.k.Step(); got != tt.want {
			t.Errorf("Step(%+v) = %q, want %q", tt.k, got, tt.want)
		}
	}
}

// TestComparePacerNoted: a run paced by spinning against a baseline paced
// by sleeping is compared (the broker is the same), with a note saying so;
// a baseline from before load.pacer existed slept.
func TestComparePacerNoted(t *testing.T) {
	base, cur := runsOf([]float64{1, 2, 3, 4}, nil), runsOf([]float64{1, 2, 3, 4}, nil)
	cur.Scenario.Load.Pacer = "spin"
	rep, err := Compare(base, cur, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(rep.Notes, "\n"); !strings.Contains(joined, "load.pacer differs: sleep (base) vs spin (new)") {
		t.Errorf("notes = %q", joined)
	}
	cur.Scenario.Load.Pacer = "sleep"
	if rep, _ := Compare(base, cur, DefaultOptions()); strings.Contains(strings.Join(rep.Notes, "\n"), "load.pacer") {
		t.Errorf("an old baseline (no pacer) against sleep is noted: %q", rep.Notes)
	}
}
