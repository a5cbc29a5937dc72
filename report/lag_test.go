package report

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// natsClosedRun is a core-NATS closed-loop run with the harness's
// subscriber: 3 s measured, then drain seconds in which deliveries still
// arrived.
func natsClosedRun(producers int, inWindow, inDrain []int64, p99Us float64) result.Run {
	var delivered int64
	var series []result.Second
	for i, a := range append(append([]int64{}, inWindow...), inDrain...) {
		sent := int64(0)
		if i < len(inWindow) {
			sent = 1_000_000
		}
		series = append(series, result.Second{Second: i, Sent: sent, Offered: sent, Acked: a})
		delivered += a
	}
	lost := int64(0)
	sent := int64(len(inWindow)) * 1_000_000
	return result.Run{
		Target: "core", Kind: "nats", Axis: result.AxisProducers, Producers: producers, Repeat: 1, Status: result.StatusComplete,
		DurationS: float64(len(inWindow)), Offered: sent, Sent: sent, Acked: delivered, Delivered: &delivered, Lost: &lost,
		ThroughputMsgsPerSec: float64(delivered) / float64(len(inWindow)),
		LatencyUs:            result.Percentiles{P50: p99Us / 3, P90: p99Us / 2, P99: p99Us, P999: p99Us, Max: p99Us},
		Series:               series,
	}
}

// Issue 13 item 9: when delivery lags the publisher in a core-NATS closed
// loop, the summary and the report say the latency is the subscriber's
// backlog and point to open loop.
func TestDeliveryLagIsSaid(t *testing.T) {
	r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete}
	r.Scenario.Name = "core"
	r.Runs = []result.Run{
		natsClosedRun(1, []int64{1_000_000, 1_000_000, 999_000}, []int64{1_000}, 900),              // keeps up
		natsClosedRun(4, []int64{700_000, 800_000, 800_000}, []int64{600_000, 100_000}, 3_400_000), // backlog
	}
	lags := analysis.DeliveryLags(r)
	if len(lags) != 1 || lags[0].Producers != 4 {
		t.Fatalf("lags %+v, want the 4-producer run only", lags)
	}
	var sum bytes.Buffer
	r.Analysis = analysis.Analyze(r, nil)
	if err := Summary(&sum, r); err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"summary": sum.String(), "html": stdhtml.UnescapeString(html.String())} {
		if !strings.Contains(s, "subscriber's backlog") || !strings.Contains(s, "load.rate") {
			t.Errorf("%s does not say the latency is the subscriber's backlog:\n%s", name, s)
		}
		if !strings.Contains(s, "23.3% of deliveries arrived after the measured window") {
			t.Errorf("%s does not give the measured criterion", name)
		}
	}

	// Open loop, JetStream, or no subscriber: no caveat.
	for _, mod := range []func(*result.Run){
		func(run *result.Run) { run.RateMsgsPerSec = 1e6; run.Axis = result.AxisRate },
		func(run *result.Run) { run.Kind = "jetstream"; run.Delivered, run.Lost = nil, nil },
		func(run *result.Run) { run.Delivered = nil },
	} {
		run := r.Runs[1]
		mod(&run)
		if l := analysis.DeliveryLags(&result.Result{Runs: []result.Run{run}}); len(l) != 0 {
			t.Errorf("caveat on %+v", l)
		}
	}
}
