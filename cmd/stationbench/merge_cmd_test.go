package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// writeAgents writes n agents' results of one run into dir/agent-i/, made
// from the example result: each agent ran every step with its own
// producers, and segment 0 verified the station.
func writeAgents(t *testing.T, dir string, n int) []string {
	t.Helper()
	var dirs []string
	for seg := range n {
		r, err := analysis.Read(exampleResult)
		if err != nil {
			t.Fatal(err)
		}
		r.RunID = "20261202T100000Z-merge"
		r.Env.Agents = []result.Agent{{Segment: seg, Segments: n, Host: fmt.Sprintf("node-%d", seg), Version: "test"}}
		for i := range r.Runs {
			run := &r.Runs[i]
			run.MeasuredFrom = time.Date(2026, 12, 2, 10, i, 0, 0, time.UTC)
			run.ProducerStats = []result.ProducerStats{{Name: fmt.Sprintf("bench-%d", seg+1), Sent: run.Sent, Acked: run.Acked}}
			if seg > 0 {
				run.Stored, run.Lost, run.Duplicates = nil, nil, nil
			}
		}
		d := filepath.Join(dir, fmt.Sprintf("agent-%d", seg))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := result.WriteJSON(filepath.Join(d, report.FileResult), r); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// TestMergeCmd merges agents' results given as folders and as files, and
// writes the merged result with every report.
func TestMergeCmd(t *testing.T) {
	t.Parallel()
	agents := writeAgents(t, t.TempDir(), 3)
	out := filepath.Join(t.TempDir(), "merged")
	args := []string{"merge", agents[0], filepath.Join(agents[1], "result.json"), agents[2], "--out", out}
	code, stdout, stderr := reportCLI(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "merged 3 agents' results: "+out) || !strings.Contains(stdout, "largest clock offset") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, f := range []string{"result.json", "summary.txt", "report.html", "report.md", "runs.csv", "junit.xml"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	m, err := analysis.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	one, _ := analysis.Read(exampleResult)
	if len(m.Env.Agents) != 3 || m.Runs[0].Acked != 3*one.Runs[0].Acked {
		t.Errorf("merged: %d agents, acked %d, want 3 and %d", len(m.Env.Agents), m.Runs[0].Acked, 3*one.Runs[0].Acked)
	}
	// A second merge into the same folder is refused without --force.
	if code, _, stderr := reportCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "already holds a result") {
		t.Errorf("second merge: exit %d: %s", code, stderr)
	}
	if code, _, stderr := reportCLI(t, append(args, "--force")...); code != exitOK {
		t.Errorf("--force: exit %d: %s", code, stderr)
	}
}

// TestMergeCmdRefuses: a broken or half-written agent result, one of
// another run, and a segment given twice or missing are refused with an
// error naming the file.
func TestMergeCmdRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		spoil func(t *testing.T, agents []string) []string // returns the arguments
		want  string
	}{
		{"truncated", func(t *testing.T, a []string) []string {
			p := filepath.Join(a[1], "result.json")
			b, _ := os.ReadFile(p)
			writeFile(t, p, b[:len(b)/2])
			return a
		}, "agent-1/result.json: unexpected end of JSON input (a truncated or half-written result"},
		{"empty file", func(t *testing.T, a []string) []string {
			writeFile(t, filepath.Join(a[2], "result.json"), nil)
			return a
		}, "agent-2/result.json: unexpected end of JSON input"},
		{"missing agents", func(t *testing.T, a []string) []string {
			editJSON(t, filepath.Join(a[1], "result.json"), func(r *result.Result) { r.Env.Agents = nil })
			return a
		}, "agent-1/result.json: env.agents lists 0 agents"},
		{"missing run id", func(t *testing.T, a []string) []string {
			editJSON(t, filepath.Join(a[0], "result.json"), func(r *result.Result) { r.RunID = "" })
			return a
		}, "agent-0/result.json: no run_id"},
		{"wrong run id", func(t *testing.T, a []string) []string {
			editJSON(t, filepath.Join(a[2], "result.json"), func(r *result.Result) { r.RunID = "another" })
			return a
		}, `agent-2/result.json: run_id "another"`},
		{"duplicate segment", func(t *testing.T, a []string) []string { return append(a, a[1]) },
			"agent-1/result.json: segment 1/3 is also"},
		{"missing segment", func(t *testing.T, a []string) []string { return a[:2] }, "no result for segment 2 of 3"},
		{"missing file", func(t *testing.T, a []string) []string { return append(a[:2], filepath.Join(a[2], "nope.json")) },
			"agent-2/nope.json: no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			agents := writeAgents(t, t.TempDir(), 3)
			args := append([]string{"merge"}, c.spoil(t, agents)...)
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := reportCLI(t, append(args, "--out", out)...)
			if code == exitOK || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q\nwant a failure naming %q", code, stderr, c.want)
			}
			if _, err := os.Stat(filepath.Join(out, "result.json")); err == nil {
				t.Errorf("a refused merge wrote %s", out)
			}
		})
	}
}

func TestMergeCmdUsage(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := reportCLI(t, "merge", "--help")
	if code != exitOK || !strings.Contains(stdout, "Usage: stationbench merge") || !strings.Contains(stdout, "Examples:\n  stationbench merge") ||
		stderr != "" {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := reportCLI(t, "merge", "a.json"); code != exitUsage || !strings.Contains(stderr, "--out is required") {
		t.Errorf("no --out: exit %d, %s", code, stderr)
	}
	if code, _, stderr := reportCLI(t, "merge", "--out", "x"); code != exitUsage || !strings.Contains(stderr, "got none") {
		t.Errorf("no input: exit %d, %s", code, stderr)
	}
	dir := t.TempDir()
	if code, _, stderr := reportCLI(t, "merge", dir, "--out", dir); code != exitUsage || !strings.Contains(stderr, "holds the input") {
		t.Errorf("--out an input folder: exit %d, %s", code, stderr)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func editJSON(t *testing.T, path string, edit func(*result.Result)) {
	t.Helper()
	r, err := result.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(r)
	if err := result.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
}
