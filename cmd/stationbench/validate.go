package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/scenarios"
)

func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "validate FILE... [flags]", validateExamples, stdout, stderr)
	url := fs.String("url", "", "check with every target's URL replaced, as run --url does")
	showPlan := fs.Bool("plan", false, "print each scenario's plan: one line per run, in the order they run, and the time estimate")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("validate: no scenario file given")
	}
	var errs []error
	for _, f := range fs.Args() {
		sc, err := scenarios.LoadFile(f, scenarios.Overrides{URL: *url})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p := plan.Build(sc)
		fmt.Fprintf(stdout, "%s: ok (%s: %d targets, %d steps, about %s)\n", f, sc.Name, len(sc.Targets), len(sc.Steps()), p.Estimate().Load)
		if *showPlan {
			if err := p.WriteText(stdout); err != nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}
