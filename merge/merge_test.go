package merge

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/result"
)

// TestResultsSumsAndAddsExactly: counts are summed, the merged histogram
// holds every agent's values (its count is the sum, its percentiles those
// of one histogram of all the values), each second's p99 comes from that
// second's values of every agent, the station's verification is segment
// 0's, and every producer is kept.
func TestResultsSumsAndAddsExactly(t *testing.T) {
	g := &gen{agents: 3, steps: 2, seconds: 3, perAgent: 2, valuesPerSecond: 400, keep: true}
	parts := g.parts(t)
	shuffled := []*result.Result{parts[2], parts[0], parts[1]}
	m, err := Results(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != result.StatusComplete || m.RunID != parts[0].RunID || len(m.Runs) != 2 {
		t.Fatalf("merged: status %s, run_id %s, %d runs", m.Status, m.RunID, len(m.Runs))
	}
	for s, run := range m.Runs {
		var sent, acked, histCount int64
		for _, p := range parts {
			pr := p.Runs[s]
			sent, acked = sent+pr.Sent, acked+pr.Acked
			h, err := result.DecodeHistogram(pr.Histogram)
			if err != nil {
				t.Fatal(err)
			}
			histCount += h.TotalCount()
		}
		if run.Sent != sent || run.Acked != acked || run.Offered != sent {
			t.Errorf("step %d: sent/acked/offered %d/%d/%d, want %d/%d/%d", s, run.Sent, run.Acked, run.Offered, sent, acked, sent)
		}
		h, err := result.DecodeHistogram(run.Histogram)
		if err != nil {
			t.Fatal(err)
		}
		if h.TotalCount() != histCount || h.TotalCount() != g.all[s].TotalCount() {
			t.Errorf("step %d: merged histogram counts %d, parts %d, values %d", s, h.TotalCount(), histCount, g.all[s].TotalCount())
		}
		if want := result.Latency(g.all[s]); run.LatencyUs != want {
			t.Errorf("step %d: latency %+v, want (one histogram of every value) %+v", s, run.LatencyUs, want)
		}
		if run.LatencyUs.P99 != float64(g.all[s].ValueAtQuantile(99))/1e3 {
			t.Errorf("step %d: p99 %.1fµs, want %.1fµs", s, run.LatencyUs.P99, float64(g.all[s].ValueAtQuantile(99))/1e3)
		}
		if len(run.Series) != g.seconds {
			t.Fatalf("step %d: %d seconds, want %d", s, len(run.Series), g.seconds)
		}
		for i, sec := range run.Series {
			want := float64(g.allSeconds[s][i].ValueAtQuantile(99)) / 1e3
			if sec.Second != i || sec.Acked != 3*int64(g.valuesPerSecond) || sec.P99Us != want {
				t.Errorf("step %d second %d: second %d acked %d p99 %.1f, want acked %d p99 %.1f", s, i, sec.Second, sec.Acked, sec.P99Us,
					3*g.valuesPerSecond, want)
			}
		}
		if *run.Stored != *parts[0].Runs[s].Stored || *run.Lost != 0 || *run.Duplicates != 0 {
			t.Errorf("step %d: stored/lost/duplicates %d/%d/%d, want segment 0's %d/0/0", s, *run.Stored, *run.Lost, *run.Duplicates,
				*parts[0].Runs[s].Stored)
		}
		if run.Producers != parts[0].Runs[s].Producers || len(run.ProducerStats) != run.Producers {
			t.Errorf("step %d: %d producers, %d producer stats", s, run.Producers, len(run.ProducerStats))
		}
		for i, ps := range run.ProducerStats {
			if want := "bench-" + strconv.Itoa(i+1); ps.Name != want {
				t.Errorf("step %d: producer %d is %s, want %s", s, i, ps.Name, want)
			}
		}
		if want := int64(3e6 * (s + 1)); run.PeakRSSBytes != want {
			t.Errorf("step %d: peak rss %d, want the largest agent's %d", s, run.PeakRSSBytes, want)
		}
		if run.Fairness == nil || math.Abs(*run.Fairness-1) > 1e-9 {
			t.Errorf("step %d: fairness %v, want 1", s, run.Fairness)
		}
		if math.Abs(run.ThroughputMsgsPerSec-float64(acked)/float64(g.seconds)) > 1e-6 {
			t.Errorf("step %d: throughput %.1f, want %.1f", s, run.ThroughputMsgsPerSec, float64(acked)/float64(g.seconds))
		}
	}
	if len(m.Env.Agents) != 3 {
		t.Fatalf("env.agents: %+v", m.Env.Agents)
	}
	for i, a := range m.Env.Agents {
		if a.Segment != i || a.Segments != 3 || a.Host == "" {
			t.Errorf("agent %d: %+v", i, a)
		}
	}
	if m.Env.PeakRSSBytes != 3e6 {
		t.Errorf("peak rss %d, want the largest agent's 3000000", m.Env.PeakRSSBytes)
	}
	if !slices.ContainsFunc(m.Notes, func(n string) bool { return strings.Contains(n, "largest clock offset -100 µs (segment 0") }) {
		t.Errorf("no note of the largest clock offset: %q", m.Notes)
	}
	if m.Analysis == nil || len(m.Analysis.Steps) != 2 {
		t.Errorf("analysis not recomputed: %+v", m.Analysis)
	}
	if parts[0].Runs[0].Acked != 3*int64(g.valuesPerSecond) || len(parts[0].Env.Agents) != 1 {
		t.Errorf("the parts were modified")
	}
}

// TestResultsAlignsSeriesOnWallClock: agents whose measured windows begin
// at different wall-clock seconds land on the seconds they ran in.
func TestResultsAlignsSeriesOnWallClock(t *testing.T) {
	skews := []time.Duration{0, 2200 * time.Millisecond, 300 * time.Millisecond}
	g := &gen{agents: 3, steps: 1, seconds: 3, perAgent: 1, valuesPerSecond: 300, keep: true,
		skew: func(seg int) time.Duration { return skews[seg] }}
	parts := g.parts(t)
	m, err := Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	run := m.Runs[0]
	if !run.MeasuredFrom.Equal(start) {
		t.Errorf("measured_from %s, want the earliest agent's %s", run.MeasuredFrom, start)
	}
	if math.Abs(run.DurationS-5.2) > 1e-9 {
		t.Errorf("duration %.3fs, want 5.2s (from the first agent's start to the last one's end)", run.DurationS)
	}
	// Agent 0 and 2 cover seconds 0-2, agent 1 (2.2 s late) seconds 2-4.
	wantAgents := []int64{2, 2, 3, 1, 1}
	if len(run.Series) != len(wantAgents) {
		t.Fatalf("%d seconds, want %d", len(run.Series), len(wantAgents))
	}
	for i, sec := range run.Series {
		if want := wantAgents[i] * int64(g.valuesPerSecond); sec.Acked != want {
			t.Errorf("second %d: acked %d, want %d", i, sec.Acked, want)
		}
		if want := float64(g.allSeconds[0][i].ValueAtQuantile(99)) / 1e3; sec.P99Us != want {
			t.Errorf("second %d: p99 %.1fµs, want %.1fµs", i, sec.P99Us, want)
		}
	}
}

// TestResultsWithoutSecondHistograms: when an agent kept no per-second
// histograms, a second's p99 is the largest of the agents' and the run says
// it is not exact.
func TestResultsWithoutSecondHistograms(t *testing.T) {
	g := &gen{agents: 2, steps: 1, seconds: 2, perAgent: 1, valuesPerSecond: 200}
	parts := g.parts(t)
	for i := range parts[1].Runs[0].Series {
		parts[1].Runs[0].Series[i].Histogram = ""
	}
	m, err := Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	run := m.Runs[0]
	for i, sec := range run.Series {
		want := max(parts[0].Runs[0].Series[i].P99Us, parts[1].Runs[0].Series[i].P99Us)
		if sec.P99Us != want || sec.Histogram != "" {
			t.Errorf("second %d: p99 %.1f (histogram %t), want the largest agent's %.1f", i, sec.P99Us, sec.Histogram != "", want)
		}
	}
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "upper bound") }) {
		t.Errorf("no note that the per-second p99 is an upper bound: %q", run.Notes)
	}
}

// TestResultsCombinesStatuses: a run failed in one agent is failed in the
// merge, with that agent's error and the others' measurements.
func TestResultsCombinesStatuses(t *testing.T) {
	g := &gen{agents: 3, steps: 2, seconds: 2, perAgent: 1, valuesPerSecond: 100}
	parts := g.parts(t)
	parts[1].Runs[1].Status, parts[1].Runs[1].Error = result.StatusFailed, "agent lost its connection"
	parts[1].Status, parts[1].Error = result.StatusFailed, "step 2 failed"
	for _, p := range parts {
		p.Notes = []string{"cleanup done"}
	}
	parts[2].Notes = append(parts[2].Notes, "slow start")
	m, err := Results(parts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != result.StatusFailed || m.Error != "segment 1: step 2 failed" {
		t.Errorf("result: %s %q", m.Status, m.Error)
	}
	if r := m.Runs[0]; r.Status != result.StatusComplete {
		t.Errorf("run 0: %s %q", r.Status, r.Error)
	}
	if r := m.Runs[1]; r.Status != result.StatusFailed || r.Error != "segment 1: agent lost its connection" || r.Acked != 3*2*100 {
		t.Errorf("run 1: %s %q acked %d", r.Status, r.Error, r.Acked)
	}
	if !slices.Contains(m.Notes, "cleanup done") || !slices.Contains(m.Notes, "segment 2: slow start") {
		t.Errorf("notes %q", m.Notes)
	}
}

// TestResultsRefuses: anything but one run's agents, each once and whole,
// is refused, naming the part and why.
func TestResultsRefuses(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(ps []*result.Result) []*result.Result
		want   string
	}{
		{"nothing", func([]*result.Result) []*result.Result { return nil }, "no agent results"},
		{"nil part", func(ps []*result.Result) []*result.Result { ps[1] = nil; return ps }, "part 1: no result"},
		{"other run", func(ps []*result.Result) []*result.Result { ps[2].RunID = "other"; return ps }, `part 2 (segment 2): run_id "other"`},
		{"no run id", func(ps []*result.Result) []*result.Result { ps[1].RunID = ""; return ps }, "part 1: no run_id"},
		{"duplicate segment", func(ps []*result.Result) []*result.Result { return append(ps, ps[1]) },
			"part 3 (segment 1): segment 1/3 is also part 1 (segment 1)'s"},
		{"missing segment", func(ps []*result.Result) []*result.Result { return ps[:2] }, "no result for segment 2 of 3"},
		{"no agent", func(ps []*result.Result) []*result.Result { ps[1].Env.Agents = nil; return ps }, "part 1: env.agents lists 0 agents"},
		{"merged input", func(ps []*result.Result) []*result.Result {
			ps[1].Env.Agents = append(ps[1].Env.Agents, ps[2].Env.Agents[0])
			return ps
		}, "part 1: env.agents lists 2 agents"},
		{"segments differ", func(ps []*result.Result) []*result.Result { ps[2].Env.Agents[0].Segments = 4; return ps },
			"part 2 (segment 2): segment 2 of 4, but part 0 (segment 0) is of 3"},
		{"segment out of range", func(ps []*result.Result) []*result.Result { ps[2].Env.Agents[0].Segment = 3; return ps },
			"part 2: env.agents: segment 3 of 3"},
		{"old schema", func(ps []*result.Result) []*result.Result { ps[0].SchemaVersion = 1; return ps }, "part 0: schema_version 1"},
		{"no status", func(ps []*result.Result) []*result.Result { ps[0].Status = ""; return ps }, `part 0: status ""`},
		{"other scenario", func(ps []*result.Result) []*result.Result { ps[1].Scenario.Name = "x"; return ps },
			"part 1 (segment 1): its scenario differs"},
		{"missing run", func(ps []*result.Result) []*result.Result { ps[2].Runs = ps[2].Runs[:1]; return ps },
			`part 2 (segment 2): no run target "js", 6 producers, repeat 1`},
		{"extra run", func(ps []*result.Result) []*result.Result {
			r := ps[1].Runs[0]
			r.Repeat = 2
			ps[1].Runs = append(ps[1].Runs, r)
			return ps
		}, `part 1 (segment 1): run target "js", 3 producers, repeat 2 is not in part 0`},
		{"run twice", func(ps []*result.Result) []*result.Result { ps[1].Runs = append(ps[1].Runs, ps[1].Runs[0]); return ps },
			"appears twice"},
		{"no histogram", func(ps []*result.Result) []*result.Result { ps[1].Runs[1].Histogram = ""; return ps },
			`part 1: run 1 (target "js", 6 producers, repeat 1): no latency histogram`},
		{"bad histogram", func(ps []*result.Result) []*result.Result { ps[2].Runs[0].Histogram = "HISTFAAAA"; return ps },
			`run target "js", 3 producers, repeat 1: part 2 (segment 2): add histogram`},
		{"no measured_from", func(ps []*result.Result) []*result.Result { ps[1].Runs[0].MeasuredFrom = time.Time{}; return ps },
			"part 1: run 0 (target \"js\", 3 producers, repeat 1): no measured_from"},
		{"producer twice", func(ps []*result.Result) []*result.Result {
			ps[2].Runs[0].ProducerStats[0].Name = "bench-1"
			return ps
		}, `part 2 (segment 2): producer "bench-1" of run target "js", 3 producers, repeat 1 is also in part 0 (segment 0)`},
		{"verified twice", func(ps []*result.Result) []*result.Result {
			n := int64(1)
			ps[1].Runs[0].Stored = &n
			return ps
		}, "part 1: run 0 (target \"js\", 3 producers, repeat 1): segment 1 carries a station verification"},
		{"max rate", func(ps []*result.Result) []*result.Result {
			ps[0].MaxRate = []result.MaxRateSearch{{Target: "js"}}
			return ps
		}, "part 0: holds findMaxRate searches"},
		{"series gap", func(ps []*result.Result) []*result.Result { ps[1].Runs[0].Series[1].Second = 5; return ps },
			"part 1 (segment 1): series entry 1 is second 5"},
	}
	g := &gen{agents: 3, steps: 2, seconds: 2, perAgent: 1, valuesPerSecond: 50}
	whole := g.parts(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Results(c.mutate(deepCopy(t, whole)))
			if err == nil {
				t.Fatalf("merged (%d runs), want an error containing %q", len(m.Runs), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// TestNamedNamesFiles: Named names the parts by the names given.
func TestNamedNamesFiles(t *testing.T) {
	g := &gen{agents: 2, steps: 1, seconds: 1, perAgent: 1, valuesPerSecond: 10}
	parts := g.parts(t)
	parts[1].RunID = "x"
	_, err := Named(parts, []string{"a/result.json", "b/result.json"})
	if err == nil || !strings.Contains(err.Error(), `b/result.json: run_id "x", but a/result.json has`) {
		t.Errorf("error %v, want it to name b/result.json and a/result.json", err)
	}
}

// deepCopy copies results through their JSON encoding.
func deepCopy(t *testing.T, rs []*result.Result) []*result.Result {
	t.Helper()
	out := make([]*result.Result, len(rs))
	for i, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = &result.Result{}
		if err := json.Unmarshal(b, out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
