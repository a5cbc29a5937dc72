package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/stationbench/stationbench/scenarios"
)

func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "validate FILE... [flags]", validateExamples, stdout, stderr)
	url := fs.String("url", "", "check with every target's URL replaced, as run --url does")
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
		fmt.Fprintf(stdout, "%s: ok (%s: %d targets, %d steps, about %s)\n", f, sc.Name, len(sc.Targets), len(sc.Steps()), estimate(sc))
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}
