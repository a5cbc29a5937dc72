package plan

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/scenarios"
)

func parse(t *testing.T, doc string) scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// runsOf lists target, producers and repeat of every step, in plan order.
func runsOf(p Plan) []string {
	var out []string
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			out = append(out, e.Step.Target+"/"+itoa(e.Step.Producers)+"/"+itoa(e.Step.Repeat))
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBuildOrder: targets one after the other; within a target the repeats
// go round every step in turn, or finish one step first (sequential).
func TestBuildOrder(t *testing.T) {
	base := `name: o
targets: [{name: a, kind: jetstream}, {name: b, kind: nats}]
producers: {counts: [1, 2]}
load: {repeat: 2`
	for _, tt := range []struct {
		order string
		want  string
	}{
		{"", "a/1/1 a/2/1 a/1/2 a/2/2 b/1/1 b/2/1 b/1/2 b/2/2"},
		{", order: sequential", "a/1/1 a/1/2 a/2/1 a/2/2 b/1/1 b/1/2 b/2/1 b/2/2"},
	} {
		p := Build(parse(t, base+tt.order+"}\n"))
		if got := strings.Join(runsOf(p), " "); got != tt.want {
			t.Errorf("order %q: %s, want %s", tt.order, got, tt.want)
		}
		if p.Runs() != 8 {
			t.Errorf("Runs() = %d, want 8", p.Runs())
		}
	}
}

// TestBuildStepSettings: each step carries what its driver and workers
// read, with the rules that depend on target and producers decided per step.
func TestBuildStepSettings(t *testing.T) {
	p := Build(parse(t, `name: s
targets: [{name: a, kind: nats, timeoutMs: 250}, {name: b, kind: nats}]
producers: {name: w, counts: [1], ack: sync, connections: shared}
message: {size: 1KiB}
load: {warmup: 1s, duration: 2s, drain: 3s, lateAfter: 5ms, rates: [100, 200]}
thresholds:
  - {metric: lost, max: 10, target: a}
  - {metric: latency.p99, max: 20ms, target: b}
`))
	a := *p.Targets[0].Entries[1].Step
	want := Step{Step: scenarios.Step{Axis: scenarios.AxisRate, Producers: 1, Rate: 200}, Target: "a", Kind: scenarios.KindNATS,
		Repeat: 1, Repeats: 1, Warmup: time.Second, Duration: 2 * time.Second, Drain: 3 * time.Second, LateAfter: 5 * time.Millisecond,
		ProducerName: "w", Connections: scenarios.ConnShared, Ack: scenarios.AckSync, MaxPending: 1, AckTimeout: 250 * time.Millisecond,
		MessageSize: 1024, Verify: true, AcceptLoss: true}
	if a.Phases != nil || a.Step != want.Step || a.Target != want.Target || a.Kind != want.Kind || a.Repeat != want.Repeat ||
		a.Repeats != want.Repeats || a.Warmup != want.Warmup || a.Duration != want.Duration || a.Drain != want.Drain ||
		a.LateAfter != want.LateAfter || a.ProducerName != want.ProducerName || a.Connections != want.Connections ||
		a.Ack != want.Ack || a.MaxPending != want.MaxPending || a.AckTimeout != want.AckTimeout ||
		a.MessageSize != want.MessageSize || a.Verify != want.Verify || a.AcceptLoss != want.AcceptLoss || a.SLOP99Us != 0 {
		t.Errorf("step\n%+v\nwant\n%+v", a, want)
	}
	if b := p.Targets[1].Entries[0].Step; b.AcceptLoss || b.SLOP99Us != 20000 {
		t.Errorf("target b: accept loss %v, SLO p99 %v µs; want false, 20000", b.AcceptLoss, b.SLOP99Us)
	}
	if p.Targets[0].MessageSize != 1024 {
		t.Errorf("target message size %d, want 1024", p.Targets[0].MessageSize)
	}
}

// TestSLOP99: the producers' score reference is the latency.p99 threshold
// covering the run, else findMaxRate's p99, else none.
func TestSLOP99(t *testing.T) {
	ms := func(d time.Duration) *scenarios.Limit {
		return &scenarios.Limit{Duration: scenarios.Duration(d), IsDuration: true}
	}
	tests := []struct {
		name string
		sc   scenarios.Scenario
		want float64
	}{
		{"none", scenarios.Scenario{}, 0},
		{"threshold", scenarios.Scenario{Thresholds: []scenarios.Threshold{{Metric: scenarios.MetricLatencyP99, Max: ms(20 * time.Millisecond)}}}, 20000},
		{"other target", scenarios.Scenario{Thresholds: []scenarios.Threshold{{Metric: scenarios.MetricLatencyP99, Max: ms(20 * time.Millisecond), Target: "b"}}}, 0},
		{"findMaxRate", scenarios.Scenario{Load: scenarios.Load{FindMaxRate: &scenarios.FindMaxRate{P99: scenarios.Duration(5 * time.Millisecond)}}}, 5000},
	}
	for _, tt := range tests {
		if got := sloP99Us(tt.sc, "a", 2); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestBuildSearch: findMaxRate makes one search per producer count, its
// closed-loop probe first; probes at a rate keep the step's settings.
func TestBuildSearch(t *testing.T) {
	p := Build(parse(t, `name: f
targets: [{name: a, kind: jetstream}]
producers: {counts: [1, 4]}
load: {warmup: 1s, duration: 2s, drain: 1s, findMaxRate: {p99: 5ms, maxProbes: 4}}
`))
	es := p.Targets[0].Entries
	if len(es) != 2 || es[0].Search == nil || es[0].Step != nil || es[1].Search.Closed.Producers != 4 {
		t.Fatalf("entries %+v, want two searches (1 and 4 producers)", es)
	}
	s := *es[0].Search
	if s.Closed.Axis != scenarios.AxisProducers || s.Closed.Rate != 0 || s.MaxRuns() != 6 || s.Closed.SLOP99Us != 5000 {
		t.Errorf("search %+v, want a closed-loop probe, at most 6 runs, SLO 5ms", s)
	}
	if pr := s.Closed.AtRate(700); pr.Axis != scenarios.AxisRate || pr.Rate != 700 || pr.Warmup != time.Second || pr.Producers != 1 {
		t.Errorf("probe at 700/s: %+v", pr)
	}
	if p.Runs() != 12 {
		t.Errorf("Runs() = %d, want 12 (2 searches of at most 6)", p.Runs())
	}
	if e := p.Estimate(); e.Load != 36*time.Second || e.Drain != 12*time.Second || e.Most() != 48*time.Second {
		t.Errorf("estimate %+v, want 36s of load and 12s of drain", e)
	}
}

// TestWriteText: a heading, one line per run (per search) in run order,
// and the estimate, with no trailing spaces.
func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	p := Build(parse(t, `name: w
targets: [{name: a, kind: jetstream}]
producers: {counts: [1, 2]}
load: {warmup: 1s, duration: 3s, drain: 5s, repeat: 2, rate: 100}
`))
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2+4+1 {
		t.Fatalf("%d lines, want heading, header, 4 runs and the estimate:\n%s", len(lines), b.String())
	}
	if lines[0] != "plan of w: 4 runs on 1 target, in the order they run" {
		t.Errorf("heading %q", lines[0])
	}
	for i, want := range []string{"1  a  jetstream  1  100/s  1/2", "2  a  jetstream  2  100/s  1/2", "3  a  jetstream  1  100/s  2/2"} {
		if got := strings.Join(strings.Fields(lines[2+i])[:6], "  "); got != want {
			t.Errorf("run line %d: %q, want it to start %q", i+1, lines[2+i], want)
		}
	}
	if want := "estimate: about 16s of load (warmup + measured time of 4 runs); at most 36s with every drain waited out"; !strings.HasPrefix(lines[6], want) {
		t.Errorf("estimate line %q, want it to start %q", lines[6], want)
	}
	for _, l := range lines {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("trailing spaces: %q", l)
		}
	}
	b.Reset()
	p = Build(parse(t, "name: f\nload: {findMaxRate: {p99: 5ms, maxProbes: 4}}\n"))
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), " 1-6 embedded jetstream 1 max-rate search - 2s 10s 5s") ||
		!strings.Contains(b.String(), "objectives p99<=5ms") || !strings.HasPrefix(b.String(), "plan of f: at most 6 runs on 1 target") ||
		!strings.Contains(b.String(), "a search counted at its most runs") {
		t.Errorf("search plan:\n%s", b.String())
	}
}
