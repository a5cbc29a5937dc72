package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/distributed"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// readResult reads a result.json the test expects to exist.
func readResult(t *testing.T, path string) *result.Result {
	t.Helper()
	res, err := result.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// histogramCount is how many values an encoded histogram holds.
func histogramCount(t *testing.T, s string) int64 {
	t.Helper()
	h, err := result.DecodeHistogram(s)
	if err != nil {
		t.Fatal(err)
	}
	return h.TotalCount()
}

// TestAgentsLocalMerged: `run --agents 4` on the embedded server runs four
// agent processes that share one server; segment 0 merges their results.
// Every step's merged acknowledged count is what the station stored (one
// verification, by segment 0, against every agent's acks), the merged
// histogram holds exactly the agents' values, producer names are unique
// bench-1 ... bench-P over all agents, and an agent idle for a step says so.
func TestAgentsLocalMerged(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	file := writeScenario(t, `
name: agents
targets: [{name: local, kind: jetstream, url: embedded}]
station: {name: agents, storage: memory, reset: true, cleanup: delete}
producers: {counts: [2, 6], maxPending: 32}
message: {size: 64}
load: {duration: 600ms, warmup: 100ms, drain: 2s}
`)
	out := filepath.Join(t.TempDir(), "out")
	p := start(t, bin, "run", file, "--agents", "4", "--out", out, "--agent-timeout", "20s")
	if err := p.wait(t, 60*time.Second); err != nil {
		t.Fatalf("run --agents 4: %v\nstdout:\n%s\nstderr:\n%s", err, p.stdout.String(), p.stderr.String())
	}
	merged := readResult(t, filepath.Join(out, report.FileResult))
	if merged.Status != result.StatusComplete || len(merged.Env.Agents) != 4 {
		t.Fatalf("merged: status %s (%s), %d agents", merged.Status, merged.Error, len(merged.Env.Agents))
	}
	parts := make([]*result.Result, 4)
	for i := range parts {
		parts[i] = readResult(t, filepath.Join(out, fmt.Sprintf("agent-%d", i), report.FileResult))
		if parts[i].RunID != merged.RunID {
			t.Errorf("agent %d: run id %q, merged %q", i, parts[i].RunID, merged.RunID)
		}
	}
	if len(merged.Runs) != 2 {
		t.Fatalf("merged: %d runs, want 2", len(merged.Runs))
	}
	for k, run := range merged.Runs {
		if run.Stored == nil || run.Lost == nil {
			t.Fatalf("run %d: not verified", k)
		}
		if got := run.Acked + run.WarmupAcked; got != *run.Stored || *run.Lost != 0 || got == 0 {
			t.Errorf("run %d (%d producers): acked %d + warmup %d, the station stored %d, lost %d", k, run.Producers, run.Acked, run.WarmupAcked, *run.Stored, *run.Lost)
		}
		var sum int64
		for _, part := range parts {
			sum += histogramCount(t, part.Runs[k].Histogram)
		}
		if got := histogramCount(t, run.Histogram); got != sum || got != run.Acked {
			t.Errorf("run %d: merged histogram holds %d values, the agents' %d, acked %d", k, got, sum, run.Acked)
		}
		names := map[string]bool{}
		for _, ps := range run.ProducerStats {
			names[ps.Name] = true
		}
		for i := 1; i <= run.Producers; i++ {
			if !names["bench-"+strconv.Itoa(i)] {
				t.Errorf("run %d: no producer bench-%d in %v", k, i, names)
			}
		}
		if len(run.ProducerStats) != run.Producers {
			t.Errorf("run %d: %d producer records, want %d", k, len(run.ProducerStats), run.Producers)
		}
	}
	if notes := strings.Join(merged.Runs[0].Notes, "\n"); !strings.Contains(notes, "agent 3/4 is idle for this step") {
		t.Errorf("no note that agent 3/4 is idle for the step of 2 producers:\n%s", notes)
	}
}

// TestAgentsSegmentsAndMergeFromControl: agents started one by one with
// --segment meet on the first target's URL (the default control), and
// `merge --control --run-id` merges their results from the object store.
func TestAgentsSegmentsAndMergeFromControl(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: segments
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: segments, storage: memory, cleanup: delete}
producers: {counts: [3], maxPending: 32}
load: {duration: 400ms, warmup: 0s, drain: 2s}
`, srv.URL()))
	dir := t.TempDir()
	var ps []*process
	for i := range 2 {
		ps = append(ps, start(t, bin, "run", file, "--segment", fmt.Sprintf("%d/2", i), "--run-id", "seg-test", "--no-merge",
			"--out", filepath.Join(dir, strconv.Itoa(i)), "-q", "--agent-timeout", "20s"))
	}
	for i, p := range ps {
		if err := p.wait(t, 40*time.Second); err != nil {
			t.Fatalf("agent %d: %v\nstderr:\n%s", i, err, p.stderr.String())
		}
	}
	if keys := runKeys(t, srv.URL(), "seg-test."); len(keys) > 0 {
		t.Errorf("the run's keys were left in the control bucket: %v", keys)
	}
	out := filepath.Join(dir, "merged")
	m := start(t, bin, "merge", "--control", srv.URL(), "--run-id", "seg-test", "--out", out)
	if err := m.wait(t, 20*time.Second); err != nil {
		t.Fatalf("merge --control: %v\nstderr:\n%s", err, m.stderr.String())
	}
	merged := readResult(t, filepath.Join(out, report.FileResult))
	run := merged.Runs[0]
	if len(merged.Env.Agents) != 2 || run.Stored == nil || *run.Stored != run.Acked+run.WarmupAcked || len(run.ProducerStats) != 3 {
		t.Errorf("merged: %d agents, stored %v, acked %d, %d producers", len(merged.Env.Agents), run.Stored, run.Acked, len(run.ProducerStats))
	}
}

// TestAgentClockOffsetRefused: an agent whose clock is further from the
// control server's than --max-clock-offset refuses to run and says why,
// and the other agent fails naming it. The offset is injected with a test
// hook, not by changing the clock.
func TestAgentClockOffsetRefused(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: clock
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: clock, storage: memory, cleanup: delete}
producers: {counts: [2]}
load: {duration: 200ms, warmup: 0s}
`, srv.URL()))
	dir := t.TempDir()
	lead := start(t, bin, "run", file, "--segment", "0/2", "--run-id", "clock-test", "--out", filepath.Join(dir, "0"), "-q", "--agent-timeout", "20s")
	off := start(t, bin, "run", file, "--segment", "1/2", "--run-id", "clock-test", "--out", filepath.Join(dir, "1"), "-q",
		"--test-clock-skew", "200ms")
	if err := off.wait(t, 20*time.Second); exitCodeOf(err) != exitFailed {
		t.Fatalf("skewed agent: %v, want exit %d", err, exitFailed)
	}
	if s := off.stderr.String(); !regexp.MustCompile(`clock is [0-9.]+ms ahead of the control server's .* more than --max-clock-offset 50ms`).MatchString(s) {
		t.Errorf("skewed agent does not say why it refused:\n%s", s)
	}
	if err := lead.wait(t, 20*time.Second); exitCodeOf(err) != exitFailed {
		t.Fatalf("segment 0: %v, want exit %d", err, exitFailed)
	}
	if s := lead.stderr.String(); !strings.Contains(s, "agent 1/2") || !strings.Contains(s, "refused to run") {
		t.Errorf("segment 0 does not name the agent that refused:\n%s", s)
	}
}

// TestAgentMissingTimesOut: an agent that never comes is waited for up to
// --agent-timeout, then the run fails naming it.
func TestAgentMissingTimesOut(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: missing
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: missing, storage: memory, cleanup: delete}
producers: {counts: [2]}
`, srv.URL()))
	p := start(t, bin, "run", file, "--segment", "0/3", "--run-id", "missing-test", "--out", t.TempDir(), "-q", "--agent-timeout", "1s")
	err := p.wait(t, 20*time.Second)
	if exitCodeOf(err) != exitFailed {
		t.Fatalf("exit %v, want %d", err, exitFailed)
	}
	if s := p.stderr.String(); !strings.Contains(s, "agents 1/3, 2/3 did not join the run within 1s") {
		t.Errorf("the error does not name the missing agents:\n%s", s)
	}
}

// agentPids reads the agents' process ids from the launcher's output.
func agentPids(t *testing.T, stderr string, n int) []int {
	t.Helper()
	var pids []int
	for _, m := range regexp.MustCompile(`agent \d+/\d+: pid (\d+)`).FindAllStringSubmatch(stderr, -1) {
		pid, _ := strconv.Atoi(m[1])
		pids = append(pids, pid)
	}
	if len(pids) != n {
		t.Fatalf("%d agent pids in the launcher's output, want %d:\n%s", len(pids), n, stderr)
	}
	return pids
}

// alive reports whether a process exists.
func alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// TestAgentsInterrupt: Ctrl-C in a terminal (SIGINT to the launcher's
// whole process group) stops every agent once, through the launcher: each
// writes its partial result (a second SIGINT would make it exit at once
// without one), and none is left running once the launcher has exited.
func TestAgentsInterrupt(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: agentsint
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: agentsint, storage: memory, cleanup: delete}
producers: {counts: [2]}
load: {duration: 60s, warmup: 0s}
`, srv.URL()))
	out := filepath.Join(t.TempDir(), "out")
	p := &process{cmd: exec.Command(bin, "run", file, "--agents", "2", "--out", out, "--agent-timeout", "10s"), done: make(chan struct{})}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as a terminal's foreground job
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	streamHasMessages(t, srv.URL(), "agentsint", 1000, 30*time.Second)
	pids := agentPids(t, p.stderr.String(), 2)
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT); err != nil { // the terminal's Ctrl-C
		t.Fatal(err)
	}
	if err := p.wait(t, 30*time.Second); exitCodeOf(err) != exitFailed {
		t.Errorf("launcher: %v, want exit %d\nstderr:\n%s", err, exitFailed, p.stderr.String())
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("agent pid %d still running after the launcher exited", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for i := range 2 {
		res := readResult(t, filepath.Join(out, fmt.Sprintf("agent-%d", i), report.FileResult))
		if res.Status != result.StatusInterrupted || len(res.Runs) != 1 || res.Runs[0].Sent == 0 {
			t.Errorf("agent %d: status %s, %d runs: want its interrupted partial result with what it sent", i, res.Status, len(res.Runs))
		}
	}
}

// TestAgentKilledMidStep: an agent killed during a step fails that step
// for the whole run, naming the agent and the step, and the other agents'
// measurements are kept in their results.
func TestAgentKilledMidStep(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: killed
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: killed, storage: memory, cleanup: delete}
producers: {counts: [3]}
load: {duration: 4s, warmup: 0s, drain: 1s}
`, srv.URL()))
	out := filepath.Join(t.TempDir(), "out")
	p := start(t, bin, "run", file, "--agents", "3", "--out", out, "--agent-timeout", "3s")
	streamHasMessages(t, srv.URL(), "killed", 1000, 30*time.Second)
	pids := agentPids(t, p.stderr.String(), 3)
	if err := syscall.Kill(pids[1], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := p.wait(t, 40*time.Second)
	if exitCodeOf(err) != exitFailed {
		t.Errorf("launcher: %v, want exit %d", err, exitFailed)
	}
	lead := readResult(t, filepath.Join(out, "agent-0", report.FileResult))
	if lead.Status != result.StatusFailed || len(lead.Runs) != 1 || lead.Runs[0].Status != result.StatusFailed ||
		!strings.Contains(lead.Runs[0].Error, "agent 1/3 did not report its counts of run 1") {
		t.Errorf("segment 0: status %s, runs %d, error %q", lead.Status, len(lead.Runs), lead.Error)
	}
	if lead.Runs[0].Sent == 0 {
		t.Error("segment 0's measurements were not kept")
	}
	other := readResult(t, filepath.Join(out, "agent-2", report.FileResult))
	if len(other.Runs) != 1 || other.Runs[0].Sent == 0 {
		t.Errorf("agent 2's measurements were not kept: %+v", other.Runs)
	}
	if s := p.stdout.String() + p.stderr.String(); !strings.Contains(s, "segment 1") && !strings.Contains(s, "1/3") {
		t.Errorf("the launcher does not name the lost agent:\n%s", s)
	}
}

// runKeys lists the keys of the control bucket that start with prefix.
func runKeys(t *testing.T, url, prefix string) []string {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, distributed.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.Keys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
