package report

import (
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// This file words the capacity analysis (analysis.Capacity), which the
// result carries.

// capacities is the capacity analysis r carries.
func capacities(r *result.Result) []result.Scaling {
	if r == nil || r.Analysis == nil {
		return nil
	}
	return r.Analysis.Capacity
}

// scalingWhy lists the steps after the answer and what they added.
func scalingWhy(s result.Scaling) string {
	last := -1
	for i, st := range s.Steps {
		if st.Producers == s.Best {
			last = i
		}
	}
	if last < 0 || last+1 >= len(s.Steps) {
		return ""
	}
	var added []string
	for i := last + 1; i < len(s.Steps); i++ {
		added = append(added, stepGain(s.Steps[i-1], s.Steps[i]))
	}
	return strings.Join(added, ", ")
}

// leftText names the producer counts left out, with their statuses:
// "8 producers (interrupted)".
func leftText(s result.Scaling) []string {
	var out []string
	for _, l := range s.Left {
		st := make([]string, len(l.Statuses))
		for i, v := range l.Statuses {
			st[i] = statusText(v)
		}
		out = append(out, fmt.Sprintf("%s (%s)", stepLabel(result.AxisProducers, float64(l.Producers)), strings.Join(st, ", ")))
	}
	return out
}

// stepGain says what the step from prev to st added: "2 -> 4 added +60.0%
// (needed +10.0%)", and, when st is judged against a count before prev,
// how it compares with that count.
func stepGain(prev, st result.ScalingStep) string {
	if st.Ref == prev.Producers {
		return fmt.Sprintf("%d -> %d added %+.1f%% (needed %+.1f%%)", prev.Producers, st.Producers, 100*st.Gain, 100*st.Need)
	}
	return fmt.Sprintf("%d -> %d added %+.1f%%, but %s gave %+.1f%% against %s (needed %+.1f%%)", prev.Producers, st.Producers,
		100*st.Gain, stepLabel(result.AxisProducers, float64(st.Producers)), 100*st.RefGain, stepLabel(result.AxisProducers, float64(st.Ref)), 100*st.Need)
}

// Verdict says in one line where adding producers stopped paying, never
// contradicting the table: when more was measured at another count than
// at the answer, it says how much and why that count is not the answer.
func scalingVerdict(s result.Scaling) string {
	if len(s.Steps) < 2 {
		v := "one producer count measured; nothing to compare"
		if len(s.Left) > 0 {
			v += "; left out: " + strings.Join(leftText(s), ", ")
		}
		return v
	}
	best := stepAt(s, s.Best)
	var v string
	switch {
	case s.StopAt == 0 && s.Best == s.Steps[len(s.Steps)-1].Producers && allPaid(s):
		v = fmt.Sprintf("every step paid, up to %d producers (%s msgs/s)", s.Best, formatCount(best.ThroughputMsgsPerSec))
	case s.StopAt == 0:
		v = fmt.Sprintf("adding producers still paid at the largest count measured: %d producers, %s msgs/s", s.Best, formatCount(best.ThroughputMsgsPerSec))
	case s.Best == s.Base:
		v = fmt.Sprintf("adding producers did not pay past %d: %s; %s gave %s msgs/s", s.Best, scalingWhy(s), stepLabel(result.AxisProducers, float64(s.Best)), formatCount(best.ThroughputMsgsPerSec))
	default:
		v = fmt.Sprintf("adding producers stopped paying after %d: %s; %s gave %s msgs/s", s.Best, scalingWhy(s), stepLabel(result.AxisProducers, float64(s.Best)), formatCount(best.ThroughputMsgsPerSec))
	}
	var dips []string
	for i := 1; i < len(s.Steps) && s.Steps[i].Producers <= s.Best; i++ {
		if !s.Steps[i].Pays {
			dips = append(dips, stepGain(s.Steps[i-1], s.Steps[i]))
		}
	}
	if len(dips) > 0 {
		v += fmt.Sprintf(" (a later step paid again after %s)", strings.Join(dips, ", "))
	}
	if peak := peakStep(s); peak.Producers != s.Best {
		// The peak lies beyond the answer (a step that pays sets a new
		// high), short of the gain it needed over it.
		v += fmt.Sprintf("; the most measured: %s msgs/s at %d (%+.1f%% over %d, short of the %+.1f%% needed)",
			formatCount(peak.ThroughputMsgsPerSec), peak.Producers, 100*(peak.ThroughputMsgsPerSec/best.ThroughputMsgsPerSec-1),
			s.Best, 100*analysis.RequiredGain(s.Best, peak.Producers))
	}
	if len(s.Left) > 0 {
		v += "; left out: " + strings.Join(leftText(s), ", ")
	}
	return v
}

func allPaid(s result.Scaling) bool {
	for _, st := range s.Steps[1:] {
		if !st.Pays {
			return false
		}
	}
	return true
}

// peakStep is the step with the highest throughput.
func peakStep(s result.Scaling) result.ScalingStep {
	best := s.Steps[0]
	for _, st := range s.Steps[1:] {
		if st.ThroughputMsgsPerSec > best.ThroughputMsgsPerSec {
			best = st
		}
	}
	return best
}

func stepAt(s result.Scaling, n int) result.ScalingStep {
	for _, st := range s.Steps {
		if st.Producers == n {
			return st
		}
	}
	return result.ScalingStep{}
}

// FitText describes the USL fit, or why there is none.
func fitText(s result.Scaling) string {
	if s.Fit == nil {
		return s.FitError
	}
	return "USL " + fitString(*s.Fit)
}

// efficiencyRule states the rule the capacity analysis uses.
func efficiencyRule(base int) string {
	ref := "N x msgs/s at 1"
	if base != 1 {
		ref = fmt.Sprintf("N/%d x msgs/s at %d", base, base)
	}
	return fmt.Sprintf("a step pays when it adds at least %+.0f%% msgs/s per doubling of producers over the previous count (over the last count that paid, after a step that did not); efficiency = msgs/s at N / (%s), for reference",
		100*analysis.MinGainPerDoubling, ref)
}

// writeCapacity writes the capacity section of the text summary.
func writeCapacity(w *errWriter, all []result.Scaling) {
	var caps []result.Scaling
	for _, c := range all {
		if len(c.Steps) > 1 {
			caps = append(caps, c)
		}
	}
	if len(caps) == 0 {
		return
	}
	w.printf("\ncapacity (%s)\n", efficiencyRule(caps[0].Base))
	for _, c := range caps {
		w.printf("  %s: %s\n", c.Target, scalingVerdict(c))
		var ns, tput, gain, eff []string
		for i, st := range c.Steps {
			ns = append(ns, fmt.Sprintf("%7d", st.Producers))
			tput = append(tput, fmt.Sprintf("%7s", formatCount(st.ThroughputMsgsPerSec)))
			eff = append(eff, fmt.Sprintf("%7.2f", st.Efficiency))
			g := "-"
			if i > 0 {
				g = fmt.Sprintf("%+.1f%%", 100*st.Gain)
				if !st.Pays {
					g += "*"
				}
			}
			gain = append(gain, fmt.Sprintf("%7s", g))
		}
		w.printf("    producers  %s\n", strings.Join(ns, " "))
		w.printf("    msgs/s     %s\n", strings.Join(tput, " "))
		key := ""
		if !allPaid(c) {
			key = "   (* did not pay)"
		}
		w.printf("    gain       %s%s\n", strings.Join(gain, " "), key)
		w.printf("    efficiency %s\n", strings.Join(eff, " "))
		w.printf("    %s\n", fitText(c))
	}
}
