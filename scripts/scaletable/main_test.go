package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestWriteTable: a row per run, the server told from the
// target, RSS and RSS/prod as the summary computes them, a failed run's
// status in place of its msgs/s and its error below the table.
func TestWriteTable(t *testing.T) {
	const mib = 1 << 20
	dir := t.TempDir()
	r := &result.Result{
		Status:   result.StatusFailed,
		Scenario: result.Scenario{Name: "scale-core", Producers: result.Producers{Connections: "per-producer"}},
		Env:      result.Env{Targets: []result.TargetEnv{{Name: "core", Kind: "nats", Embedded: true}}},
		Runs: []result.Run{
			{Target: "core", Kind: "nats", Producers: 1, Repeat: 1, Status: result.StatusComplete, PeakRSSBytes: 41 * mib,
				ThroughputMsgsPerSec: 10000},
			{Target: "core", Kind: "nats", Producers: 101, Repeat: 1, Status: result.StatusComplete, PeakRSSBytes: 141 * mib,
				ThroughputMsgsPerSec: 9999.6},
			{Target: "core", Kind: "nats", Producers: 10000, Repeat: 1, Status: result.StatusFailed, Error: "a step needs about 20256 open files"},
		},
	}
	if err := result.WriteJSON(filepath.Join(dir, "result.json"), r); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := write(&b, []string{dir}); err != nil {
		t.Fatal(err)
	}
	want := `| server | kind | connections | producers | peak RSS | RSS per producer | msgs/s |
|---|---|---|---:|---:|---:|---:|
| embedded | core NATS | per-producer | 1 | 41.0 MiB |  | 10000 |
| embedded | core NATS | per-producer | 101 | 141 MiB | 1024.0 KiB | 10000 |
| embedded | core NATS | per-producer | 10000 | - |  | failed [1] |

- [1] embedded, scale-core, 10000 producers: a step needs about 20256 open files
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
