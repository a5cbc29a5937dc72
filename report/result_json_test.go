package report

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		r    *result.Result
	}{
		{"closed", closedResult(t)},
		{"open", openResult(t)},
		{"empty", &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusFailed, Error: "no targets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "result.json")
			if err := result.WriteJSON(path, tt.r); err != nil {
				t.Fatal(err)
			}
			got, err := result.ReadJSON(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.r) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, tt.r)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("folder holds %d entries, want only result.json (temp file left?)", len(entries))
			}
		})
	}
}

func TestReadJSONRejects(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"newer schema", `{"schema_version": 99, "status": "complete"}`, "schema_version 99"},
		{"no schema", `{"status": "complete"}`, "no schema_version"},
		{"not json", `schema_version: 1`, "read result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "result.json")
			if err := os.WriteFile(path, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := result.ReadJSON(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadJSON error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := result.ReadJSON(filepath.Join(t.TempDir(), "missing.json")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: error = %v, want a wrapped not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestEncode(t *testing.T) {
	r := closedResult(t)
	r.SchemaVersion = 0
	r.Runs[0].ThroughputMsgsPerSec = math.NaN()
	r.Runs[1].LatencyUs.P99 = math.Inf(1)
	var buf bytes.Buffer
	if err := result.Encode(&buf, r); err != nil {
		t.Fatalf("Encode with non-finite numbers: %v", err)
	}
	if !strings.Contains(buf.String(), "\n  \"schema_version\": 2,") {
		t.Errorf("output not indented or schema_version not filled in:\n%.200s", buf.String())
	}
	if r.SchemaVersion != 0 || !math.IsNaN(r.Runs[0].ThroughputMsgsPerSec) {
		t.Error("Encode modified its input")
	}
	if err := result.Encode(&buf, nil); err == nil {
		t.Error("Encode(nil) succeeded, want error")
	}
}
