package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/result"
)

// WriteMaxRate prints the searches as a table with their probes.
func WriteMaxRate(w io.Writer, searches []result.MaxRateSearch) error {
	if len(searches) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\nmax sustainable rate (findMaxRate; a probe passes when it achieves %.0f%% of its offered rate with no errors and every objective met):\n", 100*result.SustainedFraction)
	for _, s := range searches {
		fmt.Fprintf(w, "  %s, %s, %s: %s (closed loop %.0f msgs/s", s.Target, stepLabel(result.AxisProducers, float64(s.Producers)),
			strings.Join(s.SLO, ", "), s.Answer(), s.ClosedLoopMsgsPerSec)
		if !s.Converged {
			fmt.Fprint(w, "; probe budget ran out before the bracket reached the precision")
		}
		fmt.Fprintln(w, ")")
		if g := s.GeneratorWarning(); g != "" {
			fmt.Fprintf(w, "  warning: %s\n", g)
		}
		if s.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", s.Note)
		}
		fmt.Fprintln(tw, "\tprobe\toffered\tachieved\tp50\tp99\tp99.9\terrors\tlate\tverdict\t")
		for i, p := range s.Probes {
			verdict := "pass"
			if !p.Pass {
				verdict = "FAIL: " + p.Reason
			}
			n := strconv.Itoa(i + 1)
			if p.Confirm {
				n += " (confirm)"
			}
			late := "-"
			if p.Sent > 0 {
				late = fmt.Sprintf("%.1f%%", 100*float64(p.Late)/float64(p.Sent))
			}
			fmt.Fprintf(tw, "\t%s\t%.0f\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t\n", n, p.RateMsgsPerSec, p.AchievedMsgsPerSec,
				FormatLatencyUs(p.LatencyUs.P50), FormatLatencyUs(p.LatencyUs.P99), FormatLatencyUs(p.LatencyUs.P999), p.Errors, late, verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
