package runner

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// TestFindMaxRate is not parallel: whether a probe achieves its offered
// rate depends on the CPU the other tests leave it.
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
			if res.Status != result.StatusComplete {
				t.Fatalf("status %s: %s", res.Status, res.Error)
			}
			if len(res.MaxRate) != 1 {
				t.Fatalf("%d searches, want 1", len(res.MaxRate))
			}
			s := res.MaxRate[0]
			if len(s.Probes) == 0 || len(s.Probes) > 4 {
				t.Fatalf("%d probes, want 1 to 3 and a confirmation", len(s.Probes))
			}
			// One closed-loop run, then one open-loop run per probe.
			if len(res.Runs) != 1+len(s.Probes) || res.Runs[0].Axis != scenarios.AxisProducers {
				t.Fatalf("runs: %d, first axis %q", len(res.Runs), res.Runs[0].Axis)
			}
			for i, p := range s.Probes {
				if run := res.Runs[i+1]; run.Axis != scenarios.AxisRate || run.RateMsgsPerSec != p.RateMsgsPerSec {
					t.Errorf("probe %d: run axis %q at %.0f, probe at %.0f", i, run.Axis, run.RateMsgsPerSec, p.RateMsgsPerSec)
				}
				if p.RateMsgsPerSec != math.Round(p.RateMsgsPerSec) {
					t.Errorf("probe %d at %v: not a whole msgs/s", i, p.RateMsgsPerSec)
				}
				if p.Sent == 0 {
					t.Errorf("probe %d records no sends", i)
				}
				if p.RateMsgsPerSec <= 0 || p.RateMsgsPerSec >= s.ClosedLoopMsgsPerSec {
					t.Errorf("probe %d at %.0f, outside (0, closed-loop %.0f)", i, p.RateMsgsPerSec, s.ClosedLoopMsgsPerSec)
				}
			}
			first := s.Probes[0]
			if first.RateMsgsPerSec != math.Round(math.Round(s.ClosedLoopMsgsPerSec)/2) {
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
			last := s.Probes[len(s.Probes)-1]
			if !last.Confirm || last.RateMsgsPerSec != s.HighestPassMsgsPerSec && last.RateMsgsPerSec != s.LowestFailMsgsPerSec {
				t.Errorf("last probe %+v is not the confirmation of the answer", last)
			}
			if s.Confirmed && (best == 0 || s.MaxRateMsgsPerSec != best || s.HighestPassMsgsPerSec != best) {
				t.Errorf("max %.0f, bracket low %.0f, best passing probe %.0f", s.MaxRateMsgsPerSec, s.HighestPassMsgsPerSec, best)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	f := &scenarios.FindMaxRate{P99: scenarios.Duration(10 * time.Millisecond)}
	ok := result.Run{Status: result.StatusComplete, ThroughputMsgsPerSec: 995, LatencyUs: result.Percentiles{P99: 9000}}
	tests := []struct {
		name   string
		run    func(result.Run) result.Run
		pass   bool
		reason string
	}{
		{"within everything", func(r result.Run) result.Run { return r }, true, "ok"},
		{"achieved under 99%", func(r result.Run) result.Run { r.ThroughputMsgsPerSec = 980; return r }, false, "achieved 98.0% of offered"},
		{"errors", func(r result.Run) result.Run { r.Errors = 2; return r }, false, "2 errors"},
		{"p99 over", func(r result.Run) result.Run { r.LatencyUs.P99 = 10500; return r }, false, "p99 10.5ms > 10ms"},
		{"failed run", func(r result.Run) result.Run { r.Status, r.Error = result.StatusFailed, "boom"; return r }, false, "run failed: boom"},
	}
	for _, tt := range tests {
		p := judge(tt.run(ok), 1000, f)
		if p.Pass != tt.pass || !strings.Contains(p.Reason, tt.reason) {
			t.Errorf("%s: pass %v, reason %q; want %v, %q", tt.name, p.Pass, p.Reason, tt.pass, tt.reason)
		}
	}
}

// scripted answers probes from a rule, and records the rates asked.
type scripted struct {
	rates []float64
	pass  func(rate float64, nth int) bool
}

func (s *scripted) probe(_ context.Context, rate float64) result.RateProbe {
	s.rates = append(s.rates, rate)
	nth := 0
	for _, r := range s.rates {
		if r == rate {
			nth++
		}
	}
	ok := s.pass(rate, nth)
	reason := "ok"
	if !ok {
		reason = "p99 12ms > 10ms"
	}
	return result.RateProbe{RateMsgsPerSec: rate, AchievedMsgsPerSec: rate, Pass: ok, Reason: reason, Sent: int64(rate)}
}

// TestBisectConfirmsAndBrackets: rates are whole msgs/s, the answer is
// re-probed once, and the bracket is reported; a failed confirmation falls
// back to the next lower rate that passed.
func TestBisectConfirmsAndBrackets(t *testing.T) {
	f := &scenarios.FindMaxRate{P99: scenarios.Duration(10 * time.Millisecond), MaxProbes: 8, Precision: 0.05}
	const limit = 34600.0
	tests := []struct {
		name          string
		pass          func(rate float64, nth int) bool
		confirmed     bool
		answer        float64
		bracketLo, hi float64
	}{
		{"steady", func(r float64, _ int) bool { return r <= limit }, true, 33692, 33692, 34815},
		// The rate found passes once and fails when probed again.
		{"edge", func(r float64, nth int) bool { return r <= limit && !(r == 33692 && nth == 2) }, false, 31446, 31446, 33692},
		// Nothing below the answer passed: no answer.
		{"only one pass", func(r float64, nth int) bool { return r == 35938 && nth == 1 }, false, 0, 0, 35938},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scripted{pass: tt.pass}
			s := result.MaxRateSearch{ClosedLoopMsgsPerSec: 71875.4}
			bisect(context.Background(), &s, f, sc.probe)
			for _, p := range s.Probes {
				if p.RateMsgsPerSec != math.Round(p.RateMsgsPerSec) {
					t.Errorf("probe rate %v is not a whole msgs/s", p.RateMsgsPerSec)
				}
			}
			last := s.Probes[len(s.Probes)-1]
			if tt.answer > 0 || tt.name == "only one pass" {
				if !last.Confirm {
					t.Errorf("last probe %+v is not the confirmation; rates %v", last, sc.rates)
				}
			}
			if s.Confirmed != tt.confirmed || s.MaxRateMsgsPerSec != tt.answer ||
				s.HighestPassMsgsPerSec != tt.bracketLo || s.LowestFailMsgsPerSec != tt.hi {
				t.Errorf("confirmed %v, answer %.0f, bracket [%.0f, %.0f]; want %v, %.0f, [%.0f, %.0f]; rates %v",
					s.Confirmed, s.MaxRateMsgsPerSec, s.HighestPassMsgsPerSec, s.LowestFailMsgsPerSec,
					tt.confirmed, tt.answer, tt.bracketLo, tt.hi, sc.rates)
			}
			if !tt.confirmed && !strings.Contains(s.Answer(), "NOT confirmed") && !strings.Contains(s.Answer(), "none confirmed") {
				t.Errorf("answer %q does not say the confirmation failed", s.Answer())
			}
		})
	}
}
