package report

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// Overlay combines several results into one whose charts and tables show
// them side by side: every run's target becomes "<label>/<target>". Each
// result's label is its scenario name; when two results share one, their
// file names (paths[i], without ".json") are used, then their folder and
// file, then the whole path. paths may be nil when every scenario name
// differs. The combined status is the worst of the inputs. The combined
// result carries its own analysis (capacity, comparison ...) and no
// threshold verdicts.
func Overlay(results []*result.Result, paths []string) (*result.Result, error) {
	if len(results) == 0 {
		return nil, errors.New("overlay: no results")
	}
	for _, r := range results {
		if r == nil {
			return nil, errors.New("overlay: nil result")
		}
	}
	labels := overlayLabels(results, paths)
	out := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Status:        result.StatusComplete,
		StartedAt:     results[0].StartedAt,
		FinishedAt:    results[0].FinishedAt,
		Scenario:      results[0].Scenario,
		Env:           results[0].Env,
	}
	out.Scenario.Name = strings.Join(labels, " vs ")
	out.Scenario.Description = "Overlay of " + strings.Join(labels, ", ") + "."
	out.Env.Targets = nil
	var errs []string
	for i, r := range results {
		switch {
		case r.Status == result.StatusFailed:
			out.Status = result.StatusFailed
		case r.Status == result.StatusInterrupted && out.Status != result.StatusFailed:
			out.Status = result.StatusInterrupted
		}
		if r.Error != "" {
			errs = append(errs, labels[i]+": "+r.Error)
		}
		for _, t := range r.Env.Targets {
			t.Name = labels[i] + "/" + t.Name
			out.Env.Targets = append(out.Env.Targets, t)
		}
		for _, run := range r.Runs {
			run.Target = labels[i] + "/" + run.Target
			out.Runs = append(out.Runs, run)
		}
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		if r.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = r.FinishedAt
		}
	}
	out.Error = strings.Join(errs, "; ")
	// The overlay is a new result, its targets every input's side by side:
	// analysed once here. It has no thresholds of its own.
	out.Analysis = analysis.Analyze(out, nil)
	return out, nil
}

// overlayLabels names each result, as distinct as the inputs allow.
func overlayLabels(results []*result.Result, paths []string) []string {
	path := func(i int) string {
		if i < len(paths) {
			return paths[i]
		}
		return ""
	}
	namers := []func(int) string{
		func(i int) string { return results[i].Scenario.Name },
		func(i int) string { return strings.TrimSuffix(filepath.Base(path(i)), ".json") },
		func(i int) string {
			p := filepath.Clean(path(i))
			return filepath.Join(filepath.Base(filepath.Dir(p)), strings.TrimSuffix(filepath.Base(p), ".json"))
		},
		func(i int) string { return path(i) },
	}
	labels := make([]string, len(results))
	for _, name := range namers {
		seen := map[string]bool{}
		unique := true
		for i := range results {
			labels[i] = name(i)
			if labels[i] == "" || seen[labels[i]] {
				unique = false
			}
			seen[labels[i]] = true
		}
		if unique {
			return labels
		}
	}
	for i := range labels { // identical paths: number them
		labels[i] = orDash(labels[i]) + "#" + strconv.Itoa(i+1)
	}
	return labels
}
