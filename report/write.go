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
	if _, err := WriteCharts(dir, r, "png", "svg"); err != nil {
		errs = append(errs, err)
	}
	buf.Reset()
	if err := HTML(&buf, r); err != nil {
		errs = append(errs, err)
	} else if err := atomicfile.Write(filepath.Join(dir, FileHTML), buf.Bytes()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
