package analysis

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// histogramOf encodes a histogram of n values from baseNs upward with a
// slow tail every 50th value.
func histogramOf(t *testing.T, baseNs int64, n int) (string, result.Percentiles) {
	t.Helper()
	h := result.NewHistogram()
	for j := 0; j < n; j++ {
		v := baseNs + int64(j)*baseNs/100
		if j%50 == 49 {
			v *= 20
		}
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	s, err := result.EncodeHistogram(h)
	if err != nil {
		t.Fatal(err)
	}
	return s, result.Latency(h)
}

// TestStepsMergeRepeats: each target's step is stated once with its runs,
// the mean, lowest and highest throughput of its repeats, and the p99 of
// their histograms merged; runs that measured no throughput are left out.
func TestStepsMergeRepeats(t *testing.T) {
	r := &result.Result{Status: result.StatusComplete}
	add := func(target, axis string, n int, rate, tput float64, baseNs int64) {
		run := result.Run{Target: target, Kind: "jetstream", Axis: axis, Producers: n, RateMsgsPerSec: rate,
			Repeat: 1, Status: result.StatusComplete, ThroughputMsgsPerSec: tput}
		if tput == 0 {
			run.Status = result.StatusFailed
		} else {
			run.Histogram, run.LatencyUs = histogramOf(t, baseNs, 1000)
		}
		r.Runs = append(r.Runs, run)
	}
	add("a", result.AxisProducers, 2, 0, 300, 2_000_000) // 0
	add("a", result.AxisProducers, 1, 0, 100, 1_000_000) // 1
	add("a", result.AxisProducers, 1, 0, 140, 3_000_000) // 2: repeat of 1
	add("b", result.AxisRate, 1, 500, 490, 500_000)      // 3
	add("a", result.AxisProducers, 2, 0, 0, 0)           // 4: failed, no throughput
	add("a", result.AxisRate, 1, 500, 480, 600_000)      // 5
	add("b", result.AxisProducers, 4, 0, 900, 1_500_000) // 6
	steps := Steps(r)

	type key struct {
		target, axis string
		x            float64
		runs         []int
	}
	var got []key
	for _, s := range steps {
		got = append(got, key{s.Target, s.Axis, s.X, s.Runs})
	}
	want := []key{
		{"a", result.AxisProducers, 1, []int{1, 2}}, {"a", result.AxisProducers, 2, []int{0}},
		{"b", result.AxisProducers, 4, []int{6}},
		{"b", result.AxisRate, 500, []int{3}}, {"a", result.AxisRate, 500, []int{5}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps %+v\nwant %+v", got, want)
	}
	two := steps[0]
	if two.ThroughputMsgsPerSec != 120 || two.MinThroughputMsgsPerSec != 100 || two.MaxThroughputMsgsPerSec != 140 {
		t.Errorf("throughput %v [%v, %v], want 120 [100, 140]", two.ThroughputMsgsPerSec, two.MinThroughputMsgsPerSec, two.MaxThroughputMsgsPerSec)
	}
	merged := result.NewHistogram()
	for _, k := range two.Runs {
		h, err := result.DecodeHistogram(r.Runs[k].Histogram)
		if err != nil {
			t.Fatal(err)
		}
		merged.Merge(h)
	}
	meanP99 := (r.Runs[1].LatencyUs.P99 + r.Runs[2].LatencyUs.P99) / 2
	if want := result.Latency(merged); two.LatencyUs != want || want.P99 == meanP99 {
		t.Errorf("latency %+v, want the merged histograms' %+v (not the mean p99 %v)", two.LatencyUs, want, meanP99)
	}
	if one := steps[1]; one.LatencyUs != r.Runs[0].LatencyUs || one.ThroughputMsgsPerSec != 300 {
		t.Errorf("single-run step %+v, want run 0's own figures", one)
	}
}

// TestReadStatesSteps: a version-1 result gets its steps on reading, and so
// does a version-2 result written before the analysis stated them.
func TestReadStatesSteps(t *testing.T) {
	path := filepath.Join("..", "results", "examples", "quickstart", "result.json")
	r, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Analysis.Steps) != 4 {
		t.Fatalf("version 1: %d steps on reading, want 4", len(r.Analysis.Steps))
	}
	want := r.Analysis.Steps
	r.Analysis.Steps = nil // as this result's parent version wrote it
	v2 := filepath.Join(t.TempDir(), "result.json")
	if err := result.WriteJSON(v2, r); err != nil {
		t.Fatal(err)
	}
	got, err := Read(v2)
	if err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != result.SchemaVersion || !reflect.DeepEqual(got.Analysis.Steps, want) {
		t.Errorf("version 2 without steps: read %+v, want %+v", got.Analysis.Steps, want)
	}
	got.Analysis.Steps[0].ThroughputMsgsPerSec = 1 // stored steps are read, not computed again
	if err := result.WriteJSON(v2, got); err != nil {
		t.Fatal(err)
	}
	if again, err := Read(v2); err != nil || again.Analysis.Steps[0].ThroughputMsgsPerSec != 1 {
		t.Errorf("stored steps not read as stored: %v", err)
	}
}
