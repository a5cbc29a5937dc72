// Command stationbench is a load generator and benchmark harness for message
// brokers: it runs YAML scenarios that sweep the number of producers writing
// to a station (a JetStream stream, a NATS subject) and reports throughput
// and latency from HDR histograms.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // the run failed or was interrupted
	exitUsage  = 2 // bad usage or an invalid scenario
	// exitThreshold: a gate failed (a scenario threshold, or compare found
	// a regression).
	exitThreshold = 3
	// exitSignalled: a second Ctrl-C (or SIGTERM) ended the process at
	// once, as a shell reports a process killed by SIGINT.
	exitSignalled = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "\nstationbench: %v: stopping; the partial result is written before cleanup (again to exit at once)\n", s)
		cancel()
		// A second signal exits here, whatever the first one is waiting
		// for, and even when the process was started with SIGINT ignored
		// (a background job of a script), where restoring the default
		// action would ignore it.
		s = <-sigs
		fmt.Fprintf(os.Stderr, "stationbench: %v again: exiting at once\n", s)
		os.Exit(exitSignalled)
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// usageError marks errors that exit with exitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

const usage = `stationbench: load generation and benchmarking for message brokers

Usage:
  stationbench run FILE [--out DIR]      run a scenario, write results and plots
  stationbench validate FILE...          check scenarios without running them (--plan lists their runs)
  stationbench compare BASE NEW          compare two result.json files; exit 3 on a regression
  stationbench report RESULT.json [--format F] [--out DIR]
                                         render a result again: text|markdown|json|csv|hgrm|html
  stationbench plot RESULT.json... [--out DIR]
                                         overlay several results in one set of charts
  stationbench server [--port N]         run the embedded NATS server with JetStream
  stationbench merge FILE|DIR... --out DIR
                                         merge a distributed run's agent results into one result and its reports
  stationbench k8s FILE --agents N       print Kubernetes manifests: the scenario's agents as an Indexed Job
  stationbench bench-limit               compare the harness with a bare nats.go loop (is the harness the bottleneck?)
  stationbench version                   print the version

Run 'stationbench COMMAND --help' for a command's flags.
Exit codes: 0 success, 1 the run failed or was interrupted, 2 bad usage or invalid scenario,
3 a threshold failed or compare found a regression, 130 a second Ctrl-C exited at once.
`

// run dispatches a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "run":
		err = runCmd(ctx, args[1:], stdout, stderr)
	case "validate":
		err = validateCmd(args[1:], stdout, stderr)
	case "compare":
		err = compareCmd(args[1:], stdout, stderr)
	case "report":
		err = reportCmd(args[1:], stdout, stderr)
	case "plot":
		err = plotCmd(args[1:], stdout, stderr)
	case "bench-limit":
		err = benchLimitCmd(ctx, args[1:], stdout, stderr)
	case "server":
		err = serverCmd(ctx, args[1:], stdout, stderr)
	case "merge":
		err = mergeCmd(args[1:], stdout, stderr)
	case "k8s":
		err = k8sCmd(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "stationbench", buildVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown command %q\n\n%s", args[0], usage)
	}
	return exitCode(err, stderr)
}

// exitCode prints err and maps it to an exit code.
func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	var fe failedError
	var ge gateError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "stationbench:", err)
		return exitUsage
	case errors.As(err, &fe):
		fmt.Fprintln(stderr, "stationbench:", err)
		return exitFailed
	case errors.As(err, &ge):
		fmt.Fprintln(stderr, "stationbench:", err)
		return exitThreshold
	default:
		fmt.Fprintln(stderr, "stationbench:", err)
		return exitFailed
	}
}

// failedError marks a run that ended, but not successfully.
type failedError struct{ err error }

func (e failedError) Error() string { return e.err.Error() }
func (e failedError) Unwrap() error { return e.err }

// gateError marks a gate that failed: a threshold, or a regression found
// by compare.
type gateError struct{ err error }

func (e gateError) Error() string { return e.err.Error() }
func (e gateError) Unwrap() error { return e.err }

// errHelp is returned when --help was asked for and printed.
var errHelp = errors.New("help requested")

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
