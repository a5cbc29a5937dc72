package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/compare"
	"github.com/stationbench/stationbench/scenarios"
)

// compareCmd compares a new result with a baseline and fails the gate
// (exit 3) on a regression.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "compare BASE.json NEW.json [flags]", compareExamples, stdout, stderr)
	drop := fs.String("max-throughput-drop", "5%", "largest tolerated fall in a step's median throughput, as 15% or 0.15; left at the default, it widens to the base's spread where too few repeats leave the test unusable")
	rise := fs.String("max-latency-rise", "10%", "largest tolerated rise in a step's median latency percentile (p50, p99, p99.9), as 30% or 0.3; the default widens likewise")
	alpha := fs.String("alpha", "0.05", "significance level of the Mann-Whitney U test over the repeats, 0.05 or 5%")
	format := fs.String("format", "text", "output format: text, markdown or junit")
	out := fs.String("out", "", "write the output to FILE (the text table still goes to standard output)")
	force := fs.Bool("force", false, "compare results whose scenarios differ (message size, station, targets, acks)")
	if err := fs.parse(args); err != nil {
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
	o := compare.DefaultOptions()
	o.Force = *force
	// Every percentage-like flag reads 15% and 0.15 alike (one parser).
	for _, f := range []struct {
		name string
		text string
		dst  *float64
	}{{"max-throughput-drop", *drop, &o.MaxThroughputDrop}, {"max-latency-rise", *rise, &o.MaxLatencyRise}, {"alpha", *alpha, &o.Alpha}} {
		if *f.dst, err = scenarios.ParseFraction(f.text); err != nil {
			return usagef("compare: --%s: %w", f.name, err)
		}
	}
	// A tolerance the user set is kept as given; a default one widens to
	// the base's spread where the test cannot decide.
	o.WidenThroughputDrop = !fs.Changed("max-throughput-drop")
	o.WidenLatencyRise = !fs.Changed("max-latency-rise")
	if err := o.Validate(); err != nil {
		return usagef("compare: %w", err)
	}
	base, err := analysis.Read(fs.Arg(0))
	if err != nil {
		return usageError{fmt.Errorf("compare: base: %w", err)}
	}
	cur, err := analysis.Read(fs.Arg(1))
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
	if !rep.Passed() {
		return gateError{fmt.Errorf("compare: %s", rep.FailureLine())}
	}
	return nil
}
