package merge

import (
	"fmt"

	"github.com/stationbench/stationbench/result"
)

// addPacerLag adds the parts' pacer lag histograms (result.Run
// PacerLagHistogram) into one and returns it encoded with its
// percentiles, as the runner makes them from its workers'. Exact: every
// part's histogram must have NewPacerLagHistogram's geometry, so that the
// buckets add one to one. A part without pacer lag (closed loop, or an
// agent idle in the step) adds nothing; no part with it gives none. A part
// with percentiles but no histogram cannot be added: the merged run then
// has no pacer lag, and note says why.
func addPacerLag(ps []part, rs []*result.Run) (enc string, lag *result.Percentiles, note string, err error) {
	sum := result.NewPacerLagHistogram()
	found := false
	for i, r := range rs {
		if r.PacerLagHistogram == "" {
			if r.PacerLagUs != nil {
				return "", nil, fmt.Sprintf("pacer lag not merged: %s has its percentiles but no pacer_lag_histogram", ps[i].name), nil
			}
			continue
		}
		h, err := result.DecodeHistogram(r.PacerLagHistogram)
		if err != nil {
			return "", nil, "", fmt.Errorf("%s: pacer lag: %w", ps[i].name, err)
		}
		if h.LowestTrackableValue() != result.PacerLagLowestNs || h.HighestTrackableValue() != result.PacerLagHighestNs ||
			h.SignificantFigures() != result.PacerLagSigFigs {
			return "", nil, "", fmt.Errorf("%s: pacer lag histogram of %d-%d ns, %d digits; want %d-%d ns, %d digits", ps[i].name,
				h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
				result.PacerLagLowestNs, result.PacerLagHighestNs, result.PacerLagSigFigs)
		}
		if dropped := sum.Merge(h); dropped > 0 { // cannot happen with one geometry
			return "", nil, "", fmt.Errorf("%s: pacer lag: %d values did not fit", ps[i].name, dropped)
		}
		found = true
	}
	if !found {
		return "", nil, "", nil
	}
	enc, err = result.EncodeHistogram(sum)
	if err != nil {
		return "", nil, "", fmt.Errorf("pacer lag: %w", err)
	}
	p := result.Latency(sum)
	return enc, &p, "", nil
}
