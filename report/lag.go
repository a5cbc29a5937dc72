package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// LagShare is the share of a core-NATS closed-loop run's deliveries that
// may arrive after the measured window, or of its sends that may never be
// delivered, before delivery is said to lag the publisher.
const LagShare = 0.01

// DeliveryLag is a core-NATS closed-loop run whose deliveries lagged its
// publishers: the harness's subscriber fell behind, so publish-to-delivery
// latency measures the subscriber's backlog, not the server.
type DeliveryLag struct {
	Target    string
	Producers int
	Repeat    int
	// AfterWindow is the share of deliveries that arrived after the
	// measured window ended (in the drain); Lost the share of sends never
	// delivered.
	AfterWindow, Lost float64
	P99Us             float64
}

// lagRule states the criterion DeliveryLags applies.
func lagRule() string {
	return fmt.Sprintf("more than %.0f%% of deliveries arrive after the measured window, or more than %.0f%% of sends are never delivered",
		100*LagShare, 100*LagShare)
}

// lagAdvice is what a lagging run means and what to do about it.
const lagAdvice = "publish-to-delivery latency here is the subscriber's backlog (the publishers outran the harness's subscriber), not the server's latency; use open loop (load.rate) to measure latency"

// DeliveryLags lists the core-NATS closed-loop runs, measured with the
// harness's subscriber, in which delivery lagged the publishers: more than
// LagShare of the deliveries arrived after the measured window, or more
// than LagShare of the sends were never delivered. Open-loop runs are not
// judged: there the offered rate is the load and their latency stands.
func DeliveryLags(r *result.Result) []DeliveryLag {
	if r == nil {
		return nil
	}
	var out []DeliveryLag
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
		l := DeliveryLag{Target: run.Target, Producers: run.Producers, Repeat: run.Repeat, P99Us: run.LatencyUs.P99,
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

// String describes the lag of one run.
func (l DeliveryLag) String() string {
	var what []string
	if l.AfterWindow > LagShare {
		what = append(what, fmt.Sprintf("%.1f%% of deliveries arrived after the measured window", 100*l.AfterWindow))
	}
	if l.Lost > LagShare {
		what = append(what, fmt.Sprintf("%.1f%% of sends were never delivered", 100*l.Lost))
	}
	s := fmt.Sprintf("%s, %s", l.Target, stepLabel(result.AxisProducers, float64(l.Producers)))
	if l.Repeat > 1 {
		s += fmt.Sprintf(", repeat %d", l.Repeat)
	}
	return fmt.Sprintf("%s: %s (publish-to-delivery p99 %s)", s, strings.Join(what, "; "), FormatLatencyUs(l.P99Us))
}

// writeDeliveryLag writes the delivery-lag caveat of the text summary.
func writeDeliveryLag(w *errWriter, lags []DeliveryLag) {
	if len(lags) == 0 {
		return
	}
	w.printf("\ndelivery lagged the publishers (core NATS, closed loop; said when %s):\n", lagRule())
	for _, l := range lags {
		w.printf("  %s\n", l)
	}
	w.printf("  %s.\n", lagAdvice)
}
