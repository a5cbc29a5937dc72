package runner

import (
	"context"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// TestRunResultCarriesItsAnalysis: the result a run returns carries its analysis, the
// threshold verdicts included (judged by the runner, not by its caller),
// and so does the partial result given to Checkpoint when the run is
// interrupted.
func TestRunResultCarriesItsAnalysis(t *testing.T) {
	srv := natstest.Start(t)
	t.Run("complete", func(t *testing.T) {
		sc := scenario(t, `
name: analysed
targets: [{name: local, kind: jetstream, url: "`+srv.URL()+`"}]
station: {name: analysed, storage: memory}
producers: {counts: [1, 2]}
load: {duration: 300ms, warmup: 100ms}
thresholds:
  - {metric: errors, max: 0}
  - {metric: throughput, min: 1000000000}
`)
		res := Run(context.Background(), sc, Options{})
		if res.Status != result.StatusComplete {
			t.Fatalf("status %s: %s", res.Status, res.Error)
		}
		a := res.Analysis
		if a == nil {
			t.Fatal("the result carries no analysis")
		}
		if len(a.Thresholds) != 4 || !a.Thresholds[0].Pass || a.Thresholds[2].Pass || a.Thresholds[2].Observed == nil {
			t.Errorf("threshold verdicts = %+v", a.Thresholds)
		}
		if len(a.Capacity) != 1 || len(a.Capacity[0].Steps) != 2 {
			t.Errorf("capacity = %+v", a.Capacity)
		}
	})
	t.Run("checkpoint", func(t *testing.T) {
		sc := scenario(t, `
name: partial
targets: [{name: local, kind: jetstream, url: "`+srv.URL()+`"}]
station: {name: partial, storage: memory}
producers: {counts: [1, 2]}
load: {duration: 30s, warmup: 100ms}
thresholds: [{metric: errors, max: 0}]
`)
		ctx, cancel := context.WithCancel(context.Background())
		var partial *result.Result
		progress := &onLoad{at: 300 * time.Millisecond, do: cancel}
		res := Run(ctx, sc, Options{Progress: progress, TickEvery: 100 * time.Millisecond,
			Checkpoint: func(r *result.Result) { partial = r }})
		if res.Status != result.StatusInterrupted || partial == nil {
			t.Fatalf("status %s, checkpoint given %v", res.Status, partial)
		}
		// The one run was interrupted: no completed run to judge, which the
		// verdict says (fail closed).
		if partial.Analysis == nil || len(partial.Analysis.Thresholds) != 1 || partial.Analysis.Thresholds[0].Pass {
			t.Errorf("partial analysis = %+v", partial.Analysis)
		}
	})
}
