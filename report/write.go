package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Names of the files WriteAll writes.
const (
	FileResult     = "result.json"
	FileSummary    = "summary.txt"
	FileThroughput = "throughput.png"
	FileLatency    = "latency.png"
)

// WriteAll writes result.json, summary.txt, throughput.png and latency.png
// into dir, creating it if needed. It attempts every file, so a chart that
// fails does not cost the result, and returns the joined errors.
func WriteAll(dir string, r *Result) error {
	if r == nil {
		return errors.New("write report: nil result")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	var errs []error
	if err := WriteJSON(filepath.Join(dir, FileResult), r); err != nil {
		errs = append(errs, err)
	}
	var buf bytes.Buffer
	if err := Summary(&buf, r); err != nil {
		errs = append(errs, err)
	} else if err := writeFileAtomic(filepath.Join(dir, FileSummary), buf.Bytes()); err != nil {
		errs = append(errs, err)
	}
	if err := PlotThroughput(r, filepath.Join(dir, FileThroughput)); err != nil {
		errs = append(errs, err)
	}
	if err := PlotLatency(r, filepath.Join(dir, FileLatency)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
