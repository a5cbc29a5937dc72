package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestProducerStatsPhasesAndTrace runs two steps with a pause and a resume
// and checks the per-producer records, the phases and the trace file.
func TestProducerStatsPhasesAndTrace(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	dir := t.TempDir()
	sc := scenario(t, `
name: producers
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: producers, storage: memory}
producers: {counts: [2, 4], maxPending: 32}
message: {size: 64}
load: {duration: 2s, warmup: 200ms, drain: 2s}
labels: {git: abc123}
phases:
  - {at: 500ms, pause: 50%}
  - {at: 1500ms, resume: all}
trace: {types: [pause, resume, publish], sample: 0.01}
`)
	res := Run(context.Background(), sc, Options{Version: "test", OutDir: dir})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if res.Labels["git"] != "abc123" {
		t.Errorf("labels %v", res.Labels)
	}
	ids := map[string]bool{}
	for _, run := range res.Runs {
		if len(run.ProducerStats) != run.Producers {
			t.Fatalf("%d producers, %d records", run.Producers, len(run.ProducerStats))
		}
		var sent, acked, errs, bytes int64
		for i, p := range run.ProducerStats {
			sent, acked, errs, bytes = sent+p.Sent, acked+p.Acked, errs+p.Errors, bytes+p.Bytes
			if !uuidV4.MatchString(p.ID) || ids[p.ID] {
				t.Errorf("id %q: not a fresh UUID v4", p.ID)
			}
			ids[p.ID] = true
			if p.Score < 0 || p.Score > 10 || p.ScoreBasis != "median" {
				t.Errorf("%s: score %v basis %q", p.Name, p.Score, p.ScoreBasis)
			}
			if p.LatencyUs.P50 <= 0 || p.LatencyUs.P99 < p.LatencyUs.P50 || p.LatencyUs.Max < p.LatencyUs.P99 {
				t.Errorf("%s: latency %+v", p.Name, p.LatencyUs)
			}
			// 50% of the producers, the lowest-numbered, were paused (for
			// how long depends on when the machine woke the phase timers:
			// checked against the phase events below, not a clock here).
			if pausedWant := i < run.Producers/2; pausedWant != (p.PausedS > 0) {
				t.Errorf("%s: paused %.3fs", p.Name, p.PausedS)
			}
		}
		if sent != run.Sent || acked != run.Acked || errs != run.Errors || bytes != run.Sent*64 {
			t.Errorf("%d producers: records sum to sent %d acked %d errors %d, run has %d %d %d",
				run.Producers, sent, acked, errs, run.Sent, run.Acked, run.Errors)
		}
		if run.Fairness == nil || *run.Fairness <= 0 || *run.Fairness > 1 {
			t.Errorf("fairness %v", run.Fairness)
		}
		if len(run.Phases) != 2 || run.Phases[0].Action != "pause" || len(run.Phases[0].Producers) != run.Producers/2 ||
			run.Phases[1].Action != "resume" || len(run.Phases[1].Producers) != run.Producers/2 {
			t.Fatalf("phases %+v", run.Phases)
		}
		pause, resume := run.Phases[0].AtS, run.Phases[1].AtS
		if pause < 0.5 || resume < 1.5 || resume <= pause {
			t.Errorf("pause at %.3fs and resume at %.3fs, planned 0.5s and 1.5s: a phase came early", pause, resume)
		}
		// The series shows each phase in the second it happened.
		n := itoa(run.Producers / 2)
		if s, i, j := run.Series, int(pause), int(resume); j >= len(s) || s[i].Phase != "pause "+n || s[j].Phase != "resume "+n ||
			s[j].Paused != 0 || (i < j && s[i].Paused != run.Producers/2) {
			t.Errorf("series does not show the pause in second %d and the resume in second %d: %+v", i, j, s)
		}
	}
	checkTrace(t, filepath.Join(dir, TraceFile), res.Trace, map[string]bool{"pause": true, "resume": true, "publish": true})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// checkTrace checks that every line parses and has a configured type.
func checkTrace(t *testing.T, path string, sum *result.TraceSummary, types map[string]bool) {
	t.Helper()
	if sum == nil || sum.Error != "" {
		t.Fatalf("trace summary %+v", sum)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	lines := int64(0)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"timestamp", "producer", "type", "direction"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line %s: no %s", sc.Text(), k)
			}
		}
		typ, _ := l["type"].(string)
		if !types[typ] {
			t.Errorf("line %s: type %q was not asked for", sc.Text(), typ)
		}
		seen[typ]++
		lines++
	}
	if lines != sum.Events || sum.Dropped != 0 {
		t.Errorf("%d lines, summary %+v", lines, sum)
	}
	for typ := range types {
		if seen[typ] == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	// Pauses: 1 of 2 producers, then 2 of 4.
	if seen["pause"] != 3 || seen["resume"] != 3 {
		t.Errorf("pause/resume events %v", seen)
	}
}
