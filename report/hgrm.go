package report

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/internal/atomicfile"
	"github.com/stationbench/stationbench/result"
)

// hgrmStep is one step's merged histogram for the .hgrm output.
type hgrmStep struct {
	name, label string
	hist        *hdrhistogram.Histogram
}

// hgrmSteps merges the histograms of each step's runs: the steps and their
// runs are the analysis's (result.Analysis.Steps); printing a step's
// distribution needs its histogram itself, not only its percentiles.
func hgrmSteps(r *result.Result) []hgrmStep {
	var out []hgrmStep
	used := map[string]bool{}
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		for _, s := range chartDataAxis(r, axis).series {
			for _, pt := range s.points {
				h := pt.histogram()
				if h == nil || h.TotalCount() == 0 {
					continue
				}
				step := strconv.FormatFloat(pt.x, 'f', -1, 64) + "p"
				if axis == result.AxisRate {
					step = strconv.FormatFloat(pt.x, 'f', -1, 64) + "rate"
				}
				name := fileSafe(s.target + "-" + step)
				for i := 2; used[name]; i++ {
					name = fileSafe(fmt.Sprintf("%s-%s-%d", s.target, step, i))
				}
				used[name] = true
				out = append(out, hgrmStep{name: name, label: s.target + ", " + stepLabel(axis, pt.x), hist: h})
			}
		}
	}
	return out
}

// HGRM writes each step's latency histogram (repeats merged) in
// HdrHistogram's percentile-distribution text format, values in
// microseconds, 5 ticks per half distance: the layout of Java's
// outputPercentileDistribution, written by hdrhistogram-go's
// PercentilesPrint. Steps are separated by a "#[step: ...]" line and a
// blank line; WriteHGRM writes one file per step for tools that read one.
func HGRM(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("hgrm: nil result")
	}
	steps := hgrmSteps(r)
	if len(steps) == 0 {
		return errors.New("hgrm: no step has a latency histogram")
	}
	for i, s := range steps {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return fmt.Errorf("hgrm: %w", err)
			}
		}
		if _, err := fmt.Fprintf(w, "#[step: %s; values in microseconds]\n", s.label); err != nil {
			return fmt.Errorf("hgrm: %w", err)
		}
		if _, err := s.hist.PercentilesPrint(w, 5, 1e3); err != nil {
			return fmt.Errorf("hgrm %s: %w", s.label, err)
		}
	}
	return nil
}

// WriteHGRM writes one .hgrm file per step into dir (named
// "<target>-<N>p.hgrm" or "<target>-<rate>rate.hgrm") and returns the paths.
func WriteHGRM(dir string, r *result.Result) ([]string, error) {
	if r == nil {
		return nil, errors.New("hgrm: nil result")
	}
	var paths []string
	for _, s := range hgrmSteps(r) {
		var b strings.Builder
		if _, err := s.hist.PercentilesPrint(&b, 5, 1e3); err != nil {
			return paths, fmt.Errorf("hgrm %s: %w", s.label, err)
		}
		path := filepath.Join(dir, s.name+".hgrm")
		if err := atomicfile.Write(path, []byte(b.String())); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		return nil, errors.New("hgrm: no step has a latency histogram")
	}
	return paths, nil
}
