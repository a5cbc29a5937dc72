// Command scaletable prints the README's scale table from the results
// `make scale` (scripts/scale.sh) wrote: one markdown row per run of each
// result folder given, in the order given, with the run's peak resident
// set and its growth per producer as the summary shows them (report
// package), and the errors of the runs that failed below the table.
//
//	go run ./scripts/scaletable results/scale/embedded-core-shared results/scale/server-core-shared ...
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

func main() {
	if err := write(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "scaletable:", err)
		os.Exit(1)
	}
}

// write writes the table of the results in dirs to w.
func write(w io.Writer, dirs []string) error {
	if len(dirs) == 0 {
		return fmt.Errorf("usage: scaletable RESULT_DIR...")
	}
	var b strings.Builder
	var failures []string
	b.WriteString("| server | kind | connections | producers | peak RSS | RSS per producer | msgs/s |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|\n")
	for _, dir := range dirs {
		r, err := result.ReadJSON(filepath.Join(dir, "result.json"))
		if err != nil {
			return err
		}
		server := "separate"
		if len(r.Env.Targets) > 0 && r.Env.Targets[0].Embedded {
			server = "embedded"
		}
		runs := result.ByStep(r.Runs)
		cells := report.RSSCells(runs)
		for i, run := range runs {
			rate := fmt.Sprintf("%.0f", run.ThroughputMsgsPerSec)
			if run.Status != result.StatusComplete {
				failures = append(failures, fmt.Sprintf("[%d] %s, %s, %d producers: %s", len(failures)+1, server, r.Scenario.Name,
					run.Producers, run.Error))
				rate = fmt.Sprintf("%s [%d]", run.Status, len(failures))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s |\n", server, kindName(run.Kind), r.Scenario.Producers.Connections,
				run.Producers, cells[i][0], cells[i][1], rate)
		}
	}
	for i, f := range failures {
		if i == 0 {
			b.WriteString("\n")
		}
		b.WriteString("- " + f + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// kindName names a target kind as the README does.
func kindName(kind string) string {
	switch kind {
	case "nats":
		return "core NATS"
	case "jetstream":
		return "JetStream"
	}
	return kind
}
