package result

import (
	"fmt"
	"strings"
)

// SustainedFraction is how much of its offered rate a findMaxRate probe
// must achieve to pass.
const SustainedFraction = 0.99

// MaxRateSearch is the evidence of one findMaxRate search: the highest
// offered rate a target sustained at a producer count, and every probe
// that led there.
type MaxRateSearch struct {
	Target    string `json:"target"`
	Producers int    `json:"producers"`
	// SLO names the latency objectives, e.g. "p99<=10ms".
	SLO []string `json:"slo"`
	// ClosedLoopMsgsPerSec is the throughput of the closed-loop probe that
	// bounds the search from above.
	ClosedLoopMsgsPerSec float64 `json:"closed_loop_msgs_per_sec"`
	// MaxRateMsgsPerSec is the answer: the highest probed rate that passed,
	// in whole msgs/s; 0 when none. When the confirming probe at it failed,
	// it is the next lower rate that passed (see Confirmed).
	MaxRateMsgsPerSec float64 `json:"max_rate_msgs_per_sec"`
	// HighestPassMsgsPerSec and LowestFailMsgsPerSec bracket the answer:
	// the highest rate that passed every time it was probed and the lowest
	// probed rate above it that failed. LowestFailMsgsPerSec is 0 when no
	// probe failed above the answer (the closed-loop throughput bounds it).
	HighestPassMsgsPerSec float64 `json:"highest_pass_msgs_per_sec"`
	LowestFailMsgsPerSec  float64 `json:"lowest_fail_msgs_per_sec"`
	// Confirmed is true when a second probe at the rate the bisection found
	// passed too. When it failed, that rate is the bracket's failing end
	// and the answer falls back to the next lower rate that passed.
	Confirmed bool `json:"confirmed"`
	// Converged is true when the bracket around the answer narrowed to the
	// requested precision within the probe budget.
	Converged bool        `json:"converged"`
	Note      string      `json:"note,omitempty"`
	Probes    []RateProbe `json:"probes"`
}

// RateProbe is one open-loop probe of a search.
type RateProbe struct {
	RateMsgsPerSec     float64     `json:"rate_msgs_per_sec"`
	AchievedMsgsPerSec float64     `json:"achieved_msgs_per_sec"`
	LatencyUs          Percentiles `json:"latency_us"`
	Errors             int64       `json:"errors"`
	// Sent and Late count the probe's sends and those that left more than
	// load.lateAfter behind schedule: a generator that falls behind.
	Sent int64 `json:"sent"`
	Late int64 `json:"late"`
	// Confirm marks the probe that re-probed the answer.
	Confirm bool `json:"confirm,omitempty"`
	Pass    bool `json:"pass"`
	// Reason says why a probe failed (or "ok").
	Reason string `json:"reason"`
}

// LateShare is the share of a probe's sends that may be late before the
// limit found is said to be possibly the load generator's.
const LateShare = 0.01

// Answer says in one line what the search found, with its bracket and
// whether a second probe confirmed it.
func (s MaxRateSearch) Answer() string {
	var b strings.Builder
	switch {
	case s.MaxRateMsgsPerSec > 0 && s.Confirmed:
		fmt.Fprintf(&b, "%.0f msgs/s, confirmed by a second probe", s.MaxRateMsgsPerSec)
	case s.MaxRateMsgsPerSec > 0 && s.confirmFailed():
		fmt.Fprintf(&b, "%.0f msgs/s, NOT confirmed: %.0f passed once, then failed a second probe (%s), so the answer falls back to %.0f msgs/s, the next lower rate that passed (probed once)",
			s.MaxRateMsgsPerSec, s.LowestFailMsgsPerSec, s.confirmReason(), s.MaxRateMsgsPerSec)
	case s.MaxRateMsgsPerSec > 0:
		fmt.Fprintf(&b, "%.0f msgs/s, not confirmed (no second probe was run)", s.MaxRateMsgsPerSec)
	case s.confirmFailed():
		fmt.Fprintf(&b, "none confirmed: %.0f msgs/s passed once, then failed a second probe (%s), and no lower rate was probed",
			s.LowestFailMsgsPerSec, s.confirmReason())
	default:
		b.WriteString("none of the probed rates met the objective")
	}
	if s.HighestPassMsgsPerSec > 0 || s.LowestFailMsgsPerSec > 0 {
		b.WriteString("; bracket: ")
		if s.HighestPassMsgsPerSec > 0 {
			fmt.Fprintf(&b, "%.0f passed, ", s.HighestPassMsgsPerSec)
		} else {
			b.WriteString("nothing passed, ")
		}
		if s.LowestFailMsgsPerSec > 0 {
			fmt.Fprintf(&b, "%.0f failed", s.LowestFailMsgsPerSec)
		} else {
			b.WriteString("no probe above it failed")
		}
	}
	return b.String()
}

func (s MaxRateSearch) confirmFailed() bool {
	for _, p := range s.Probes {
		if p.Confirm && !p.Pass {
			return true
		}
	}
	return false
}

func (s MaxRateSearch) confirmReason() string {
	for _, p := range s.Probes {
		if p.Confirm && !p.Pass {
			return p.Reason
		}
	}
	return ""
}

// GeneratorWarning says, when a probe at either end of the bracket sent
// more than LateShare of its messages late, that the limit found may be
// the load generator's; empty otherwise.
func (s MaxRateSearch) GeneratorWarning() string {
	var worst RateProbe
	var share float64
	for _, p := range s.Probes {
		atBracket := p.RateMsgsPerSec == s.HighestPassMsgsPerSec || p.RateMsgsPerSec == s.LowestFailMsgsPerSec ||
			p.RateMsgsPerSec == s.MaxRateMsgsPerSec
		if !atBracket || p.Sent <= 0 {
			continue
		}
		if f := float64(p.Late) / float64(p.Sent); f > LateShare && f > share {
			worst, share = p, f
		}
	}
	if share == 0 {
		return ""
	}
	return fmt.Sprintf("the load generator fell behind its schedule at %.0f msgs/s (%.1f%% of sends late by more than load.lateAfter): the limit found may be the load generator's, not the target's; rerun with more producers (producers.counts) to tell them apart",
		worst.RateMsgsPerSec, 100*share)
}
