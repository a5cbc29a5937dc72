package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// TestSecondInterruptExitsAtOnceWhenSIGINTIgnored: a script that starts
// stationbench in the background starts it with SIGINT ignored. The first
// Ctrl-C must still stop the run and write the partial result before
// cleanup, on a frozen broker; the second must exit at once.
func TestSecondInterruptExitsAtOnceWhenSIGINTIgnored(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	url, broker := startBroker(t, bin)
	file := writeScenario(t, fmt.Sprintf(`
name: frozen
targets: [{name: stalled, kind: jetstream, url: %q, timeoutMs: 60000}]
station: {name: frozen, storage: memory, cleanup: delete}
producers: {counts: [1]}
load: {duration: 60s, warmup: 100ms, drain: 60s}
`, url))
	out := filepath.Join(t.TempDir(), "out")
	// sh ignores SIGINT, then becomes stationbench, which inherits that.
	p := start(t, "/bin/sh", "-c", `trap "" INT; exec "$0" "$@"`, bin, "run", file, "--out", out, "-q")
	streamHasMessages(t, url, "frozen", 100, 30*time.Second)
	if err := broker.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// The partial result comes before cleanup, which the frozen broker
	// would hold up.
	path := filepath.Join(out, report.FileResult)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Since(first) > 10*time.Second {
			t.Fatalf("no partial result 10s after Ctrl-C\nstderr:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("partial result %s after the first SIGINT", time.Since(first).Round(time.Millisecond))
	res, err := result.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != result.StatusInterrupted || len(res.Runs) != 1 || res.Runs[0].Sent+res.Runs[0].WarmupSent == 0 {
		t.Errorf("partial result: status %s, %d runs: want interrupted, with what was measured", res.Status, len(res.Runs))
	}
	second := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = p.wait(t, 20*time.Second)
	took := time.Since(second)
	t.Logf("exited %s after the second SIGINT (%s after the first)", took.Round(time.Millisecond), time.Since(first).Round(time.Millisecond))
	if code := exitCodeOf(err); code != exitSignalled && p.cmd.ProcessState.Exited() {
		t.Errorf("exit code %d, want %d", code, exitSignalled)
	}
	if took > 2*time.Second {
		t.Errorf("took %s after the second SIGINT: want at once", took)
	}
}

// runInProcess runs the command line in this process.
func runInProcess(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// TestRunRefusesLowFreeSpace: below the free-space floor, the run is
// refused before any load, naming both sizes.
func TestRunRefusesLowFreeSpace(t *testing.T) {
	dir := t.TempDir()
	err := checkFreeSpace(dir, 1<<62)
	if err == nil || !strings.Contains(err.Error(), "free") || !strings.Contains(err.Error(), "floor") {
		t.Fatalf("checkFreeSpace with a floor of 4 EiB: %v, want a refusal naming the free space and the floor", err)
	}
	if err := checkFreeSpace(dir, 1); err != nil {
		t.Fatalf("a floor of 1 byte: %v", err)
	}
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: nospace
targets: [{name: local, kind: jetstream, url: %q}]
load: {duration: 1s, warmup: 0s}
`, srv.URL()))
	code, _, stderr := runInProcess("run", file, "--out", filepath.Join(dir, "out"), "-q", "--min-free-mib", "4000000000000")
	if code != exitUsage || !strings.Contains(stderr, "below the floor") {
		t.Errorf("exit %d, stderr %q: want %d and the floor named", code, stderr, exitUsage)
	}
	vz, err := srv.Server().Varz(nil)
	if err != nil {
		t.Fatal(err)
	}
	if vz.TotalConnections != 0 {
		t.Errorf("the server saw %d connections: load before the free-space check", vz.TotalConnections)
	}
}

// TestRunRefusesFolderWithResult: --out onto an earlier result is refused
// unless --force.
func TestRunRefusesFolderWithResult(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: again
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: again, storage: memory}
load: {duration: 200ms, warmup: 0s}
`, srv.URL()))
	out := t.TempDir()
	earlier := []byte(`{"schema_version": 1, "status": "complete"}`)
	path := filepath.Join(out, report.FileResult)
	if err := os.WriteFile(path, earlier, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runInProcess("run", file, "--out", out, "-q")
	if code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("exit %d, stderr %q: want %d and --force named", code, stderr, exitUsage)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, earlier) {
		t.Fatal("the earlier result was overwritten")
	}
	code, _, stderr = runInProcess("run", file, "--out", out, "-q", "--force")
	if code != exitOK {
		t.Fatalf("--force: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(path); bytes.Equal(b, earlier) {
		t.Error("--force did not replace the result")
	}
}

// TestRunSaysWhatWasNotWritten: when result.json cannot be written (here a
// folder stands in its way), the summary is still printed and says what
// was not written, and the exit code says the writing failed.
func TestRunSaysWhatWasNotWritten(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: blocked
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: blocked, storage: memory}
load: {duration: 200ms, warmup: 0s}
`, srv.URL()))
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, report.FileResult, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runInProcess("run", file, "--out", out, "-q", "--force")
	if code != exitFailed {
		t.Errorf("exit %d, want %d\n%s", code, exitFailed, stderr)
	}
	if !strings.Contains(stdout, "msgs/s") {
		t.Errorf("no summary on stdout:\n%s", stdout)
	}
	if !strings.Contains(stdout, "NOT WRITTEN") || !strings.Contains(stdout, report.FileResult) {
		t.Errorf("stdout does not say result.json was not written:\n%s", stdout)
	}
}
