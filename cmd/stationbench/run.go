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
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/thresholds"
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "run FILE [flags]", stderr)
	out := fs.String("out", "", "output folder (default results/<scenario>/<UTC time>/)")
	url := fs.String("url", "", `replace every target's URL (for example nats://127.0.0.1:4222, or "embedded")`)
	quiet := fs.BoolP("quiet", "q", false, "no progress output")
	metricsAddr := fs.String("metrics-addr", "", "serve live Prometheus metrics at http://ADDR/metrics during the run (for example 127.0.0.1:9464)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("run: want exactly one scenario file, got %d", fs.NArg())
	}
	sc, err := scenarios.LoadFile(fs.Arg(0))
	if err != nil {
		return usageError{err}
	}
	if *url != "" {
		for i := range sc.Targets {
			sc.Targets[i].URL = *url
		}
		if err := sc.Validate(); err != nil {
			return usageError{fmt.Errorf("--url: %w", err)}
		}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("results", sc.Name, time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := checkWritable(dir); err != nil {
		return usageError{err}
	}
	var progress runner.Progress
	if !*quiet {
		progress = newProgress(stderr, isTerminal(stderr))
	}
	fmt.Fprintf(stderr, "stationbench %s: %s, %d targets x %d steps x %d repeats, about %s; results in %s\n",
		buildVersion(), sc.Name, len(sc.Targets), len(sc.Steps()), sc.Load.Repeat, estimate(sc), dir)

	live, stopMetrics, err := startMetrics(*metricsAddr, stderr) // metrics.go
	if err != nil {
		return err
	}
	res := runner.Run(ctx, sc, runner.Options{Progress: progress, Version: buildVersion(), OutDir: dir, Live: live})
	stopMetrics()
	res.Thresholds = thresholds.Evaluate(sc, res)

	werr := report.WriteAll(dir, res)
	if err := report.Summary(stdout, res); err != nil {
		werr = errors.Join(werr, err)
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", dir)
	switch {
	case werr != nil:
		return fmt.Errorf("writing results: %w", werr)
	case res.Status != report.StatusComplete:
		return failedError{fmt.Errorf("run %s: %s", res.Status, res.Error)}
	case report.FailedThresholds(res.Thresholds) > 0:
		return gateError{fmt.Errorf("%d of %d threshold checks failed", report.FailedThresholds(res.Thresholds), len(res.Thresholds))}
	}
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

// estimate is how long a scenario takes to run, roughly.
func estimate(sc scenarios.Scenario) time.Duration {
	per := sc.Load.Warmup.D() + sc.Load.Duration.D()
	steps := len(sc.Steps()) * sc.Load.Repeat
	if f := sc.Load.FindMaxRate; f != nil {
		steps = len(sc.Producers.Counts) * f.MaxRuns() // at most
	}
	return time.Duration(len(sc.Targets)*steps) * per
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
