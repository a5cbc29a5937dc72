package report

import (
	"fmt"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// materialPacerLag is the share of a run's corrected p99 latency above
// which the pacer's own lag p99 is worth a warning: beyond it, a tenth or
// more of the tail reported may be the load generator's timing, not the
// system's.
const materialPacerLag = 0.10

// pacerWarning says, for an open-loop run whose pacer lag is a material
// part of its latency, how large a part, and, when the pacer slept
// (pacer, the scenario's load.pacer), that spinning would trade CPU for
// precision; ok is false otherwise (closed loop, no latency measured, or
// a lag within materialPacerLag).
func pacerWarning(run result.Run, pacer string) (text string, ok bool) {
	lag, p99 := run.PacerLagUs, run.LatencyUs.P99
	if lag == nil || p99 <= 0 || lag.P99 <= materialPacerLag*p99 {
		return "", false
	}
	hint := ""
	if pacer != scenarios.PacerSpin {
		hint = "; load.pacer: spin waits actively instead of sleeping, at the cost of CPU"
	}
	return fmt.Sprintf("warning: the pacer's own lag (p99 %s, p50 %s) is %.0f%% of the corrected p99 latency %s; "+
		"that much of the latency reported may be the load generator's late wake-ups, not the system's "+
		"(a loaded or throttled client machine)%s",
		FormatLatencyUs(lag.P99), FormatLatencyUs(lag.P50), 100*lag.P99/p99, FormatLatencyUs(p99), hint), true
}
