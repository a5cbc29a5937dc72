//go:build unix

package runner

import (
	"syscall"
	"testing"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// TestRunRaisesTheOpenFileLimit lowers this process's soft limit below what
// a step needs and runs it: the runner raises the limit before it starts.
// Not parallel: it changes the process's limit.
func TestRunRaisesTheOpenFileLimit(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skip("no open-file limit here:", err)
	}
	need, _ := filesNeeded(plan.Target{Target: scenarios.Target{URL: "embedded"},
		Entries: []plan.Entry{{Step: &plan.Step{Step: scenarios.Step{Producers: 40}}}}})
	if old.Max < need {
		t.Skipf("hard limit %d is below the %d files the test needs", old.Max, need)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: need - 10, Max: old.Max}); err != nil {
		t.Skip("cannot lower the soft limit:", err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
	sc := scenario(t, `
name: files
targets:
  - {name: core, kind: nats, url: embedded}
station: {name: files}
producers: {counts: [40]}
message: {size: 32}
load: {duration: 200ms, warmup: 0s, rate: 400, drain: 1s}
`)
	res := Run(t.Context(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("run %s: %s", res.Status, res.Error)
	}
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil || now.Cur < need {
		t.Errorf("soft limit %d after the run, want at least %d (%v)", now.Cur, need, err)
	}
}
