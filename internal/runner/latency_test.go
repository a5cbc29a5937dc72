package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/netproxy"
	"github.com/stationbench/stationbench/result"
)

// startProxy puts a delaying proxy in front of a fresh server.
func startProxy(t *testing.T, oneWay time.Duration) *netproxy.Proxy {
	t.Helper()
	srv := natstest.Start(t)
	p, err := netproxy.Start(strings.TrimPrefix(srv.URL(), "nats://"), oneWay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestLatencyIncludesNetworkRoundTrip: with 5 ms added each way, every
// publish-to-ack latency includes the 10 ms round trip, and the median is
// not far above it. Not parallel: other tests' load would show in it.
func TestLatencyIncludesNetworkRoundTrip(t *testing.T) {
	const oneWay = 5 * time.Millisecond
	p := startProxy(t, oneWay)
	sc := scenario(t, `
name: rtt
targets: [{name: proxied, kind: jetstream, url: "`+p.URL()+`"}]
station: {name: rtt, storage: memory}
producers: {counts: [1], ack: sync}
load: {duration: 1s, warmup: 200ms}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	rtt := float64((2 * oneWay).Microseconds())
	h, err := result.DecodeHistogram(r.Histogram)
	if err != nil {
		t.Fatal(err)
	}
	// The smallest latency recorded already holds the whole round trip
	// (HDR precision is 0.1%).
	if min := float64(h.Min()) / 1e3; min < rtt*0.999 {
		t.Errorf("min latency %.0fµs is below the injected round trip %.0fµs", min, rtt)
	}
	if r.LatencyUs.P50 < rtt || r.LatencyUs.P50 > rtt+8000 {
		t.Errorf("p50 %.0fµs, want at least the round trip %.0fµs and not 8 ms above it", r.LatencyUs.P50, rtt)
	}
}

// TestCorrectedLatencyShowsStall: under open-loop load with a synchronous
// producer, a 500 ms stall holds one message in flight while the schedule
// keeps running. Measured from the intended send times (corrected), the
// stall shows in p99.9; measured from the actual sends (uncorrected), it
// is one slow message among thousands and does not. Not parallel: other
// tests' load would show in the latencies.
func TestCorrectedLatencyShowsStall(t *testing.T) {
	p := startProxy(t, 0)
	sc := scenario(t, `
name: stall
targets: [{name: proxied, kind: jetstream, url: "`+p.URL()+`"}]
station: {name: stall, storage: memory}
producers: {counts: [1], ack: sync}
load: {duration: 3s, warmup: 200ms, rate: 1000}
`)
	stall := &onLoad{at: 1200 * time.Millisecond, do: func() { p.Stall(500 * time.Millisecond) }}
	res := Run(context.Background(), sc, Options{Progress: stall, TickEvery: 50 * time.Millisecond})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if !stall.fired.Load() {
		t.Fatal("the stall never happened")
	}
	r := res.Runs[0]
	if r.Acked < 2000 {
		t.Fatalf("only %d acked; the test needs thousands of samples", r.Acked)
	}
	if r.LatencyUs.P999 < 300_000 {
		t.Errorf("corrected p99.9 %.0fµs does not show the 500 ms stall", r.LatencyUs.P999)
	}
	if r.LatencyUncorrectedUs.Max < 300_000 {
		t.Errorf("uncorrected max %.0fµs: the stalled message itself is missing", r.LatencyUncorrectedUs.Max)
	}
	// The stall holds back about 500 sends (500 ms at 1000/s): the
	// corrected record counts each of them as waiting, the uncorrected one
	// only the few that were in flight. Counting samples above 300 ms, not
	// reading a percentile, keeps a loaded machine's own hiccups (tens of
	// ms) out of the verdict.
	const slow = 300 * time.Millisecond
	corrected, uncorrected := above(t, r.Histogram, slow), above(t, r.HistogramUncorrected, slow)
	t.Logf("samples above %s: corrected %d, uncorrected %d", slow, corrected, uncorrected)
	if corrected < 100 {
		t.Errorf("%d corrected samples above %s: the sends held back by the stall are missing", corrected, slow)
	}
	if uncorrected > 10 {
		t.Errorf("%d uncorrected samples above %s: only the sends in flight during the stall should be", uncorrected, slow)
	}
	if r.Late == 0 {
		t.Error("no send was counted late, though the producer was held for 500 ms")
	}
	// The stall is the broker's backpressure, not the pacer's lag: the
	// sends it held back were overdue when the pacer came to them.
	if r.PacerLagHistogram == "" {
		t.Fatal("no pacer lag reported for an open-loop run")
	}
	if n := above(t, r.PacerLagHistogram, slow); n > 0 {
		t.Errorf("%d pacer lag samples above %s: the stall's backpressure counted as the pacer's lag", n, slow)
	}
}

// above counts the samples of an encoded histogram above d.
func above(t *testing.T, encoded string, d time.Duration) int64 {
	t.Helper()
	h, err := result.DecodeHistogram(encoded)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, b := range h.Distribution() {
		if b.From > int64(d) {
			n += b.Count
		}
	}
	return n
}
