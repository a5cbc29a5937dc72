package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/stationbench/stationbench/internal/atomicfile"
)

// Encode writes r to w as indented JSON. A zero SchemaVersion is written as
// SchemaVersion. JSON cannot carry NaN or ±Inf, so non-finite numbers in the
// runs (a rate over a zero-length window, say) are written as 0 rather than
// losing the whole document. r itself is not modified.
func Encode(w io.Writer, r *Result) error {
	if r == nil {
		return errors.New("encode result: nil result")
	}
	out := *r
	if out.SchemaVersion == 0 {
		out.SchemaVersion = SchemaVersion
	}
	out.Runs = finiteRuns(r.Runs)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	return nil
}

// WriteJSON writes r to path atomically: it writes a temporary file in the
// same folder and renames it over path, so readers never see half a file.
func WriteJSON(path string, r *Result) error {
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}

// ReadJSON reads a result written by WriteJSON, of this schema version or
// version 1. A version-1 result comes back as it was stored: SchemaVersion
// 1, and an Analysis holding only its threshold verdicts (version 1 kept
// them at the top of the document); analysis.Read completes it. ReadJSON
// rejects a document whose schema_version is missing or unknown.
func ReadJSON(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var head struct {
		SchemaVersion *int `json:"schema_version"`
		// Thresholds is where version 1 kept the verdicts.
		Thresholds []ThresholdVerdict `json:"thresholds"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	switch {
	case head.SchemaVersion == nil:
		return nil, fmt.Errorf("read result %s: no schema_version; not a stationbench result", path)
	case *head.SchemaVersion != SchemaVersion && *head.SchemaVersion != 1:
		return nil, fmt.Errorf("read result %s: schema_version %d is not supported (this stationbench reads versions 1 to %d)",
			path, *head.SchemaVersion, SchemaVersion)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	if r.SchemaVersion == 1 {
		r.Analysis = &Analysis{Thresholds: head.Thresholds}
	}
	return &r, nil
}

// finiteRuns returns runs unchanged when every number is finite, else a copy
// with non-finite numbers replaced by 0.
func finiteRuns(runs []Run) []Run {
	ok := true
	for i := range runs {
		if !runFinite(&runs[i]) {
			ok = false
			break
		}
	}
	if ok {
		return runs
	}
	out := make([]Run, len(runs))
	for i, run := range runs {
		run.RateMsgsPerSec = Finite(run.RateMsgsPerSec)
		run.DurationS = Finite(run.DurationS)
		run.WarmupS = Finite(run.WarmupS)
		run.ThroughputMsgsPerSec = Finite(run.ThroughputMsgsPerSec)
		run.ThroughputBytesPerSec = Finite(run.ThroughputBytesPerSec)
		run.LatencyUs = finitePercentiles(run.LatencyUs)
		run.LatencyUncorrectedUs = finitePercentiles(run.LatencyUncorrectedUs)
		if run.PacerLagUs != nil {
			lag := finitePercentiles(*run.PacerLagUs)
			run.PacerLagUs = &lag
		}
		if run.Series != nil {
			run.Series = append([]Second(nil), run.Series...)
			for j := range run.Series {
				run.Series[j].P99Us = Finite(run.Series[j].P99Us)
			}
		}
		out[i] = run
	}
	return out
}

func runFinite(r *Run) bool {
	fs := []float64{r.RateMsgsPerSec, r.DurationS, r.WarmupS, r.ThroughputMsgsPerSec, r.ThroughputBytesPerSec}
	ps := []Percentiles{r.LatencyUs, r.LatencyUncorrectedUs}
	if r.PacerLagUs != nil {
		ps = append(ps, *r.PacerLagUs)
	}
	for _, p := range ps {
		fs = append(fs, p.P50, p.P90, p.P99, p.P999, p.Max, p.Mean)
	}
	for _, s := range r.Series {
		fs = append(fs, s.P99Us)
	}
	for _, f := range fs {
		if f != Finite(f) {
			return false
		}
	}
	return true
}

func finitePercentiles(p Percentiles) Percentiles {
	return Percentiles{P50: Finite(p.P50), P90: Finite(p.P90), P99: Finite(p.P99),
		P999: Finite(p.P999), Max: Finite(p.Max), Mean: Finite(p.Mean)}
}

// Finite is f, or 0 when f is NaN or ±Inf: the result encodes non-finite
// numbers as 0 (JSON cannot carry them), and renderers do the same.
func Finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
