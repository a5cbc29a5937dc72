package report

import (
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// lagRule states the criterion analysis.DeliveryLags applies.
func lagRule() string {
	return fmt.Sprintf("more than %.0f%% of deliveries arrive after the measured window, or more than %.0f%% of sends are never delivered",
		100*analysis.LagShare, 100*analysis.LagShare)
}

// lagAdvice is what a lagging run means and what to do about it.
const lagAdvice = "publish-to-delivery latency here is the subscriber's backlog (the publishers outran the harness's subscriber), not the server's latency; use open loop (load.rate) to measure latency"

// deliveryLags is the lagging runs r's analysis holds (analysis.DeliveryLags).
func deliveryLags(r *result.Result) []result.DeliveryLag {
	if r == nil || r.Analysis == nil {
		return nil
	}
	return r.Analysis.DeliveryLags
}

// lagText describes the lag of one run.
func lagText(l result.DeliveryLag) string {
	var what []string
	if l.AfterWindow > analysis.LagShare {
		what = append(what, fmt.Sprintf("%.1f%% of deliveries arrived after the measured window", 100*l.AfterWindow))
	}
	if l.Lost > analysis.LagShare {
		what = append(what, fmt.Sprintf("%.1f%% of sends were never delivered", 100*l.Lost))
	}
	s := fmt.Sprintf("%s, %s", l.Target, stepLabel(result.AxisProducers, float64(l.Producers)))
	if l.Repeat > 1 {
		s += fmt.Sprintf(", repeat %d", l.Repeat)
	}
	return fmt.Sprintf("%s: %s (publish-to-delivery p99 %s)", s, strings.Join(what, "; "), FormatLatencyUs(l.P99Us))
}

// writeDeliveryLag writes the delivery-lag caveat of the text summary.
func writeDeliveryLag(w *errWriter, lags []result.DeliveryLag) {
	if len(lags) == 0 {
		return
	}
	w.printf("\ndelivery lagged the publishers (core NATS, closed loop; said when %s):\n", lagRule())
	for _, l := range lags {
		w.printf("  %s\n", lagText(l))
	}
	w.printf("  %s.\n", lagAdvice)
}
