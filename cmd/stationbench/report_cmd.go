package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// reportFormat is one output of `stationbench report`: how to render it and
// the file it goes to under --out.
type reportFormat struct {
	name   string
	file   string
	render func(io.Writer, *result.Result) error
}

func reportFormats() []reportFormat {
	return []reportFormat{
		{"text", report.FileSummary, report.Summary},
		{"markdown", "report.md", report.Markdown},
		{"json", report.FileResult, result.Encode},
		{"csv", "runs.csv", report.CSV},
		{"hgrm", "", report.HGRM}, // one file per step under --out
		{"html", report.FileHTML, report.HTML},
		{"junit", "junit.xml", report.JUnit}, // thresholds and findMaxRate answers as test cases
	}
}

func reportCmd(args []string, stdout, stderr io.Writer) error {
	formats := reportFormats()
	var names []string
	for _, f := range formats {
		names = append(names, f.name)
	}
	fs := newFlagSet("report", "report RESULT.json [flags]", reportExamples, stdout, stderr)
	format := fs.StringP("format", "f", "text", "output format: "+strings.Join(names, "|"))
	out := fs.StringP("out", "o", "", "write files into this folder instead of stdout; without --format, write every format and chart")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("report: want exactly one result file, got %d", fs.NArg())
	}
	var chosen *reportFormat
	for i := range formats {
		if formats[i].name == *format {
			chosen = &formats[i]
		}
	}
	if chosen == nil {
		return usagef("report: unknown --format %q (want %s)", *format, strings.Join(names, ", "))
	}
	res, err := analysis.Read(fs.Arg(0)) // a version-1 result gets its analysis here
	if err != nil {
		return err
	}
	if *out == "" {
		var buf bytes.Buffer // a failed render prints nothing half-done
		if err := chosen.render(&buf, res); err != nil {
			return err
		}
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if !fs.Changed("format") {
		return writeEverything(*out, res, formats, stdout)
	}
	paths, err := writeFormat(*out, res, *chosen)
	printPaths(stdout, paths)
	return err
}

// writeEverything writes result.json, summary.txt, the charts and
// report.html (as `run` does), then every other format.
func writeEverything(dir string, res *result.Result, formats []reportFormat, stdout io.Writer) error {
	errs := []error{report.WriteAll(dir, res)}
	for _, f := range formats {
		switch f.name {
		case "text", "json", "html": // written by WriteAll
			continue
		}
		_, err := writeFormat(dir, res, f)
		errs = append(errs, err)
	}
	fmt.Fprintf(stdout, "report: %s\n", dir)
	return errors.Join(errs...)
}

// writeFormat writes one format into dir and returns the paths written.
func writeFormat(dir string, res *result.Result, f reportFormat) ([]string, error) {
	if f.name == "hgrm" {
		return report.WriteHGRM(dir, res)
	}
	var buf bytes.Buffer
	if err := f.render(&buf, res); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, f.file)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return []string{path}, nil
}

func printPaths(w io.Writer, paths []string) {
	for _, p := range paths {
		fmt.Fprintln(w, p)
	}
}
