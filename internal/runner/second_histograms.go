package runner

import (
	"slices"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// withSecondHistograms stores in each second of series the corrected
// latency histogram of the acks received in it (result.Second.Histogram),
// merged over every receiver of the step, so that a merge of agents'
// results (package merge) recomputes the per-second p99 exactly. Seconds
// with no latency keep no histogram. Asked for by Options.SecondHistograms.
func withSecondHistograms(series []result.Second, ws []*workers.Worker, deliveries *workers.AckStats) []result.Second {
	var sets []*workers.SecondHistograms
	add := func(a *workers.AckStats) {
		if a == nil {
			return
		}
		if s := a.Seconds(); s != nil && !slices.Contains(sets, s) {
			sets = append(sets, s)
		}
	}
	for _, w := range ws {
		add(w.Acks())
	}
	add(deliveries)
	h := result.NewHistogram()
	for i := range series {
		h.Reset()
		for _, s := range sets {
			if sec := s.Second(i); sec != nil {
				h.Merge(sec)
			}
		}
		if h.TotalCount() > 0 {
			series[i].Histogram, _ = result.EncodeHistogram(h) // h is never nil
		}
	}
	return series
}
