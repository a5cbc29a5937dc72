package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

func plotCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", "plot RESULT.json... [flags]", plotExamples, stdout, stderr)
	out := fs.StringP("out", "o", "", "output folder (default results/plots/<UTC time>/)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("plot: no result file given")
	}
	var results []*result.Result
	for _, path := range fs.Args() {
		r, err := result.ReadJSON(path)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	merged, err := report.Overlay(results, fs.Args())
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("results", "plots", time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	paths, cerr := report.WriteCharts(dir, merged, "png", "svg")
	var buf bytes.Buffer
	herr := report.HTML(&buf, merged)
	if herr == nil {
		path := filepath.Join(dir, report.FileHTML)
		if herr = os.WriteFile(path, buf.Bytes(), 0o644); herr == nil {
			paths = append(paths, path)
		}
	}
	printPaths(stdout, paths)
	return errors.Join(cerr, herr)
}
