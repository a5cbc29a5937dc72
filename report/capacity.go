package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// MinGainPerDoubling decides whether a step of the sweep paid: it must
// raise throughput over the previous producer count by at least this much
// per doubling of producers (+10% from 2 to 4 producers, +4.9% from 8 to
// 12, +21% from 1 to 4). Each step is judged by what it added, not by its
// efficiency against one producer.
const MinGainPerDoubling = 0.10

// requiredGain is the gain a step from prev to n producers must make to pay.
func requiredGain(prev, n int) float64 {
	return math.Pow(1+MinGainPerDoubling, math.Log2(float64(n)/float64(prev))) - 1
}

// ScalingStep is one producer count of a target's sweep.
type ScalingStep struct {
	Producers            int
	ThroughputMsgsPerSec float64 // mean over the complete repeats
	// Efficiency is throughput(N) / (N/N0 x throughput(N0)), where N0 is
	// the smallest producer count measured (normally 1); shown for
	// reference, it does not decide the verdict.
	Efficiency float64
	// Gain is the relative throughput change from the previous step; zero
	// for the first.
	Gain float64
	// A step is judged against Ref, the best count below it: the previous
	// count while steps keep paying, else the last count that paid. RefGain
	// is its gain over Ref, Need the gain it had to make to pay
	// (requiredGain from Ref), and Pays whether it did. A recovery after a
	// dip therefore pays only when it beats what fewer producers gave.
	Ref           int
	RefGain, Need float64
	Pays          bool
}

// Scaling is the capacity analysis of one target's producer sweep.
type Scaling struct {
	Target string
	Base   int // N0, the producer count efficiency is relative to
	Steps  []ScalingStep
	// Best is the last step that paid (the first step when none did), with
	// no paying step after it. StopAt is the step after Best, where adding
	// producers stopped paying; zero when the last step measured paid.
	// Why lists the steps after Best and what they added.
	StopAt, Best int
	Why          string
	// Left are the producer counts left out because none of their runs
	// completed, with their statuses ("8 producers (interrupted)").
	Left []string
	// Fit is the USL fit of the target's points; FitErr says why there is
	// none.
	Fit    *USLFit
	FitErr string
}

// Capacity analyses each target's throughput against producers: what each
// step added over the previous count, where adding producers stopped
// paying, and the USL fit. Only complete runs count: an interrupted or
// failed run never enters the verdict. Runs stepping the offered rate are
// not part of it; targets with no producer sweep are left out.
func Capacity(r *result.Result) []Scaling {
	if r == nil {
		return nil
	}
	c := chartDataAxis(r, result.AxisProducers)
	out := make([]Scaling, 0, len(c.series))
	for _, s := range c.series {
		sc := Scaling{Target: s.target}
		var pts []USLPoint
		for _, p := range s.points {
			p, left := completeRuns(p)
			if left != "" {
				sc.Left = append(sc.Left, left)
			}
			mean, _, _, ok := p.throughput()
			if !ok || p.x < 1 {
				continue
			}
			sc.Steps = append(sc.Steps, ScalingStep{Producers: int(p.x), ThroughputMsgsPerSec: mean})
			for _, run := range p.runs {
				pts = append(pts, USLPoint{N: p.x, ThroughputMsgsPerSec: run.ThroughputMsgsPerSec})
			}
		}
		sc.Left = append(sc.Left, leftOut(r, s.target)...)
		if len(sc.Steps) == 0 {
			continue
		}
		scaleSteps(&sc)
		if fit, err := FitUSL(pts); err != nil {
			sc.FitErr = err.Error()
		} else {
			sc.Fit = &fit
		}
		out = append(out, sc)
	}
	return out
}

// completeRuns keeps the point's complete runs; left names the point when
// none completed.
func completeRuns(p chartPoint) (chartPoint, string) {
	var keep []result.Run
	var other []string
	for _, run := range p.runs {
		if run.Status == result.StatusComplete {
			keep = append(keep, run)
		} else if !slices.Contains(other, statusText(run.Status)) {
			other = append(other, statusText(run.Status))
		}
	}
	p.runs = keep
	if len(keep) > 0 || len(other) == 0 {
		return p, ""
	}
	return p, fmt.Sprintf("%s (%s)", stepLabel(result.AxisProducers, p.x), strings.Join(other, ", "))
}

// leftOut names the producer counts of target whose runs measured no
// throughput at all and did not complete (chartDataAxis drops them).
func leftOut(r *result.Result, target string) []string {
	byN := map[int][]string{}
	var ns []int
	measured := map[int]bool{}
	for _, run := range r.Runs {
		if run.Target != target || run.Axis != result.AxisProducers {
			continue
		}
		if run.ThroughputMsgsPerSec > 0 {
			measured[run.Producers] = true
			continue
		}
		if run.Status == result.StatusComplete {
			continue
		}
		if _, ok := byN[run.Producers]; !ok {
			ns = append(ns, run.Producers)
		}
		if st := statusText(run.Status); !slices.Contains(byN[run.Producers], st) {
			byN[run.Producers] = append(byN[run.Producers], st)
		}
	}
	var out []string
	for _, n := range ns {
		if !measured[n] {
			out = append(out, fmt.Sprintf("%s (%s)", stepLabel(result.AxisProducers, float64(n)), strings.Join(byN[n], ", ")))
		}
	}
	return out
}

// scaleSteps fills in efficiency, gain and whether each step paid, and
// finds where scaling stopped.
func scaleSteps(sc *Scaling) {
	base := sc.Steps[0]
	sc.Base = base.Producers
	last := 0 // index of the last step that paid: the best so far
	for i := range sc.Steps {
		st := &sc.Steps[i]
		st.Efficiency = st.ThroughputMsgsPerSec * float64(base.Producers) /
			(float64(st.Producers) * base.ThroughputMsgsPerSec)
		if i == 0 {
			continue
		}
		prev, ref := sc.Steps[i-1], sc.Steps[last]
		st.Gain = st.ThroughputMsgsPerSec/prev.ThroughputMsgsPerSec - 1
		st.Ref = ref.Producers
		st.RefGain = st.ThroughputMsgsPerSec/ref.ThroughputMsgsPerSec - 1
		st.Need = requiredGain(ref.Producers, st.Producers)
		st.Pays = st.RefGain >= st.Need
		if st.Pays {
			last = i
		}
	}
	sc.Best = sc.Steps[last].Producers
	if last+1 < len(sc.Steps) {
		sc.StopAt = sc.Steps[last+1].Producers
		var added []string
		for i := last + 1; i < len(sc.Steps); i++ {
			added = append(added, stepGain(sc.Steps[i-1], sc.Steps[i]))
		}
		sc.Why = strings.Join(added, ", ")
	}
}

// stepGain says what the step from prev to st added: "2 -> 4 added +60.0%
// (needed +10.0%)", and, when st is judged against a count before prev,
// how it compares with that count.
func stepGain(prev, st ScalingStep) string {
	if st.Ref == prev.Producers {
		return fmt.Sprintf("%d -> %d added %+.1f%% (needed %+.1f%%)", prev.Producers, st.Producers, 100*st.Gain, 100*st.Need)
	}
	return fmt.Sprintf("%d -> %d added %+.1f%%, but %s gave %+.1f%% against %s (needed %+.1f%%)", prev.Producers, st.Producers,
		100*st.Gain, stepLabel(result.AxisProducers, float64(st.Producers)), 100*st.RefGain, stepLabel(result.AxisProducers, float64(st.Ref)), 100*st.Need)
}

// Verdict says in one line where adding producers stopped paying, never
// contradicting the table: when more was measured at another count than
// at the answer, it says how much and why that count is not the answer.
func (s Scaling) Verdict() string {
	if len(s.Steps) < 2 {
		v := "one producer count measured; nothing to compare"
		if len(s.Left) > 0 {
			v += "; left out: " + strings.Join(s.Left, ", ")
		}
		return v
	}
	best := s.stepAt(s.Best)
	var v string
	switch {
	case s.StopAt == 0 && s.Best == s.Steps[len(s.Steps)-1].Producers && s.allPaid():
		v = fmt.Sprintf("every step paid, up to %d producers (%s msgs/s)", s.Best, formatCount(best.ThroughputMsgsPerSec))
	case s.StopAt == 0:
		v = fmt.Sprintf("adding producers still paid at the largest count measured: %d producers, %s msgs/s", s.Best, formatCount(best.ThroughputMsgsPerSec))
	case s.Best == s.Base:
		v = fmt.Sprintf("adding producers did not pay past %d: %s; %s gave %s msgs/s", s.Best, s.Why, stepLabel(result.AxisProducers, float64(s.Best)), formatCount(best.ThroughputMsgsPerSec))
	default:
		v = fmt.Sprintf("adding producers stopped paying after %d: %s; %s gave %s msgs/s", s.Best, s.Why, stepLabel(result.AxisProducers, float64(s.Best)), formatCount(best.ThroughputMsgsPerSec))
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
	if peak := s.peak(); peak.Producers != s.Best {
		// The peak lies beyond the answer (a step that pays sets a new
		// high), short of the gain it needed over it.
		v += fmt.Sprintf("; the most measured: %s msgs/s at %d (%+.1f%% over %d, short of the %+.1f%% needed)",
			formatCount(peak.ThroughputMsgsPerSec), peak.Producers, 100*(peak.ThroughputMsgsPerSec/best.ThroughputMsgsPerSec-1),
			s.Best, 100*requiredGain(s.Best, peak.Producers))
	}
	if len(s.Left) > 0 {
		v += "; left out: " + strings.Join(s.Left, ", ")
	}
	return v
}

func (s Scaling) allPaid() bool {
	for _, st := range s.Steps[1:] {
		if !st.Pays {
			return false
		}
	}
	return true
}

// peak is the step with the highest throughput.
func (s Scaling) peak() ScalingStep {
	best := s.Steps[0]
	for _, st := range s.Steps[1:] {
		if st.ThroughputMsgsPerSec > best.ThroughputMsgsPerSec {
			best = st
		}
	}
	return best
}

func (s Scaling) stepAt(n int) ScalingStep {
	for _, st := range s.Steps {
		if st.Producers == n {
			return st
		}
	}
	return ScalingStep{}
}

// FitText describes the USL fit, or why there is none.
func (s Scaling) FitText() string {
	if s.Fit == nil {
		return s.FitErr
	}
	return "USL " + s.Fit.String()
}

// efficiencyRule states the rule the capacity analysis uses.
func efficiencyRule(base int) string {
	ref := "N x msgs/s at 1"
	if base != 1 {
		ref = fmt.Sprintf("N/%d x msgs/s at %d", base, base)
	}
	return fmt.Sprintf("a step pays when it adds at least %+.0f%% msgs/s per doubling of producers over the previous count (over the last count that paid, after a step that did not); efficiency = msgs/s at N / (%s), for reference",
		100*MinGainPerDoubling, ref)
}

// writeCapacity writes the capacity section of the text summary.
func writeCapacity(w *errWriter, all []Scaling) {
	var caps []Scaling
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
		w.printf("  %s: %s\n", c.Target, c.Verdict())
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
		if !c.allPaid() {
			key = "   (* did not pay)"
		}
		w.printf("    gain       %s%s\n", strings.Join(gain, " "), key)
		w.printf("    efficiency %s\n", strings.Join(eff, " "))
		w.printf("    %s\n", c.FitText())
	}
}
