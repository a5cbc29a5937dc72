package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// flagSet is a subcommand's pflag.FlagSet with its help: --help prints the
// synopsis, examples and flags on stdout; a usage error prints them on
// stderr.
type flagSet struct {
	*pflag.FlagSet
	synopsis, examples string
	help               *bool
	stdout             io.Writer
}

// newFlagSet makes a subcommand's flag set. examples is a few indented
// command lines, shown under "Examples:".
func newFlagSet(name, synopsis, examples string, stdout, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: pflag.NewFlagSet(name, pflag.ContinueOnError), synopsis: synopsis, examples: examples, stdout: stdout}
	fs.SetOutput(io.Discard) // the error itself is printed once, by exitCode
	fs.help = fs.BoolP("help", "h", false, "show this help")
	fs.Usage = func() { fs.writeHelp(stderr) }
	return fs
}

func (fs *flagSet) writeHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: stationbench %s\n\n", fs.synopsis)
	if fs.examples != "" {
		fmt.Fprintf(w, "Examples:\n%s\n", fs.examples)
	}
	fmt.Fprintf(w, "Flags:\n%s", fs.FlagUsages())
}

// parse parses args. --help prints the help on stdout and returns errHelp;
// other problems print the usage on stderr and become usage errors.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		fs.Usage()
		return usageError{err}
	}
	if *fs.help {
		fs.writeHelp(fs.stdout)
		return errHelp
	}
	return nil
}

// Each subcommand's examples, shown by --help.
const (
	runExamples = `  stationbench run scenarios/quickstart.yaml
  stationbench run scenarios/quickstart.yaml --url nats://127.0.0.1:4222 --out /tmp/qs
  stationbench run scenarios/examples/memphis-compare.yaml --dry-run
  stationbench run scenarios/examples/capacity-sweep.yaml --out results/sweep --force -q
  stationbench run scenarios/quickstart.yaml --agents 4 --out /tmp/qs4
  stationbench run scenario.yaml --segment 0/10 --run-id run-42 --url nats://nats:4222 --out /results
  stationbench run scenario.yaml --segment 3/10 --run-id run-42 --control nats://control:4222 --out /results
`
	validateExamples = `  stationbench validate scenarios/quickstart.yaml
  stationbench validate scenarios/examples/*.yaml
  stationbench validate --plan scenarios/examples/find-max-rate.yaml
  stationbench validate --plan --url nats://127.0.0.1:4222 scenarios/quickstart.yaml
`
	compareExamples = `  stationbench compare base/result.json new/result.json
  stationbench compare base/result.json new/result.json --max-throughput-drop 15% --max-latency-rise 30%
  stationbench compare base/result.json new/result.json --format junit --out compare.xml
`
	reportExamples = `  stationbench report results/quickstart/<time>/result.json
  stationbench report result.json --format markdown > comment.md
  stationbench report result.json --format junit --out ci/
`
	plotExamples = `  stationbench plot base/result.json new/result.json --out /tmp/overlay
`
	serverExamples = `  stationbench server --port 4222
  stationbench server --port 4222 --store /tmp/js
`
	benchLimitExamples = `  stationbench bench-limit
  stationbench bench-limit --duration 3s --rounds 5
`
)
