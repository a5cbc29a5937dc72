package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/stationbench/stationbench/compare"
	"github.com/stationbench/stationbench/report"
)

// compareCmd compares a new result with a baseline and fails the gate
// (exit 3) on a regression.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "compare BASE.json NEW.json [flags]", stderr)
	drop := fs.String("max-throughput-drop", "5%", "largest tolerated fall in a step's median throughput")
	rise := fs.String("max-latency-rise", "10%", "largest tolerated rise in a step's median latency percentile (p50, p99, p99.9)")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level of the Mann-Whitney U test over the repeats")
	format := fs.String("format", "text", "output format: text, markdown or junit")
	out := fs.String("out", "", "write the output to FILE (the text table still goes to standard output)")
	force := fs.Bool("force", false, "compare results whose scenarios differ (message size, station, targets, acks)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usagef("compare: want two result files, BASE.json and NEW.json, got %d", fs.NArg())
	}
	f, err := compare.ParseFormat(*format)
	if err != nil {
		return usagef("compare: --format: %w", err)
	}
	o := compare.Options{Alpha: *alpha, Force: *force}
	if o.MaxThroughputDrop, err = parsePercent(*drop); err != nil {
		return usagef("compare: --max-throughput-drop: %w", err)
	}
	if o.MaxLatencyRise, err = parsePercent(*rise); err != nil {
		return usagef("compare: --max-latency-rise: %w", err)
	}
	base, err := report.ReadJSON(fs.Arg(0))
	if err != nil {
		return usageError{fmt.Errorf("compare: base: %w", err)}
	}
	cur, err := report.ReadJSON(fs.Arg(1))
	if err != nil {
		return usageError{fmt.Errorf("compare: new: %w", err)}
	}
	rep, err := compare.Compare(base, cur, o)
	if err != nil {
		return usageError{err}
	}
	rep.BaseName, rep.NewName = fs.Arg(0), fs.Arg(1)

	if *out == "" {
		if err := compare.Write(stdout, rep, f); err != nil {
			return err
		}
	} else {
		var buf bytes.Buffer
		if err := compare.Write(&buf, rep, f); err != nil {
			return err
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("compare: --out: %w", err)
		}
		if err := compare.WriteText(stdout, rep); err != nil {
			return err
		}
	}
	if n := rep.Regressions(); n > 0 {
		return gateError{fmt.Errorf("compare: %d regression(s) beyond tolerance and significant", n)}
	}
	return nil
}

// parsePercent reads "5%" or "5" (both five percent) as 0.05.
func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("want a percentage like 5%%, got %q", s)
	case v < 0:
		return 0, errors.New("must not be negative")
	}
	return v / 100, nil
}
