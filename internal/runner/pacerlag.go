package runner

import (
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// pacerLag merges the open-loop pacer lag every worker recorded into the
// run's percentiles and histogram; it leaves them absent when no worker
// paced (closed loop).
func pacerLag(out *result.Run, ws []*workers.Worker) {
	merged := result.NewPacerLagHistogram()
	paced := false
	for _, w := range ws {
		if h := w.PacerLag(); h != nil {
			merged.Merge(h)
			paced = true
		}
	}
	if !paced {
		return
	}
	lag := result.Latency(merged)
	out.PacerLagUs = &lag
	out.PacerLagHistogram, _ = result.EncodeHistogram(merged)
}
