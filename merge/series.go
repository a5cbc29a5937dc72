package merge

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/stationbench/stationbench/result"
)

// mergeSeries aligns the parts' per-second series on the wall clock and
// adds them up. Part i's second s lands on merged second s + round(offsets[i]
// in seconds), offsets[i] being how much later than the earliest part its
// measured window began; agents that start together (the rendezvous sets
// one start time) land on the same seconds. Counts and paused producers are
// summed, disconnected time is the largest of the parts'. A second's p99
// comes from the sum of the parts' histograms of that second; when a part
// that received acks in it kept no histogram, it is the largest of the
// parts' p99s (an upper bound: the mixture's p99 is no larger than its
// largest part's) and exact is false. The merged seconds keep no
// histogram: encoding one per second would cost more than the rest of the
// merge, and nothing reads them. Phase names the merged phase events
// (phases) that happened in each second, as the runner's series do.
func mergeSeries(ps []part, rs []*result.Run, offsets []time.Duration, phases []result.PhaseEvent,
	h *result.HistogramAdder) (series []result.Second, exact bool, err error) {
	shift := make([]int, len(rs))
	n := 0
	for i, r := range rs {
		shift[i] = int(math.Round(offsets[i].Seconds()))
		for k, s := range r.Series {
			if s.Second != k {
				return nil, false, fmt.Errorf("%s: series entry %d is second %d: want consecutive seconds from 0", ps[i].name, k, s.Second)
			}
		}
		n = max(n, shift[i]+len(r.Series))
	}
	out := make([]result.Second, n)
	exact = true
	for j := range out {
		o := &out[j]
		o.Second = j
		h.Reset()
		added, whole := false, true
		var largest float64
		for i, r := range rs {
			k := j - shift[i]
			if k < 0 || k >= len(r.Series) {
				continue
			}
			s := &r.Series[k]
			o.Offered += s.Offered
			o.Sent += s.Sent
			o.Acked += s.Acked
			o.Errors += s.Errors
			o.Paused += s.Paused
			o.DisconnectedS = max(o.DisconnectedS, s.DisconnectedS)
			largest = max(largest, s.P99Us)
			switch {
			case s.Histogram != "":
				if err := h.Add(s.Histogram); err != nil {
					return nil, false, fmt.Errorf("%s: second %d: %w", ps[i].name, k, err)
				}
				added = true
			case s.Acked > 0 || s.P99Us > 0:
				whole = false
			}
		}
		switch {
		case !whole:
			o.P99Us, exact = largest, false
		case added && h.TotalCount() > 0:
			o.P99Us = float64(h.Histogram().ValueAtQuantile(99)) / 1e3
		}
		o.Phase = phaseText(phases, j)
	}
	return out, exact, nil
}

// phaseText names the phase changes that happened in second i ("pause 3"),
// as the runner marks its series: the first second also names those before
// it.
func phaseText(events []result.PhaseEvent, i int) string {
	var what []string
	for _, ev := range events {
		if ev.AtS >= float64(i+1) {
			break
		}
		if ev.AtS >= float64(i) || i == 0 {
			what = append(what, fmt.Sprintf("%s %d", ev.Action, len(ev.Producers)))
		}
	}
	return strings.Join(what, "; ")
}
