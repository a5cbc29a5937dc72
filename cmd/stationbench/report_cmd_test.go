package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleResult = "../../report/testdata/quickstart.json"

func reportCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReportCmdFormats(t *testing.T) {
	t.Parallel()
	wants := map[string]string{
		"text":     "capacity (",
		"markdown": "| target |",
		// exampleResult is a version-1 file: report writes it as this
		// version, its analysis computed on reading.
		"json": `"schema_version": 2`,
		"csv":  "target,kind,axis,producers",
		"hgrm": "1/(1-Percentile)",
		"html": "<!DOCTYPE html>",
	}
	for format, want := range wants {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := reportCLI(t, "report", exampleResult, "--format", format)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%.300s", want, out)
			}
			dir := t.TempDir()
			code, out, errOut = reportCLI(t, "report", exampleResult, "--format", format, "--out", dir)
			if code != exitOK {
				t.Fatalf("--out: exit %d: %s", code, errOut)
			}
			for _, p := range strings.Fields(out) {
				if _, err := os.Stat(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestReportCmdEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, errOut := reportCLI(t, "report", exampleResult, "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"result.json", "summary.txt", "report.md", "runs.csv", "report.html",
		"throughput.png", "throughput.svg", "latency.png", "percentiles.svg", "timeseries-embedded.png", "embedded-1p.hgrm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestReportCmdErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"report"}, exitUsage},
		{[]string{"report", exampleResult, "--format", "pdf"}, exitUsage},
		{[]string{"report", exampleResult, exampleResult}, exitUsage},
		{[]string{"report", "no-such-file.json"}, exitFailed},
		{[]string{"plot"}, exitUsage},
		{[]string{"plot", "no-such-file.json"}, exitFailed},
	}
	for _, tc := range tests {
		if code, _, _ := reportCLI(t, tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}

func TestPlotCmdOverlay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := reportCLI(t, "plot", exampleResult, exampleResult, "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "report.html") || !strings.Contains(out, "throughput.png") {
		t.Errorf("output: %s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// Same scenario and file name twice: the series are numbered apart.
	if !strings.Contains(string(b), "#1/embedded") || !strings.Contains(string(b), "#2/embedded") {
		t.Error("overlay series are not told apart")
	}
}
