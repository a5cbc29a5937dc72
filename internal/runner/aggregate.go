package runner

import (
	"math"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// aggregate merges what a step's workers (and its delivery receiver, if
// any) recorded into the step's run record. Histograms merge exactly (the
// step's histograms, into which every receiver recorded its latencies);
// per-second percentiles come from the merged per-second histograms.
func aggregate(out result.Run, ws []*workers.Worker, deliveries *workers.AckStats, measured time.Duration, size int) result.Run {
	out.DurationS = measured.Seconds()
	var acks []*workers.AckStats
	for _, w := range ws {
		s := w.Send
		out.Offered += s.Offered
		out.Sent += s.Sent
		out.Errors += s.Errors
		out.Late += s.Late
		out.WarmupSent += s.Warmup
		if a := w.Acks(); a != nil {
			acks = append(acks, a)
		}
	}
	if deliveries != nil {
		acks = append(acks, deliveries)
	}
	corrected, uncorrected := result.NewHistogram(), result.NewHistogram()
	for _, a := range acks {
		out.Acked += a.Acked
		out.Errors += a.Errors
		out.WarmupAcked += a.WarmupAcked
	}
	for _, s := range histogramSets(acks) {
		s.Totals(corrected, uncorrected)
	}
	if deliveries != nil {
		delivered, lost := out.Acked, max(0, out.Sent-out.Acked)
		out.Delivered, out.Lost = &delivered, &lost
	}
	basis := out.Acked
	if len(acks) == 0 {
		basis = out.Sent // core NATS with the subscriber off: publish rate
	}
	if secs := measured.Seconds(); secs > 0 {
		out.ThroughputMsgsPerSec = float64(basis) / secs
		out.ThroughputBytesPerSec = out.ThroughputMsgsPerSec * float64(size)
	}
	out.LatencyUs = result.Latency(corrected)
	out.LatencyUncorrectedUs = result.Latency(uncorrected)
	out.Histogram, _ = result.EncodeHistogram(corrected)
	out.HistogramUncorrected, _ = result.EncodeHistogram(uncorrected)
	out.Series = series(ws, acks, measured)
	pacerLag(&out, ws)
	return out
}

// series merges the per-second records. It covers the measured window, and
// the drain seconds after it in which acks still arrived.
func series(ws []*workers.Worker, acks []*workers.AckStats, measured time.Duration) []result.Second {
	n := 0
	if len(ws) > 0 {
		n = len(ws[0].Send.Series)
	}
	out := make([]result.Second, n)
	for i := range out {
		out[i].Second = i
	}
	for _, w := range ws {
		for i, s := range w.Send.Series {
			out[i].Offered += s.Offered
			out[i].Sent += s.Sent
			out[i].Errors += s.Errors
		}
	}
	for _, a := range acks {
		for i := range min(n, len(a.Series)) {
			out[i].Acked += a.Series[i].Acked
			out[i].Errors += a.Series[i].Errors
		}
	}
	secondP99s(out, acks)
	// Keep the measured seconds, then trailing seconds only while they
	// still hold something.
	keep := int(math.Ceil(measured.Seconds()))
	last := min(keep, n)
	for i := last; i < n; i++ {
		if s := out[i]; s.Offered+s.Sent+s.Acked+s.Errors > 0 {
			last = i + 1
		}
	}
	return out[:last]
}

// secondP99s sets each second's p99 from the merged latencies of that second
// of every receiver. A step's receivers normally share one set of per-second
// histograms; sets not shared (a delivery receiver beside acking workers)
// are merged here.
func secondP99s(out []result.Second, acks []*workers.AckStats) {
	sets := histogramSets(acks)
	var merged *hdrhistogram.Histogram
	for i := range out {
		var h *hdrhistogram.Histogram
		for _, s := range sets {
			sec := s.Second(i)
			switch {
			case sec == nil:
			case h == nil:
				h = sec
			default:
				if merged == nil {
					merged = result.NewHistogram()
				}
				if h != merged {
					merged.Reset()
					merged.Merge(h)
					h = merged
				}
				merged.Merge(sec)
			}
		}
		if h != nil {
			out[i].P99Us = float64(h.ValueAtQuantile(99)) / 1e3
		}
	}
}

// histogramSets are the distinct sets of step histograms the receivers
// recorded into: each receiver's latencies are in exactly one, so merging
// each set once counts every latency once.
func histogramSets(acks []*workers.AckStats) []*workers.SecondHistograms {
	var sets []*workers.SecondHistograms
	for _, a := range acks {
		if s := a.Seconds(); s != nil && !slices.Contains(sets, s) {
			sets = append(sets, s)
		}
	}
	return sets
}
