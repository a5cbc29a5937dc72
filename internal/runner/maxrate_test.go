package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/scenarios"
)

func TestFindMaxRate(t *testing.T) {
	srv := natstest.Start(t)
	tests := []struct {
		name     string
		slo      string
		wantPass bool
	}{
		// No rate can meet a 1 µs p99: every probe fails, the bracket keeps
		// moving down, and the answer is 0 with the reason.
		{"impossible", "p99: 1us", false},
		// Every rate meets a 30 s p99 (as long as it is achieved): the first
		// probe passes and the bracket moves up.
		{"generous", "p99: 30s", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenario(t, `
name: maxrate
targets: [{name: local, kind: jetstream, url: "`+srv.URL()+`"}]
station: {name: mr-`+tt.name+`, storage: memory}
producers: {counts: [1]}
load: {duration: 300ms, warmup: 100ms, findMaxRate: {`+tt.slo+`, maxProbes: 3}}
`)
			res := Run(context.Background(), sc, Options{})
			if res.Status != report.StatusComplete {
				t.Fatalf("status %s: %s", res.Status, res.Error)
			}
			if len(res.MaxRate) != 1 {
				t.Fatalf("%d searches, want 1", len(res.MaxRate))
			}
			s := res.MaxRate[0]
			if len(s.Probes) == 0 || len(s.Probes) > 3 {
				t.Fatalf("%d probes, want 1 to 3", len(s.Probes))
			}
			// One closed-loop run, then one open-loop run per probe.
			if len(res.Runs) != 1+len(s.Probes) || res.Runs[0].Axis != scenarios.AxisProducers {
				t.Fatalf("runs: %d, first axis %q", len(res.Runs), res.Runs[0].Axis)
			}
			for i, p := range s.Probes {
				if run := res.Runs[i+1]; run.Axis != scenarios.AxisRate || run.RateMsgsPerSec != p.RateMsgsPerSec {
					t.Errorf("probe %d: run axis %q at %.0f, probe at %.0f", i, run.Axis, run.RateMsgsPerSec, p.RateMsgsPerSec)
				}
				if p.RateMsgsPerSec <= 0 || p.RateMsgsPerSec >= s.ClosedLoopMsgsPerSec {
					t.Errorf("probe %d at %.0f, outside (0, closed-loop %.0f)", i, p.RateMsgsPerSec, s.ClosedLoopMsgsPerSec)
				}
			}
			first := s.Probes[0]
			if first.RateMsgsPerSec != s.ClosedLoopMsgsPerSec/2 {
				t.Errorf("first probe %.0f, want half the closed-loop %.0f", first.RateMsgsPerSec, s.ClosedLoopMsgsPerSec)
			}
			if !tt.wantPass {
				if s.MaxRateMsgsPerSec != 0 || !strings.Contains(s.Note, "no probed rate") {
					t.Errorf("max %.0f, note %q; want 0 and a note", s.MaxRateMsgsPerSec, s.Note)
				}
				for i := 1; i < len(s.Probes); i++ {
					if s.Probes[i].RateMsgsPerSec >= s.Probes[i-1].RateMsgsPerSec {
						t.Errorf("after a failure the next probe went up: %+v", s.Probes)
					}
				}
				return
			}
			var best float64
			for _, p := range s.Probes {
				if p.Pass {
					best = max(best, p.RateMsgsPerSec)
				}
			}
			if best == 0 || s.MaxRateMsgsPerSec != best {
				t.Errorf("max %.0f, best passing probe %.0f", s.MaxRateMsgsPerSec, best)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	f := &scenarios.FindMaxRate{P99: scenarios.Duration(10 * time.Millisecond)}
	ok := report.Run{Status: report.StatusComplete, ThroughputMsgsPerSec: 995, LatencyUs: report.Percentiles{P99: 9000}}
	tests := []struct {
		name   string
		run    func(report.Run) report.Run
		pass   bool
		reason string
	}{
		{"within everything", func(r report.Run) report.Run { return r }, true, "ok"},
		{"achieved under 99%", func(r report.Run) report.Run { r.ThroughputMsgsPerSec = 980; return r }, false, "achieved 98.0% of offered"},
		{"errors", func(r report.Run) report.Run { r.Errors = 2; return r }, false, "2 errors"},
		{"p99 over", func(r report.Run) report.Run { r.LatencyUs.P99 = 10500; return r }, false, "p99 10.5ms > 10ms"},
		{"failed run", func(r report.Run) report.Run { r.Status, r.Error = report.StatusFailed, "boom"; return r }, false, "run failed: boom"},
	}
	for _, tt := range tests {
		p := judge(tt.run(ok), 1000, f)
		if p.Pass != tt.pass || !strings.Contains(p.Reason, tt.reason) {
			t.Errorf("%s: pass %v, reason %q; want %v, %q", tt.name, p.Pass, p.Reason, tt.pass, tt.reason)
		}
	}
}
