package analysis_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// TestReadVersion1 reads the committed version-1 results (written before
// the result kept its analysis) and renders them: the analysis is computed
// on reading, and the summary is the one committed beside each.
func TestReadVersion1(t *testing.T) {
	for _, name := range []string{"quickstart", "capacity-sweep", "find-max-rate"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "results", "examples", name)
			path := filepath.Join(dir, report.FileResult)
			raw, err := result.ReadJSON(path)
			if err != nil {
				t.Fatal(err)
			}
			if raw.SchemaVersion != 1 {
				t.Fatalf("%s: schema_version %d; this test wants a version-1 file", path, raw.SchemaVersion)
			}
			r, err := analysis.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if r.SchemaVersion != result.SchemaVersion || r.Analysis == nil {
				t.Fatalf("read as version %d, analysis %v", r.SchemaVersion, r.Analysis)
			}
			var got bytes.Buffer
			if err := report.Summary(&got, r); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, report.FileSummary))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("summary of %s differs from the committed one:\n%s\nwant:\n%s", path, got.Bytes(), want)
			}
		})
	}
}

// TestReadVersion1KeepsItsVerdicts: the threshold verdicts a version-1
// result stored at its top are its verdicts, failures included; reading
// does not judge again.
func TestReadVersion1KeepsItsVerdicts(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "results", "examples", "quickstart", report.FileResult))
	if err != nil {
		t.Fatal(err)
	}
	verdict := `"thresholds": [{"metric": "errors", "op": "max", "limit": 0, "limit_text": "0", "unit": "msgs",
		"reason": "no run matched target elsewhere", "pass": false}],`
	b = bytes.Replace(b, []byte(`"runs":`), []byte(verdict+"\n  \"runs\":"), 1)
	path := filepath.Join(t.TempDir(), report.FileResult)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := analysis.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	vs := r.Analysis.Thresholds
	if len(vs) != 1 || vs[0].Pass || vs[0].Reason != "no run matched target elsewhere" || report.FailedThresholds(vs) != 1 {
		t.Errorf("verdicts read = %+v", vs)
	}
	if len(r.Analysis.Capacity) != 1 || r.Analysis.Capacity[0].Fit == nil {
		t.Errorf("capacity not computed on reading: %+v", r.Analysis.Capacity)
	}
}

// TestReadJudgesAResultWithoutAnalysis: a current result that carries no
// analysis (not written by a run) gets one on reading, and its recorded
// thresholds are judged: a gate never passes on verdicts nobody made.
func TestReadJudgesAResultWithoutAnalysis(t *testing.T) {
	r, err := analysis.Read(filepath.Join("..", "results", "examples", "quickstart", report.FileResult))
	if err != nil {
		t.Fatal(err)
	}
	r.Analysis = nil
	r.Scenario.Thresholds = []result.Threshold{{Metric: "throughput", Min: &result.Limit{Number: 1e12}}}
	path := filepath.Join(t.TempDir(), report.FileResult)
	if err := result.WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := analysis.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Analysis == nil || len(got.Analysis.Thresholds) != len(got.Runs) || report.FailedThresholds(got.Analysis.Thresholds) != len(got.Runs) {
		t.Errorf("analysis on reading = %+v", got.Analysis)
	}
}
