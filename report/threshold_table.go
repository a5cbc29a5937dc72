package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/result"
)

// Units of a threshold verdict's values.
const (
	UnitMicros     = result.UnitMicros
	UnitMsgsPerSec = result.UnitMsgsPerSec
	UnitMsgs       = result.UnitMsgs
)

// thresholdVerdicts is the threshold verdicts r's analysis holds.
func thresholdVerdicts(r *result.Result) []result.ThresholdVerdict {
	if r == nil || r.Analysis == nil {
		return nil
	}
	return r.Analysis.Thresholds
}

// FailedThresholds counts the verdicts that did not pass.
func FailedThresholds(vs []result.ThresholdVerdict) int {
	n := 0
	for _, v := range vs {
		if !v.Pass {
			n++
		}
	}
	return n
}

// FormatThresholdValue writes a verdict's value in its unit.
func FormatThresholdValue(unit string, v float64) string {
	switch unit {
	case UnitMicros:
		return FormatDurationUs(v)
	case UnitMsgsPerSec:
		return fmt.Sprintf("%.0f msgs/s", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// WriteThresholds writes the verdicts as a text table, a heading line saying how
// many passed, then one row per verdict with the reason for each failure.
// It writes nothing when there are no verdicts.
func WriteThresholds(w io.Writer, vs []result.ThresholdVerdict) error {
	if len(vs) == 0 {
		return nil
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "thresholds: %d of %d passed\n\n", len(vs)-FailedThresholds(vs), len(vs))
	fmt.Fprintln(tw, "  verdict\tmetric\tbound\ttarget\tproducers\trate\trepeat\tobserved\twhy")
	for _, v := range vs {
		verdict := "PASS"
		if !v.Pass {
			verdict = "FAIL"
		}
		obs := "-"
		if v.Observed != nil {
			obs = FormatThresholdValue(v.Unit, *v.Observed)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\n", verdict, v.Metric, v.Op, v.LimitText,
			orDash(v.Target), intOrDash(v.Producers), rate(v), intOrDash(v.Repeat), obs, why(v))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("thresholds table: %w", err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \n")
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")); err != nil {
		return fmt.Errorf("thresholds table: %w", err)
	}
	return nil
}

// why explains a verdict: the reason it carries, or for a breach, which
// side of the bound the value fell.
func why(v result.ThresholdVerdict) string {
	switch {
	case v.Reason != "":
		return v.Reason
	case v.Pass:
		return ""
	case v.Op == "max":
		return "above the maximum"
	}
	return "below the minimum"
}

func intOrDash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func rate(v result.ThresholdVerdict) string {
	switch {
	case v.Repeat == 0:
		return "-"
	case v.RateMsgsPerSec == 0:
		return "closed"
	}
	return strconv.FormatFloat(v.RateMsgsPerSec, 'f', -1, 64)
}
