package report

import (
	"fmt"
	"strings"
)

// Bounds that decide where adding producers stopped paying.
const (
	// EfficiencyBound is the lowest scaling efficiency that still pays:
	// below it each producer adds less than half of what the first did.
	EfficiencyBound = 0.5
	// MinStepGain is the smallest relative throughput gain from one step to
	// the next that still pays.
	MinStepGain = 0.05
)

// ScalingStep is one producer count of a target's sweep.
type ScalingStep struct {
	Producers            int
	ThroughputMsgsPerSec float64 // mean over repeats
	// Efficiency is throughput(N) / (N/N0 x throughput(N0)), where N0 is
	// the smallest producer count measured (normally 1).
	Efficiency float64
	// Gain is the relative throughput change from the previous step; zero
	// for the first.
	Gain float64
}

// Scaling is the capacity analysis of one target's producer sweep.
type Scaling struct {
	Target string
	Base   int // N0, the producer count efficiency is relative to
	Steps  []ScalingStep
	// StopAt is the first producer count at which adding producers stopped
	// paying (efficiency below EfficiencyBound, or a gain below
	// MinStepGain); zero when every step paid. Best is the step before it,
	// or the last step when every step paid. Why says which bound tripped.
	StopAt, Best int
	Why          string
	// Fit is the USL fit of the target's points; FitErr says why there is
	// none.
	Fit    *USLFit
	FitErr string
}

// Capacity analyses each target's throughput against producers: the
// scaling efficiency of every step, where adding producers stopped paying,
// and the USL fit. Runs stepping the offered rate are not part of it;
// targets with no producer sweep are left out.
func Capacity(r *Result) []Scaling {
	if r == nil {
		return nil
	}
	c := chartDataAxis(r, AxisProducers)
	out := make([]Scaling, 0, len(c.series))
	for _, s := range c.series {
		sc := Scaling{Target: s.target}
		var pts []USLPoint
		for _, p := range s.points {
			mean, _, _, ok := p.throughput()
			if !ok || p.x < 1 {
				continue
			}
			sc.Steps = append(sc.Steps, ScalingStep{Producers: int(p.x), ThroughputMsgsPerSec: mean})
			for _, run := range p.runs {
				pts = append(pts, USLPoint{N: p.x, ThroughputMsgsPerSec: run.ThroughputMsgsPerSec})
			}
		}
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

// scaleSteps fills in efficiency and gain, and finds where scaling stopped.
func scaleSteps(sc *Scaling) {
	base := sc.Steps[0]
	sc.Base = base.Producers
	sc.Best = base.Producers
	for i := range sc.Steps {
		st := &sc.Steps[i]
		st.Efficiency = st.ThroughputMsgsPerSec * float64(base.Producers) /
			(float64(st.Producers) * base.ThroughputMsgsPerSec)
		if i == 0 {
			continue
		}
		prev := sc.Steps[i-1]
		st.Gain = st.ThroughputMsgsPerSec/prev.ThroughputMsgsPerSec - 1
		if sc.StopAt != 0 {
			continue
		}
		switch {
		case st.Gain < MinStepGain:
			sc.StopAt = st.Producers
			sc.Why = fmt.Sprintf("going from %d to %d producers changed throughput by %+.1f%% (less than +%.0f%%)",
				prev.Producers, st.Producers, 100*st.Gain, 100*MinStepGain)
		case st.Efficiency < EfficiencyBound:
			sc.StopAt = st.Producers
			sc.Why = fmt.Sprintf("scaling efficiency at %d producers is %.2f (below %.2f)",
				st.Producers, st.Efficiency, EfficiencyBound)
		default:
			sc.Best = st.Producers
		}
	}
}

// Verdict says in one line where adding producers stopped paying.
func (s Scaling) Verdict() string {
	switch {
	case len(s.Steps) < 2:
		return "one producer count measured; nothing to compare"
	case s.StopAt == 0:
		return fmt.Sprintf("every step paid, up to %d producers (%s msgs/s)", s.Best, formatCount(s.stepAt(s.Best).ThroughputMsgsPerSec))
	default:
		v := fmt.Sprintf("adding producers stopped paying at %d: %s; the last step that paid was %d producers, %s msgs/s",
			s.StopAt, s.Why, s.Best, formatCount(s.stepAt(s.Best).ThroughputMsgsPerSec))
		if peak := s.peak(); peak.Producers != s.Best {
			v += fmt.Sprintf(" (the most measured: %s msgs/s at %d)", formatCount(peak.ThroughputMsgsPerSec), peak.Producers)
		}
		return v
	}
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

// efficiencyRule states the bounds the capacity analysis uses.
func efficiencyRule(base int) string {
	ref := "N x msgs/s at 1"
	if base != 1 {
		ref = fmt.Sprintf("N/%d x msgs/s at %d", base, base)
	}
	return fmt.Sprintf("efficiency = msgs/s at N / (%s); a step stops paying when efficiency < %.2f or throughput rises less than %.0f%%",
		ref, EfficiencyBound, 100*MinStepGain)
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
		var ns, eff []string
		for _, st := range c.Steps {
			ns = append(ns, fmt.Sprintf("%6d", st.Producers))
			eff = append(eff, fmt.Sprintf("%6.2f", st.Efficiency))
		}
		w.printf("    producers  %s\n", strings.Join(ns, " "))
		w.printf("    efficiency %s\n", strings.Join(eff, " "))
		w.printf("    %s\n", c.FitText())
	}
}
