package analysis

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestProducerSpreadOfOneToTen: ten producers of 1 to 10 msgs/s give the
// spread the empirical quantile defines (the lowest value with at least
// that share of the values at or below it): p10 is the 1st value, the
// median the 5th, p90 the 9th, whatever order the records come in.
func TestProducerSpreadOfOneToTen(t *testing.T) {
	run := result.Run{Target: "local", Producers: 10, Repeat: 1, DurationS: 3}
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(10) {
		run.ProducerStats = append(run.ProducerStats, result.ProducerStats{Name: fmt.Sprintf("p-%d", i+1),
			ThroughputMsgsPerSec: float64(i + 1), LatencyUs: result.ProducerLatency{P99: float64(100 * (i + 1))}})
	}
	got := ProducerSpread(&result.Result{Runs: []result.Run{run}})
	if len(got) != 1 {
		t.Fatalf("%d spreads, want 1", len(got))
	}
	s := got[0]
	if want := (result.Quantiles{N: 10, Min: 1, P10: 1, Median: 5, P90: 9, Max: 10}); s.ThroughputMsgsPerSec != want {
		t.Errorf("msgs/s %+v, want %+v", s.ThroughputMsgsPerSec, want)
	}
	if want := (result.Quantiles{N: 10, Min: 100, P10: 100, Median: 500, P90: 900, Max: 1000}); s.P99Us == nil || *s.P99Us != want {
		t.Errorf("p99 %+v, want %+v", s.P99Us, want)
	}
	if got, want := names(s.Lowest), []string{"p-1", "p-2", "p-3", "p-4", "p-5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("lowest %v, want %v", got, want)
	}
	if got, want := names(s.Highest), []string{"p-10", "p-9", "p-8", "p-7", "p-6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("highest %v, want %v", got, want)
	}
	if got, want := names(s.SlowestP99), []string{"p-10", "p-9", "p-8", "p-7", "p-6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("highest p99 %v, want %v", got, want)
	}
	if p := s.SlowestP99[0]; p.ThroughputMsgsPerSec != 10 || p.P99Us != 1000 {
		t.Errorf("highest p99 %+v, want 10 msgs/s, 1000 µs", p)
	}
}

// TestProducerSpreadIdleAndPaused: a producer free to send that sent
// nothing is in the msgs/s spread at 0 (and named the lowest), not in the
// p99 spread (it measured no latency); one paused throughout is in
// neither. Of eleven msgs/s values 0..10, p10 is the 2nd, the median the
// 6th, p90 the 10th.
func TestProducerSpreadIdleAndPaused(t *testing.T) {
	run := result.Run{Target: "local", Producers: 12, Repeat: 1, DurationS: 3}
	run.ProducerStats = append(run.ProducerStats,
		result.ProducerStats{Name: "paused", PausedS: 3},
		result.ProducerStats{Name: "idle"})
	for i := range 10 {
		run.ProducerStats = append(run.ProducerStats, result.ProducerStats{Name: fmt.Sprintf("p-%d", i+1), PausedS: 1,
			ThroughputMsgsPerSec: float64(i + 1), LatencyUs: result.ProducerLatency{P99: float64(100 * (i + 1))}})
	}
	s := ProducerSpread(&result.Result{Runs: []result.Run{run}})[0]
	if want := (result.Quantiles{N: 11, Min: 0, P10: 1, Median: 5, P90: 9, Max: 10}); s.ThroughputMsgsPerSec != want {
		t.Errorf("msgs/s %+v, want %+v", s.ThroughputMsgsPerSec, want)
	}
	if s.Idle != 1 || s.PausedThroughout != 1 {
		t.Errorf("idle %d, paused throughout %d; want 1, 1", s.Idle, s.PausedThroughout)
	}
	if s.P99Us == nil || s.P99Us.N != 10 || s.P99Us.Min != 100 {
		t.Errorf("p99 %+v, want 10 values from 100", s.P99Us)
	}
	if got, want := names(s.Lowest), []string{"idle", "p-1", "p-2", "p-3", "p-4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("lowest %v, want %v", got, want)
	}
}

// TestProducerSpreadWhichRuns: runs of fewer than two producers free to
// send have no spread; runs without latency (no acks) have no p99 spread;
// small runs name at most half their producers at each end; spreads come
// in step order and point at their run in the result's Runs.
func TestProducerSpreadWhichRuns(t *testing.T) {
	stats := func(n int, p99 float64) []result.ProducerStats {
		var out []result.ProducerStats
		for i := range n {
			out = append(out, result.ProducerStats{Name: fmt.Sprintf("bench-%d", i+1), ThroughputMsgsPerSec: float64(10 * (i + 1)),
				LatencyUs: result.ProducerLatency{P99: p99 * float64(i+1)}})
		}
		return out
	}
	onePaused := stats(2, 100)
	onePaused[1].PausedS = 3
	r := &result.Result{Runs: []result.Run{ // repeats interleaved, as they run
		{Target: "a", Producers: 3, Repeat: 1, DurationS: 3, ProducerStats: stats(3, 100)},
		{Target: "a", Producers: 1, Repeat: 1, DurationS: 3, ProducerStats: stats(1, 100)},
		{Target: "a", Producers: 2, Repeat: 1, DurationS: 3, ProducerStats: onePaused},
		{Target: "a", Producers: 4, Repeat: 1, DurationS: 3, ProducerStats: stats(4, 0)},
		{Target: "a", Producers: 3, Repeat: 2, DurationS: 3, ProducerStats: stats(3, 100)},
	}}
	got := ProducerSpread(r)
	var at []int
	for _, s := range got {
		at = append(at, s.Run)
	}
	if want := []int{0, 4, 3}; !reflect.DeepEqual(at, want) {
		t.Fatalf("spreads of runs %v, want %v", at, want)
	}
	if s := got[0]; len(s.Lowest) != 1 || len(s.Highest) != 1 || len(s.SlowestP99) != 1 || s.Lowest[0].Name != "bench-1" ||
		s.Highest[0].Name != "bench-3" || s.ThroughputMsgsPerSec.Median != 20 {
		t.Errorf("3 producers: %+v", s)
	}
	if s := got[2]; s.P99Us != nil || s.SlowestP99 != nil || len(s.Lowest) != 2 {
		t.Errorf("no latency: p99 %+v, slowest %v, lowest %v", s.P99Us, s.SlowestP99, s.Lowest)
	}
}

// TestReadComputesSpread: a result whose analysis predates the spread gets
// it on reading, and result.json carries it.
func TestReadComputesSpread(t *testing.T) {
	r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete, Runs: []result.Run{{Target: "a",
		Producers: 2, Repeat: 1, DurationS: 1, Status: result.StatusComplete,
		ProducerStats: []result.ProducerStats{{Name: "bench-1", ThroughputMsgsPerSec: 5}, {Name: "bench-2", ThroughputMsgsPerSec: 7}}}}}
	r.Analysis = Analyze(r, nil)
	want := r.Analysis.ProducerSpread
	if len(want) != 1 || want[0].ThroughputMsgsPerSec.Max != 7 {
		t.Fatalf("spread %+v", want)
	}
	dir := t.TempDir()
	for name, spread := range map[string][]result.ProducerSpread{"with": want, "without": nil} {
		r.Analysis.ProducerSpread = spread
		path := filepath.Join(dir, name+".json")
		if err := result.WriteJSON(path, r); err != nil {
			t.Fatal(err)
		}
		back, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Analysis.ProducerSpread, want) {
			t.Errorf("%s: read %+v, want %+v", name, back.Analysis.ProducerSpread, want)
		}
	}
}

// BenchmarkProducerSpread10k spreads one run of 10,000 producers.
func BenchmarkProducerSpread10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	run := result.Run{Target: "local", Producers: 10000, Repeat: 1, DurationS: 3}
	for i := range 10000 {
		run.ProducerStats = append(run.ProducerStats, result.ProducerStats{Name: fmt.Sprintf("bench-%d", i+1),
			ThroughputMsgsPerSec: 50 + 10*rng.NormFloat64(), LatencyUs: result.ProducerLatency{P99: 1000 + 100*rng.ExpFloat64()}})
	}
	r := &result.Result{Runs: []result.Run{run}}
	b.ReportAllocs()
	for b.Loop() {
		if len(ProducerSpread(r)) != 1 {
			b.Fatal("no spread")
		}
	}
}

func names(ps []result.ProducerFigures) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
