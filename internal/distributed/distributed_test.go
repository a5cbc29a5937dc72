package distributed

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/plan"
)

// joinAll joins n agents of one run on url concurrently; configure adjusts
// each agent's Config.
func joinAll(t *testing.T, url string, n int, configure func(*Config)) []*Agent {
	t.Helper()
	agents := make([]*Agent, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := Config{URL: url, Segment: plan.Segment{Index: i, Count: n}, Scenario: "t", Digest: "d", Version: "test",
				Timeout: 10 * time.Second}
			if configure != nil {
				configure(&cfg)
			}
			agents[i], errs[i] = Join(context.Background(), cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
		t.Cleanup(agents[i].Close)
	}
	return agents
}

// TestAgentsAgreeOnStart: two agents without --run-id agree on one run id;
// an agent whose clock is 200ms ahead (the test hook) measures that offset
// within half its round trip, and both agents get the same start instant
// on their own clocks, within the bound their measurements give. Segment 0
// gets the sum of both agents' counts.
func TestAgentsAgreeOnStart(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	skew := 200 * time.Millisecond
	agents := joinAll(t, srv.URL(), 2, func(c *Config) {
		c.MaxClockOffset = time.Second
		if c.Segment.Index == 1 {
			c.ClockSkew = skew
		}
	})
	if agents[0].RunID() == "" || agents[0].RunID() != agents[1].RunID() {
		t.Fatalf("run ids %q and %q", agents[0].RunID(), agents[1].RunID())
	}
	if d := (agents[1].offset - skew).Abs(); d > agents[1].rtt/2 {
		t.Errorf("agent 1 measured an offset of %s, want %s within %s", agents[1].offset, skew, agents[1].rtt/2)
	}
	starts := make([]time.Time, 2)
	counts := make([]runner.StepCounts, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			if errs[i] = a.Station(ctx, 1); errs[i] != nil {
				return
			}
			if starts[i], errs[i] = a.Ready(ctx, 1); errs[i] != nil {
				return
			}
			counts[i], errs[i] = a.Counts(ctx, 1, runner.StepCounts{Sent: int64(10 + i), Acked: int64(5 + i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
	}
	bound := agents[0].rtt/2 + agents[1].rtt/2
	if d := starts[0].Sub(starts[1]).Abs(); d > bound {
		t.Errorf("start instants differ by %s, more than the measurements' bound %s", d, bound)
	}
	if want := (runner.StepCounts{Sent: 21, Acked: 11}); counts[0] != want {
		t.Errorf("segment 0's counts %+v, want the sum %+v", counts[0], want)
	}
}

// TestMissingAgentNamed: when an agent does not report, segment 0's wait
// ends after the timeout naming it and the run, and every later barrier
// fails at once with the same cause.
func TestMissingAgentNamed(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	agents := joinAll(t, srv.URL(), 2, func(c *Config) { c.RunID = "missing"; c.Timeout = 300 * time.Millisecond })
	ctx := context.Background()
	_, err := agents[0].Counts(ctx, 1, runner.StepCounts{Sent: 1, Acked: 1})
	if err == nil || !strings.Contains(err.Error(), "agent 1/2 did not report its counts of run 1 within 300ms") {
		t.Fatalf("Counts: %v", err)
	}
	began := time.Now()
	if _, err := agents[0].Ready(ctx, 2); err == nil || !strings.Contains(err.Error(), "agent 1/2 did not report its counts of run 1") {
		t.Errorf("Ready after a lost agent: %v", err)
	}
	if took := time.Since(began); took >= 300*time.Millisecond {
		t.Errorf("Ready after a lost agent waited %s: want it to fail at once", took)
	}
}

// TestJoinRefusesReusedRunID: a run id whose segment is taken (an earlier
// run's) is refused, saying so.
func TestJoinRefusesReusedRunID(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	joinAll(t, srv.URL(), 1, func(c *Config) { c.RunID = "again" })
	_, err := Join(context.Background(), Config{URL: srv.URL(), Segment: plan.Segment{Index: 0, Count: 1}, RunID: "again", Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), `run id "again" already has an agent 0/1`) {
		t.Errorf("Join: %v", err)
	}
}

// TestAbortEndsWaits: an agent that gives up a run before its load ends
// the other agents' waits for that run at once, with its reason, and the
// agents go on together with the next run.
func TestAbortEndsWaits(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	agents := joinAll(t, srv.URL(), 2, func(c *Config) { c.RunID = "abort"; c.Timeout = 10 * time.Second })
	ctx := context.Background()
	if err := agents[1].Abort(ctx, 1, errors.New("create stream: boom")); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err := agents[0].Ready(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), "agent 1/2 gave up run 1 before its load: create stream: boom") {
		t.Fatalf("Ready: %v", err)
	}
	if took := time.Since(began); took >= 10*time.Second {
		t.Errorf("Ready waited %s for an agent that gave up", took)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = a.Station(ctx, 2); errs[i] == nil {
				_, errs[i] = a.Ready(ctx, 2)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("agent %d, run 2: %v", i, err)
		}
	}
}
