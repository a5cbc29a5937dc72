package report

import (
	"testing"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// testHistogram records n values from baseNs upward with a slow tail, so
// percentiles differ from one another.
func testHistogram(t *testing.T, baseNs int64, n int) (string, result.Percentiles) {
	t.Helper()
	h := result.NewHistogram()
	for j := 0; j < n; j++ {
		v := baseNs + int64(j)*baseNs/100
		if j%100 == 99 {
			v *= 10 // tail
		}
		if err := h.RecordValue(v); err != nil {
			t.Fatalf("record %d: %v", v, err)
		}
	}
	s, err := result.EncodeHistogram(h)
	if err != nil {
		t.Fatal(err)
	}
	return s, result.Latency(h)
}

// closedResult is a closed-loop producer sweep over two targets with two
// repeats and one failed run.
func closedResult(t *testing.T) *result.Result {
	t.Helper()
	start := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	r := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Status:        result.StatusComplete,
		StartedAt:     start,
		FinishedAt:    start.Add(5*time.Minute + 3*time.Second),
		Scenario: result.Scenario{
			Name:      "sweep",
			Targets:   []result.Target{{Name: "local", Kind: "jetstream", URL: "embedded"}},
			Station:   result.Station{Name: "bench", Storage: "file", Replicas: 1, Cleanup: "delete"},
			Producers: result.Producers{Name: "p", Counts: []int{1, 2, 4, 8}, Connections: "per-producer", Ack: "sync", MaxPending: 256},
			Message:   result.Message{Size: 1024},
			Load: result.Load{
				Duration: result.Duration(10 * time.Second), Warmup: result.Duration(2 * time.Second),
				Repeat: 2, Drain: result.Duration(5 * time.Second),
			},
		},
		Env: result.Env{
			StationbenchVersion: "test", GoVersion: "go1.26", GOOS: "linux", GOARCH: "amd64",
			GOMAXPROCS: 8, NumCPU: 8, PeakRSSBytes: 1 << 26,
			Targets: []result.TargetEnv{
				{Name: "local", Kind: "jetstream", URL: "embedded", Embedded: true, ServerVersion: "2.11.0", Transport: "tcp"},
				{Name: "remote", Kind: "jetstream", URL: "nats://broker:4222", ServerVersion: "2.10.22", Transport: "tcp"},
			},
			Method: "latency from intended send to PubAck",
		},
	}
	for ti, target := range []string{"local", "remote"} {
		for _, n := range []int{1, 2, 4, 8} {
			for rep := 1; rep <= 2; rep++ {
				base := int64(200_000*(ti+1)) * int64(n) / 2 * int64(rep+3) / 4
				hist, lat := testHistogram(t, base, 1000)
				tput := float64(20_000*n) / float64(ti+1) * (1 + 0.05*float64(rep))
				run := result.Run{
					Target: target, Kind: "jetstream", Axis: result.AxisProducers, Producers: n, Repeat: rep,
					Status: result.StatusComplete, DurationS: 10, WarmupS: 2,
					Offered: int64(tput * 10), Sent: int64(tput * 10), Acked: int64(tput * 10),
					ThroughputMsgsPerSec: tput, ThroughputBytesPerSec: tput * 1024,
					LatencyUs: lat, Histogram: hist, LatencyUncorrectedUs: lat, HistogramUncorrected: hist,
					Series: []result.Second{{Second: 0, Offered: 10, Sent: 10, Acked: 10, P99Us: lat.P99}},
				}
				if target == "remote" && n == 8 && rep == 2 {
					run = result.Run{Target: target, Kind: "jetstream", Axis: result.AxisProducers, Producers: n, Repeat: rep,
						Status: result.StatusFailed, Error: "connect: connection refused", Errors: 3}
				}
				r.Runs = append(r.Runs, run)
			}
		}
	}
	r.Analysis = analysis.Analyze(r, nil)
	return r
}

// openResult is an interrupted open-loop rate sweep on a nats target.
func openResult(t *testing.T) *result.Result {
	t.Helper()
	start := time.Date(2025, 3, 14, 16, 0, 0, 0, time.UTC)
	lost := int64(12)
	r := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Status:        result.StatusInterrupted,
		Error:         "interrupted by signal",
		StartedAt:     start,
		FinishedAt:    start.Add(42 * time.Second),
		Scenario: result.Scenario{
			Name:      "rates",
			Producers: result.Producers{Counts: []int{4}, Ack: "async"},
			Message:   result.Message{Size: 128},
			Load: result.Load{Duration: result.Duration(15 * time.Second), Warmup: result.Duration(time.Second),
				Repeat: 1, Rates: []float64{1000, 10000, 100000}},
		},
		Env: result.Env{GOMAXPROCS: 4, NumCPU: 16, Targets: []result.TargetEnv{{Name: "core", Kind: "nats", URL: "nats://127.0.0.1:4222"}}},
	}
	for i, rate := range []float64{1000, 10000, 100000} {
		hist, lat := testHistogram(t, int64(50_000*(i+1)), 500)
		run := result.Run{
			Target: "core", Kind: "nats", Axis: result.AxisRate, Producers: 4, RateMsgsPerSec: rate, Repeat: 1,
			Status: result.StatusComplete, DurationS: 15, WarmupS: 1,
			Offered: int64(rate * 15), Sent: int64(rate*15) - int64(i*100), Acked: int64(rate*15) - int64(i*100),
			Late: int64(i * 100), Lost: &lost,
			ThroughputMsgsPerSec: rate * 0.99, ThroughputBytesPerSec: rate * 0.99 * 128,
			LatencyUs: lat, Histogram: hist,
		}
		if i == 2 {
			run.Status, run.Error, run.DurationS = result.StatusInterrupted, "interrupted after 6s", 6
		}
		r.Runs = append(r.Runs, run)
	}
	r.Analysis = analysis.Analyze(r, nil)
	return r
}
