package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stationbench/stationbench/internal/atomicfile"
	"github.com/stationbench/stationbench/result"
)

// Names of the files WriteAll writes (besides one PNG and one SVG per
// chart, named after Chart.Name).
const (
	FileResult     = "result.json"
	FileSummary    = "summary.txt"
	FileThroughput = "throughput.png"
	FileLatency    = "latency.png"
	FileHTML       = "report.html"
)

// WriteAll writes into dir, creating it if needed: result.json first, then
// summary.txt, a PNG and an SVG of every chart (see Charts), and
// report.html. It attempts every file, so a chart that fails does not cost
// the result or the summary, and returns the joined errors.
func WriteAll(dir string, r *result.Result) error {
	if r == nil {
		return errors.New("write report: nil result")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	var errs []error
	if err := result.WriteJSON(filepath.Join(dir, FileResult), r); err != nil {
		errs = append(errs, err)
	}
	var buf bytes.Buffer
	if err := Summary(&buf, r); err != nil {
		errs = append(errs, err)
	} else if err := atomicfile.Write(filepath.Join(dir, FileSummary), buf.Bytes()); err != nil {
		errs = append(errs, err)
	}
	if _, err := WritePage(dir, r); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// WritePage writes into dir a PNG and an SVG of every chart (see Charts)
// and report.html, and returns the paths written. Each chart is drawn once
// in each format: the SVG written to its file is the one inlined in the
// page. It attempts every file and returns the joined errors.
func WritePage(dir string, r *result.Result) ([]string, error) {
	if r == nil {
		return nil, errors.New("write report: nil result")
	}
	return writePage(dir, r, Charts(r))
}

// writePage writes charts as PNG and SVG files and the page that inlines
// the same SVGs.
func writePage(dir string, r *result.Result, charts []Chart) ([]string, error) {
	var written []string
	var errs []error
	var page []htmlChart
	for _, c := range charts {
		png := filepath.Join(dir, c.Name+".png")
		if err := c.Save(png); err != nil {
			errs = append(errs, err)
		} else {
			written = append(written, png)
		}
		b, err := c.Render("svg")
		page = append(page, pageChart(c, b, err))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		svg := filepath.Join(dir, c.Name+".svg")
		if err := atomicfile.Write(svg, b); err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", c.Name, err))
			continue
		}
		written = append(written, svg)
	}
	var buf bytes.Buffer
	if err := writeHTML(&buf, r, page); err != nil {
		errs = append(errs, err)
	} else {
		path := filepath.Join(dir, FileHTML)
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			errs = append(errs, err)
		} else {
			written = append(written, path)
		}
	}
	return written, errors.Join(errs...)
}
