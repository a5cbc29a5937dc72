package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/stationbench/stationbench/merge"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

const mergeExamples = `  stationbench merge --control nats://127.0.0.1:4222 --run-id 20261202T181605Z-e92df222 --out results/merged
  stationbench merge agents/0 agents/1 agents/2 agents/3 --out results/merged
  stationbench merge agents/*/result.json --out results/merged
  stationbench merge results/agents4/agent-* --out /tmp/merged --force
`

// mergeCmd merges the result.json files of a distributed run's agents into
// one result and writes it with every report, as `report --out` does.
func mergeCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "merge FILE|DIR... --out DIR [flags]\n\n"+
		"Merges the results of a distributed run's agents (run --segment i/N), one result.json each (a folder\n"+
		"means the result.json in it), into one result: counts summed, latency histograms added, per-second\n"+
		"series aligned on the wall clock, every producer kept. Refuses a truncated or half-written result,\n"+
		"one of another run, and a segment given twice or missing.", mergeExamples, stdout, stderr)
	out := fs.StringP("out", "o", "", "folder for the merged result.json and its reports (required)")
	force := fs.Bool("force", false, "write into an --out folder that already holds a result.json, replacing it")
	control := fs.String("control", "", "read the agents' results of --run-id from this NATS server's object store instead of files") // agent.go
	runID := fs.String("run-id", "", "the distributed run whose results --control holds")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *control != "" || *runID != "" {
		return mergeFromControl(*control, *runID, *out, *force, fs, stdout, stderr) // agent.go
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("merge: want the agents' result files or folders, got none")
	}
	if *out == "" {
		fs.Usage()
		return usagef("merge: --out is required: the folder for the merged result")
	}
	paths := make([]string, fs.NArg())
	for i, arg := range fs.Args() {
		paths[i] = resultPath(arg)
		if filepath.Clean(filepath.Dir(paths[i])) == filepath.Clean(*out) {
			return usagef("merge: --out %s holds the input %s: choose another folder", *out, paths[i])
		}
	}
	parts := make([]*result.Result, len(paths))
	for i, p := range paths {
		r, err := readAgentResult(p)
		if err != nil {
			return err
		}
		parts[i] = r
	}
	m, err := merge.Named(parts, paths)
	if err != nil {
		return err
	}
	if err := checkOutDir(*out, *force, stderr); err != nil {
		return usageError{err}
	}
	return writeMerged(*out, m, stdout)
}

// resultPath is arg, or the result.json in it when arg is a folder.
func resultPath(arg string) string {
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
		return filepath.Join(arg, report.FileResult)
	}
	return arg
}

// readAgentResult reads one agent's result; a file that is not whole JSON
// is said to be truncated or half-written.
func readAgentResult(path string) (*result.Result, error) {
	r, err := result.ReadJSON(path)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("merge: %w (a truncated or half-written result: was the agent stopped while writing it?)", err)
	case err != nil:
		return nil, fmt.Errorf("merge: %w", err)
	}
	return r, nil
}

// writeMerged writes a merged result and every report into dir, prints its
// summary, and returns the verdict as `run` does: a failed or interrupted
// run exits 1, a failed threshold 3.
func writeMerged(dir string, m *result.Result, stdout io.Writer) error {
	werr := writeEverything(dir, m, reportFormats(), io.Discard) // report_cmd.go
	if err := report.Summary(stdout, m); err != nil {
		werr = errors.Join(werr, err)
	}
	fmt.Fprintf(stdout, "\nmerged %d agents' results: %s\n", len(m.Env.Agents), dir)
	if werr != nil {
		return fmt.Errorf("merge: writing results: %w", werr)
	}
	return verdict(m, "merged run")
}
