package main

import (
	"net"
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
