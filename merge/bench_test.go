package merge

import (
	"encoding/json"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// benchRun is the distributed run the benchmarks merge: 100 agents, 16
// steps of 30 s each, every second with its histogram (as the agents write
// them), 1,000 latencies per agent per second drawn around 2 ms, 2 to 32
// producers per agent. Eight distinct agents' histograms are made and
// reused, to keep the setup short; the merge does the same work for each.
var benchRun = gen{agents: 100, steps: 16, seconds: 30, perAgent: 2, valuesPerSecond: 1000, templates: 8}

// BenchmarkResults100x16 merges the 100 agent results in memory: what
// `stationbench merge` costs once the files are read.
//
//	go test -run '^$' -bench 'Results100x16' -benchmem -benchtime 5x ./merge
func BenchmarkResults100x16(b *testing.B) {
	g := benchRun
	parts := g.parts(b)
	b.ReportAllocs()
	for b.Loop() {
		m, err := Results(parts)
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Runs) != g.steps {
			b.Fatalf("%d runs", len(m.Runs))
		}
	}
	b.ReportMetric(jsonMB(b, parts), "input-MB") // the 100 result.json files
}

// BenchmarkReadAndMerge100x16 decodes the 100 result.json documents and
// merges them: `stationbench merge` less the file reads and the reports.
//
//	go test -run '^$' -bench 'ReadAndMerge100x16' -benchmem -benchtime 5x ./merge
func BenchmarkReadAndMerge100x16(b *testing.B) {
	g := benchRun
	parts := g.parts(b)
	docs := make([][]byte, len(parts))
	for i, p := range parts {
		var err error
		if docs[i], err = json.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
	parts = nil
	b.ReportAllocs()
	for b.Loop() {
		read := make([]*result.Result, len(docs))
		for i, d := range docs {
			read[i] = &result.Result{}
			if err := json.Unmarshal(d, read[i]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := Results(read); err != nil {
			b.Fatal(err)
		}
	}
}

// jsonMB is the size of the parts' JSON, in MB.
func jsonMB(b *testing.B, parts []*result.Result) float64 {
	n := 0
	for _, p := range parts {
		d, err := json.Marshal(p)
		if err != nil {
			b.Fatal(err)
		}
		n += len(d)
	}
	return float64(n) / 1e6
}
