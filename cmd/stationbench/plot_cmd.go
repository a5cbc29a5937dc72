package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stationbench/stationbench/analysis"
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
		r, err := analysis.Read(path)
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
	paths, err := report.WritePage(dir, merged) // charts and report.html, each chart drawn once
	printPaths(stdout, paths)
	return err
}
