package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stationbench/stationbench/result"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    *result.Result
	}{
		{"closed", closedResult(t)},
		{"open", openResult(t)},
		{"empty", &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusFailed, Error: "no target reachable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Summary(&buf, tt.r); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "summary_"+tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report -run TestSummaryGolden -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("summary differs from %s:\n--- got\n%s\n--- want\n%s", golden, buf.Bytes(), want)
			}
		})
	}
}

func TestFormatLatencyUs(t *testing.T) {
	tests := []struct {
		us   float64
		want string
	}{
		{0, "0"},
		{0.85, "850ns"},
		{1, "1µs"},
		{312.4, "312µs"},
		{999.7, "1ms"},
		{4214, "4.21ms"},
		{10_000, "10ms"},
		{1_200_000, "1.2s"},
		{61_234_567, "61.2s"},
	}
	for _, tt := range tests {
		if got := FormatLatencyUs(tt.us); got != tt.want {
			t.Errorf("FormatLatencyUs(%v) = %q, want %q", tt.us, got, tt.want)
		}
	}
}

func TestRunTableShowsFaultColumnsOnlyWhenNeeded(t *testing.T) {
	dup := int64(3)
	quiet := []result.Run{{Target: "a", Producers: 1, Status: result.StatusComplete}}
	cols, _, _ := runTable(quiet)
	for _, c := range cols {
		if c == "dups" || c == "disconnects" {
			t.Errorf("column %q shown for a run without faults", c)
		}
	}
	faulty := []result.Run{{Target: "a", Producers: 1, Status: result.StatusComplete, Duplicates: &dup, Disconnects: 2, DisconnectedS: 1.5}}
	cols, rows, _ := runTable(faulty)
	got := map[string]string{}
	for i, c := range cols {
		got[c] = rows[0][i]
	}
	if got["dups"] != "3" || got["disconnects"] != "2" || got["down"] != "1.5s" {
		t.Errorf("fault columns: %v", got)
	}
}
