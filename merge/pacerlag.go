package merge

import (
	"fmt"

	"github.com/stationbench/stationbench/result"
)

// addPacerLag adds the parts' pacer lag histograms (result.Run
// PacerLagHistogram) into one with h, an adder of NewPacerLagHistogram's
// geometry, and returns it encoded with its percentiles, as the runner
// makes them from its workers'. A part without pacer lag (closed loop, or
// an agent idle in the step) adds nothing; no part with it gives none. A
// part with percentiles but no histogram cannot be added: the merged run
// then has no pacer lag, and note says why.
func addPacerLag(ps []part, rs []*result.Run, h *result.HistogramAdder) (enc string, lag *result.Percentiles, note string, err error) {
	for i, r := range rs {
		if r.PacerLagHistogram == "" && r.PacerLagUs != nil {
			return "", nil, fmt.Sprintf("pacer lag not merged: %s has its percentiles but no pacer_lag_histogram", ps[i].name), nil
		}
	}
	enc, p, err := addHistograms(ps, rs, h, func(r *result.Run) string { return r.PacerLagHistogram })
	if err != nil {
		return "", nil, "", fmt.Errorf("pacer lag: %w", err)
	}
	if enc == "" {
		return "", nil, "", nil
	}
	return enc, &p, "", nil
}
