package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "run FILE [flags]", runExamples, stdout, stderr)
	out := fs.String("out", "", "output folder (default results/<scenario>/<UTC time>/)")
	url := fs.String("url", "", `replace every target's URL (for example nats://127.0.0.1:4222, ws://127.0.0.1:8080, "embedded" or "embedded+ws")`)
	quiet := fs.BoolP("quiet", "q", false, "no progress output")
	metricsAddr := fs.String("metrics-addr", "", "serve live Prometheus metrics at http://ADDR/metrics during the run (for example 127.0.0.1:9464)")
	force := fs.Bool("force", false, "write into an --out folder that already holds a result.json, replacing it")
	dryRun := fs.Bool("dry-run", false, "print the plan (one line per run, in order, and the time estimate) and exit without connecting")
	minFree := fs.Uint64("min-free-mib", defaultMinFreeMiB, "refuse to run when the output folder's file system has less free space than this (MiB)")
	agents := addAgentFlags(fs) // agent.go: --segment, --agents, --control ...
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := agents.check(); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("run: want exactly one scenario file, got %d", fs.NArg())
	}
	sc, err := scenarios.LoadFile(fs.Arg(0), scenarios.Overrides{URL: *url})
	if err != nil {
		return usageError{err}
	}
	p := plan.Build(sc)
	if *dryRun {
		return dryRunText(p, sc, agents, stdout) // agent.go
	}
	if err := agents.validate(sc); err != nil { // before any folder is made
		return usageError{err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("results", sc.Name, time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := checkOutDir(dir, *force, stderr); err != nil {
		return usageError{err}
	}
	if err := checkWritable(dir); err != nil {
		return usageError{err}
	}
	if err := checkFreeSpace(dir, *minFree<<20); err != nil { // diskfree.go
		return usageError{err}
	}
	if agents.agents > 0 { // launch.go
		return launchAgents(ctx, fs.Arg(0), sc, agents, launchArgs{url: *url, out: dir, quiet: *quiet, force: *force, minFree: *minFree}, stdout, stderr)
	}
	var progress runner.Progress
	if !*quiet {
		progress = newProgress(stderr, isTerminal(stderr))
	}
	fmt.Fprintf(stderr, "stationbench %s: %s, %d targets x %d steps x %d repeats, about %s; results in %s\n",
		buildVersion(), sc.Name, len(sc.Targets), len(sc.Steps()), sc.Load.Repeat, p.Estimate().Load, dir)

	live, stopMetrics, err := startMetrics(*metricsAddr, stderr) // metrics.go
	if err != nil {
		return err
	}
	if agents.segment != "" {
		defer stopMetrics()
		return runAgent(ctx, sc, agents, dir, runner.Options{Progress: progress, Version: buildVersion(), Live: live}, stdout, stderr) // agent.go
	}
	checkpoint := func(partial *result.Result) { // the runner analysed it, thresholds included
		path := filepath.Join(dir, report.FileResult)
		if err := result.WriteJSON(path, partial); err != nil {
			fmt.Fprintf(stderr, "stationbench: partial result NOT written: %v\n", err)
			return
		}
		fmt.Fprintf(stderr, "stationbench: partial result written to %s; cleaning up (a second Ctrl-C exits at once)\n", path)
	}
	res := runner.Run(ctx, sc, runner.Options{Progress: progress, Version: buildVersion(), OutDir: dir, Live: live, Checkpoint: checkpoint})
	stopMetrics()

	werr := report.WriteAll(dir, res) // result.json first, atomically
	if err := report.Summary(stdout, res); err != nil {
		werr = errors.Join(werr, err)
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", dir)
	if werr != nil {
		// The summary above is printed whatever happened to the files.
		fmt.Fprintf(stdout, "NOT WRITTEN (the summary above is what is left of them): %v\n", werr)
	}
	if werr != nil {
		return fmt.Errorf("writing results: %w", werr)
	}
	return verdict(res, "run")
}

// verdict is the exit of a command that wrote a result (what names it:
// "run", "merged run"): a failed or interrupted run exits 1, a failed
// threshold 3. A result without its analysis never passes a gate unjudged.
func verdict(res *result.Result, what string) error {
	switch {
	case res.Status != result.StatusComplete:
		return failedError{fmt.Errorf("%s %s: %s", what, res.Status, res.Error)}
	case res.Analysis == nil:
		return failedError{fmt.Errorf("%s: the result carries no analysis: thresholds not judged", what)}
	case report.FailedThresholds(res.Analysis.Thresholds) > 0:
		vs := res.Analysis.Thresholds
		return gateError{fmt.Errorf("%d of %d threshold checks failed", report.FailedThresholds(vs), len(vs))}
	}
	return nil
}

// checkOutDir refuses an output folder that already holds a result, unless
// force says to replace it.
func checkOutDir(dir string, force bool, stderr io.Writer) error {
	path := filepath.Join(dir, report.FileResult)
	if _, err := os.Stat(path); err != nil {
		return nil // nothing to replace (or nothing readable: checkWritable says)
	}
	if !force {
		return fmt.Errorf("output folder %s already holds a result (%s): choose another --out, or pass --force to replace it", dir, report.FileResult)
	}
	fmt.Fprintf(stderr, "stationbench: --force: the result in %s will be replaced\n", dir)
	return nil
}

// checkWritable makes dir and proves a file can be written there, before
// any load is sent.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
