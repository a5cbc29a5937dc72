package distributed

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/merge"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// TestMemphisAgents: two agents run a memphis scenario on the fake Memphis
// broker, meeting on another NATS server. Only segment 0 creates the
// station (the other agent's producers register with the station it
// made), the station is verified once against both agents' acks, the
// producers are bench-1 ... bench-3 across both agents, and the results
// merge.
func TestMemphisAgents(t *testing.T) {
	t.Parallel()
	broker := memphistest.Start(t, memphistest.Options{})
	control := natstest.Start(t)
	sc, err := scenarios.Parse("m.yaml", []byte(fmt.Sprintf(`
name: m
targets:
  - {name: broker, kind: memphis, host: 127.0.0.1, port: %d, password: %s}
station: {name: agents, storage: memory, cleanup: delete}
producers: {counts: [3], maxPending: 16}
message: {size: 64}
load: {duration: 400ms, warmup: 0s, drain: 2s}
`, broker.Port(), memphistest.DefaultPassword)), nil)
	if err != nil {
		t.Fatal(err)
	}
	results := make([]*result.Result, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			a, err := Join(ctx, Config{URL: control.URL(), Segment: plan.Segment{Index: i, Count: 2}, RunID: "memphis",
				Scenario: sc.Name, Version: "test", Timeout: 10 * time.Second})
			if err != nil {
				errs[i] = err
				return
			}
			defer a.Close()
			results[i] = runner.Run(ctx, sc, runner.Options{Version: "test", RunID: a.RunID(), Coordinator: a, SecondHistograms: true})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
		if r := results[i]; r.Status != result.StatusComplete {
			t.Fatalf("agent %d: %s: %s", i, r.Status, r.Error)
		}
	}
	run0, run1 := results[0].Runs[0], results[1].Runs[0]
	if run0.Stored == nil || *run0.Stored != run0.Acked+run1.Acked+run0.WarmupAcked+run1.WarmupAcked || run1.Stored != nil {
		t.Errorf("verification: segment 0 stored %v for acks %d + %d; segment 1 stored %v", run0.Stored, run0.Acked, run1.Acked, run1.Stored)
	}
	for _, n := range run1.Notes {
		if strings.Contains(n, "existed before the run") {
			t.Errorf("segment 1 treated segment 0's station as one that existed: %s", n)
		}
	}
	created, _ := broker.ProducerLog()
	want := map[string]bool{"agents/bench-1": true, "agents/bench-2": true, "agents/bench-3": true}
	for _, c := range created {
		if !want[c] {
			t.Errorf("producer %s registered; want bench-1 ... bench-3 once each", c)
		}
		delete(want, c)
	}
	if len(want) > 0 {
		t.Errorf("producers never registered: %v (registered: %v)", want, created)
	}
	m, err := merge.Results(results)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != result.StatusComplete || m.Runs[0].Acked != run0.Acked+run1.Acked {
		t.Errorf("merged: %s, acked %d", m.Status, m.Runs[0].Acked)
	}
}
