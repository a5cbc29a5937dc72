package analysis

import (
	"math"

	"github.com/stationbench/stationbench/result"
)

// LagShare is the share of a core-NATS closed-loop run's deliveries that
// may arrive after the measured window, or of its sends that may never be
// delivered, before delivery is said to lag the publisher.
const LagShare = 0.01

// DeliveryLags lists the core-NATS closed-loop runs, measured with the
// harness's subscriber, in which delivery lagged the publishers: more than
// LagShare of the deliveries arrived after the measured window, or more
// than LagShare of the sends were never delivered. The harness's
// subscriber fell behind, so publish-to-delivery latency measures its
// backlog, not the server. Open-loop runs are not judged: there the
// offered rate is the load and their latency stands.
func DeliveryLags(r *result.Result) []result.DeliveryLag {
	if r == nil {
		return nil
	}
	var out []result.DeliveryLag
	for _, run := range r.Runs {
		if run.Kind != "nats" || run.Delivered == nil || run.RateMsgsPerSec > 0 || *run.Delivered <= 0 {
			continue
		}
		var after int64
		for _, s := range run.Series {
			if run.DurationS > 0 && float64(s.Second) >= math.Ceil(run.DurationS-1e-9) {
				after += s.Acked
			}
		}
		l := result.DeliveryLag{Target: run.Target, Producers: run.Producers, Repeat: run.Repeat, P99Us: result.Finite(run.LatencyUs.P99),
			AfterWindow: float64(after) / float64(*run.Delivered)}
		if run.Lost != nil && run.Sent > 0 {
			l.Lost = float64(*run.Lost) / float64(run.Sent)
		}
		if l.AfterWindow > LagShare || l.Lost > LagShare {
			out = append(out, l)
		}
	}
	return out
}
