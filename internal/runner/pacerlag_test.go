package runner

import (
	"context"
	"testing"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// TestPacerLagMergesEveryProducer runs two open-loop producers against a
// real server and checks that the run reports the pacer's lag, merged
// exactly from both producers' records (one sample per measured send), and
// that a closed-loop run of the same scenario reports none.
func TestPacerLagMergesEveryProducer(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	run := func(rate string) result.Run {
		sc := scenario(t, `
name: lag
targets:
  - {name: core, kind: nats, url: `+srv.URL()+`}
station: {name: lag, subscribe: false}
producers: {counts: [2]}
message: {size: 32}
load: {duration: 500ms, warmup: 100ms, drain: 2s`+rate+`}
`)
		res := Run(context.Background(), sc, Options{})
		if res.Status != result.StatusComplete || len(res.Runs) != 1 {
			t.Fatalf("status %s, %d runs: %s", res.Status, len(res.Runs), res.Error)
		}
		return res.Runs[0]
	}
	closed, open := run(""), run(", rate: 1000")
	if closed.PacerLagUs != nil || closed.PacerLagHistogram != "" {
		t.Errorf("closed loop reports a pacer lag: %+v", closed.PacerLagUs)
	}
	if open.PacerLagUs == nil || open.PacerLagHistogram == "" {
		t.Fatal("open loop reports no pacer lag")
	}
	h, err := result.DecodeHistogram(open.PacerLagHistogram)
	if err != nil {
		t.Fatal(err)
	}
	// One sample per measured send; a loaded machine may send fewer than
	// the 500 offered (two producers, 1000/s, 0.5 s), never more.
	if h.TotalCount() != open.Sent || open.Sent == 0 || open.Offered != 500 {
		t.Errorf("%d lag samples for %d measured sends (%d offered), want one per send, 500 offered", h.TotalCount(), open.Sent, open.Offered)
	}
	if p := open.PacerLagUs; p.P50 > p.P99 || p.P99 > p.Max {
		t.Errorf("pacer lag percentiles out of order: %+v", *p)
	}
}
