package report

import (
	"fmt"
	"io"
	"text/tabwriter"
)

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
	// MaxRateMsgsPerSec is the highest probed rate that passed; 0 when none.
	MaxRateMsgsPerSec float64 `json:"max_rate_msgs_per_sec"`
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
	Pass               bool        `json:"pass"`
	// Reason says why a probe failed (or "ok").
	Reason string `json:"reason"`
}

// WriteMaxRate prints the searches as a table with their probes.
func WriteMaxRate(w io.Writer, searches []MaxRateSearch) error {
	if len(searches) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\nmax sustainable rate (findMaxRate):")
	for _, s := range searches {
		answer := "none of the probed rates met the objective"
		if s.MaxRateMsgsPerSec > 0 {
			answer = fmt.Sprintf("%.0f msgs/s", s.MaxRateMsgsPerSec)
		}
		fmt.Fprintf(w, "  %s, %d producers, %v: %s (closed loop %.0f msgs/s", s.Target, s.Producers, s.SLO, answer, s.ClosedLoopMsgsPerSec)
		if !s.Converged {
			fmt.Fprint(w, "; probe budget ran out before the bracket reached the precision")
		}
		fmt.Fprintln(w, ")")
		if s.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", s.Note)
		}
		fmt.Fprintln(tw, "\tprobe\toffered\tachieved\tp50\tp99\tp99.9\terrors\tverdict\t")
		for i, p := range s.Probes {
			verdict := "pass"
			if !p.Pass {
				verdict = "FAIL: " + p.Reason
			}
			fmt.Fprintf(tw, "\t%d\t%.0f\t%.0f\t%s\t%s\t%s\t%d\t%s\t\n", i+1, p.RateMsgsPerSec, p.AchievedMsgsPerSec,
				FormatLatencyUs(p.LatencyUs.P50), FormatLatencyUs(p.LatencyUs.P99), FormatLatencyUs(p.LatencyUs.P999), p.Errors, verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
