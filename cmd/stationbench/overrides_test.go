package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// closedPort is a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestRunURLReplacesMemphisAddress: --url replaces a memphis target's
// address, which the defaults would otherwise make from host and port.
// The file sets no host; the run goes to the URL given (here a closed port,
// so the run fails connecting, not loading).
func TestRunURLReplacesMemphisAddress(t *testing.T) {
	file := writeScenario(t, `
name: override
targets: [{name: m, kind: memphis, password: not-shown, timeoutMs: 500, maxReconnect: 0}]
station: {name: override}
load: {duration: 100ms, warmup: 0s}
`)
	url := "nats://127.0.0.1:" + strconv.Itoa(closedPort(t))
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runInProcess("run", file, "--url", url, "--out", out, "-q")
	if code == exitUsage || strings.Contains(stderr, "not both") {
		t.Fatalf("exit %d, stderr:\n%s\nwant the scenario loaded with the URL given", code, stderr)
	}
	res, err := result.ReadJSON(filepath.Join(out, report.FileResult))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Env.Targets) != 1 || res.Env.Targets[0].URL != url {
		t.Errorf("targets %+v, want the one target at %s", res.Env.Targets, url)
	}
}

// TestRunURLErrorNamesFlag: a --url that is not valid for a target is a
// usage error naming the flag, not a line of the file.
func TestRunURLErrorNamesFlag(t *testing.T) {
	file := writeScenario(t, `
name: override
targets: [{name: m, kind: memphis, password: not-shown}]
`)
	code, _, stderr := runInProcess("run", file, "--url", "ftp://127.0.0.1:1", "--out", t.TempDir(), "-q")
	if code != exitUsage || !strings.Contains(stderr, "targets[0].url (--url)") {
		t.Errorf("exit %d, stderr:\n%s\nwant %d and targets[0].url (--url) named", code, stderr, exitUsage)
	}
}

// TestValidatePlan: validate --plan prints, after the ok line, one line per
// run in the order they run and the estimate.
func TestValidatePlan(t *testing.T) {
	file := writeScenario(t, `
name: planned
targets: [{name: a, kind: jetstream}, {name: b, kind: nats}]
producers: {counts: [1, 4]}
load: {warmup: 1s, duration: 2s, drain: 1s, repeat: 2}
`)
	code, stdout, stderr := runInProcess("validate", "--plan", file)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 1+2+8+1 || !strings.HasSuffix(lines[0], ": ok (planned: 2 targets, 2 steps, about 24s)") ||
		!strings.HasPrefix(lines[1], "plan of planned: 8 runs on 2 targets") || !strings.HasPrefix(lines[11], "estimate: about 24s of load") {
		t.Fatalf("stdout:\n%s\nwant the ok line, the plan's heading and header, 8 runs and the estimate", stdout)
	}
	var order []string
	for _, l := range lines[3:11] {
		f := strings.Fields(l)
		order = append(order, f[1]+"/"+f[3]+"/"+f[6])
	}
	if got, want := strings.Join(order, " "), "a/1/1/2 a/4/1/2 a/1/2/2 a/4/2/2 b/1/1/2 b/4/1/2 b/1/2/2 b/4/2/2"; got != want {
		t.Errorf("runs %s, want %s", got, want)
	}
}

// TestRunDryRun: run --dry-run prints the plan and exits without
// connecting (the URL given is a closed port) or making the output folder.
func TestRunDryRun(t *testing.T) {
	file := writeScenario(t, `
name: dry
targets: [{name: m, kind: memphis, password: not-shown}]
load: {warmup: 1s, duration: 2s}
`)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runInProcess("run", file, "--dry-run", "--url", "nats://127.0.0.1:"+strconv.Itoa(closedPort(t)), "--out", out)
	if code != exitOK || !strings.HasPrefix(stdout, "plan of dry: 1 run on 1 target") || !strings.Contains(stdout, "\nestimate: about 3s") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s\nwant the plan and exit 0", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--dry-run made the output folder (%v)", err)
	}
}
