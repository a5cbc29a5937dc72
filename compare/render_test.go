package compare

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

var update = flag.Bool("update", false, "rewrite golden files")

// renderFixture compares a base and a new result with a regression at 1
// producer, a noisy step at 2, a 3-repeat step at 4 and a step missing
// from the new result at 8.
func renderFixture(t *testing.T) *Report {
	t.Helper()
	base := runsOf([]float64{100, 102, 98, 101}, []float64{1000, 1010, 990, 1005})
	cur := runsOf([]float64{70, 71, 69, 72}, []float64{1500, 1400, 1450, 1600})
	add := func(r *result.Result, producers int, tput []float64) {
		for i, v := range tput {
			r.Runs = append(r.Runs, result.Run{Target: "local", Axis: result.AxisProducers, Producers: producers,
				Repeat: i + 1, Status: result.StatusComplete, ThroughputMsgsPerSec: v,
				LatencyUs: result.Percentiles{P50: 500, P99: 1000, P999: 2000}})
		}
	}
	add(base, 2, []float64{100, 60, 140, 100})
	add(cur, 2, []float64{70, 130, 65, 75})
	add(base, 4, []float64{100, 101, 99})
	add(cur, 4, []float64{80, 81, 79})
	add(base, 8, []float64{100, 101, 99})
	rep, err := Compare(base, cur, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.BaseName, rep.NewName = "base.json", "new.json"
	return rep
}

func TestRenderGolden(t *testing.T) {
	rep := renderFixture(t)
	for _, f := range []Format{FormatText, FormatMarkdown, FormatJUnit} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, rep, f); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "compare."+string(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if buf.String() != string(want) {
				t.Errorf("%s output =\n%s\nwant\n%s", f, buf.String(), want)
			}
		})
	}
}

func TestJUnitShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, renderFixture(t)); err != nil {
		t.Fatal(err)
	}
	var doc report.JUnitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// 4 steps x 4 metrics; 1 producer: throughput and 3 latencies regress
	// (they move together in the fixture); 4 producers: throughput by
	// tolerance alone; 8 producers, not measured in the new result: 4
	// failures.
	if doc.Tests != 16 || doc.Skipped != 0 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 16 {
		t.Errorf("tests %d skipped %d suites %d", doc.Tests, doc.Skipped, len(doc.Suites))
	}
	failures := 0
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failures++
		}
	}
	if rep := renderFixture(t); failures != doc.Failures || failures != rep.Regressions()+rep.NotMeasured() {
		t.Errorf("failures: %d cases, %d in the header, %d regressions", failures, doc.Failures, renderFixture(t).Regressions())
	}
}

func TestParseFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Format
		ok   bool
	}{{"text", FormatText, true}, {"Markdown", FormatMarkdown, true}, {"junit", FormatJUnit, true}, {"html", "", false}} {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v", tt.in, got, err)
		}
	}
}
