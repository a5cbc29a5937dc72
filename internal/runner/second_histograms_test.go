package runner

import (
	"context"
	"testing"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// TestSecondHistograms: with Options.SecondHistograms each second that
// received acks keeps its latency histogram, whose p99 is the second's
// p99_us; the run records the wall clock of its measured window. Without
// the option no second keeps a histogram.
func TestSecondHistograms(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, `
name: seconds
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: seconds, storage: memory}
producers: {counts: [2], maxPending: 16}
message: {size: 32}
load: {duration: 1500ms, warmup: 100ms, drain: 2s, repeat: 2}
`)
	for _, on := range []bool{true, false} {
		res := Run(context.Background(), sc, Options{Version: "test", SecondHistograms: on})
		if res.Status != result.StatusComplete {
			t.Fatalf("status %s: %s", res.Status, res.Error)
		}
		for i, run := range res.Runs {
			if run.MeasuredFrom.Before(run.StartedAt) || run.MeasuredFrom.After(res.FinishedAt) {
				t.Errorf("run %d: measured_from %s not within the run (%s .. %s)", i, run.MeasuredFrom, run.StartedAt, res.FinishedAt)
			}
			var counted int64
			for _, s := range run.Series {
				if !on {
					if s.Histogram != "" {
						t.Fatalf("run %d second %d: histogram kept without Options.SecondHistograms", i, s.Second)
					}
					continue
				}
				if s.Acked > 0 && s.Histogram == "" {
					t.Fatalf("run %d second %d: %d acks but no histogram", i, s.Second, s.Acked)
				}
				if s.Histogram == "" {
					continue
				}
				h, err := result.DecodeHistogram(s.Histogram)
				if err != nil {
					t.Fatalf("run %d second %d: %v", i, s.Second, err)
				}
				if p99 := float64(h.ValueAtQuantile(99)) / 1e3; p99 != s.P99Us {
					t.Errorf("run %d second %d: histogram p99 %.1fµs, series p99 %.1fµs", i, s.Second, p99, s.P99Us)
				}
				counted += h.TotalCount()
			}
			if on && counted != run.Acked {
				t.Errorf("run %d: per-second histograms count %d acks, the run %d", i, counted, run.Acked)
			}
		}
	}
}
