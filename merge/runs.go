package merge

import (
	"fmt"
	"time"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// maxErrorTexts is how many distinct error texts a merged run keeps, as
// many as the runner keeps for one run.
const maxErrorTexts = 8

// mergeRuns merges each run of the parts (ps in segment order, checked to
// hold the same runs) into one, in segment 0's run order.
func mergeRuns(ps []part) ([]result.Run, error) {
	at := make([]map[runKey]int, len(ps))
	for i, p := range ps {
		at[i] = make(map[runKey]int, len(p.res.Runs))
		for j := range p.res.Runs {
			at[i][keyOf(&p.res.Runs[j])] = j
		}
	}
	h := scratch{corrected: result.NewHistogramAdder(), uncorrected: result.NewHistogramAdder(), second: result.NewHistogramAdder(),
		lag: result.NewHistogramAdderOf(result.NewPacerLagHistogram())}
	out := make([]result.Run, 0, len(ps[0].res.Runs))
	rs := make([]*result.Run, len(ps))
	for j := range ps[0].res.Runs {
		k := keyOf(&ps[0].res.Runs[j])
		for i, p := range ps {
			rs[i] = &p.res.Runs[at[i][k]]
		}
		run, err := mergeRun(ps, rs, &h)
		if err != nil {
			return nil, fmt.Errorf("merge: run %s: %w", describe(rs[0]), err)
		}
		out = append(out, run)
	}
	return out, nil
}

// scratch holds the sums the merge adds histograms into, reused from run
// to run and second to second.
type scratch struct {
	corrected, uncorrected, second *result.HistogramAdder
	lag                            *result.HistogramAdder // pacer lag's geometry
}

// mergeRun merges one run of every part: rs[i] is ps[i]'s.
func mergeRun(ps []part, rs []*result.Run, h *scratch) (result.Run, error) {
	first := rs[0]
	out := result.Run{
		Target:         first.Target,
		Kind:           first.Kind,
		Axis:           first.Axis,
		Producers:      first.Producers,
		RateMsgsPerSec: first.RateMsgsPerSec,
		Repeat:         first.Repeat,
		StartedAt:      first.StartedAt,
		MeasuredFrom:   earliest(rs),
		Series:         []result.Second{},
	}
	// offsets[i] is how much later than the earliest part part i began
	// its measured window.
	offsets := make([]time.Duration, len(rs))
	statuses := make([]result.Status, len(rs))
	errs := make([]string, len(rs))
	notes := make([][]string, len(rs))
	errorTexts := make([][]result.ErrorText, len(rs))
	var msgs, bytes float64 // throughput × duration: what each part's throughput counted
	var delivered, lost int64
	var anyDelivered, anyLost bool
	for i, r := range rs {
		if !r.MeasuredFrom.IsZero() {
			offsets[i] = r.MeasuredFrom.Sub(out.MeasuredFrom)
		}
		if !r.StartedAt.IsZero() && (out.StartedAt.IsZero() || r.StartedAt.Before(out.StartedAt)) {
			out.StartedAt = r.StartedAt
		}
		statuses[i], errs[i], notes[i], errorTexts[i] = r.Status, r.Error, r.Notes, r.ErrorTexts
		out.WarmupS = max(out.WarmupS, r.WarmupS)
		out.DurationS = max(out.DurationS, offsets[i].Seconds()+r.DurationS)
		out.Offered += r.Offered
		out.Sent += r.Sent
		out.Acked += r.Acked
		out.Errors += r.Errors
		out.Late += r.Late
		out.WarmupSent += r.WarmupSent
		out.WarmupAcked += r.WarmupAcked
		out.DrainSent += r.DrainSent
		out.Disconnects += r.Disconnects
		out.Reconnects += r.Reconnects
		out.DisconnectedS = max(out.DisconnectedS, r.DisconnectedS)
		out.PeakRSSBytes = max(out.PeakRSSBytes, r.PeakRSSBytes) // each agent is its own process: the largest, not a sum
		msgs += result.Finite(r.ThroughputMsgsPerSec * r.DurationS)
		bytes += result.Finite(r.ThroughputBytesPerSec * r.DurationS)
		if r.Delivered != nil {
			delivered, anyDelivered = delivered+*r.Delivered, true
		}
		if r.Lost != nil {
			lost, anyLost = lost+*r.Lost, true
		}
	}
	out.Status = worst(statuses)
	out.Error = joinErrors(ps, errs)
	out.Notes = combineNotes(ps, notes)
	out.ErrorTexts = workers.MergeErrorTexts(errorTexts, maxErrorTexts)
	if anyDelivered {
		out.Delivered = &delivered
	}
	// A station is verified once, by segment 0, against every agent's
	// acks: its figures are the run's, never added up.
	if first.Stored != nil {
		out.Stored, out.Lost, out.Duplicates = clone(first.Stored), clone(first.Lost), clone(first.Duplicates)
	} else {
		out.Duplicates = clone(first.Duplicates)
		if anyLost {
			out.Lost = &lost
		}
	}
	if out.DurationS > 0 {
		out.ThroughputMsgsPerSec = msgs / out.DurationS
		out.ThroughputBytesPerSec = bytes / out.DurationS
	}
	var err error
	if out.Histogram, out.LatencyUs, err = addHistograms(ps, rs, h.corrected, func(r *result.Run) string { return r.Histogram }); err != nil {
		return out, err
	}
	if out.HistogramUncorrected, out.LatencyUncorrectedUs, err = addHistograms(ps, rs, h.uncorrected,
		func(r *result.Run) string { return r.HistogramUncorrected }); err != nil {
		return out, err
	}
	var lagNote string
	if out.PacerLagHistogram, out.PacerLagUs, lagNote, err = addPacerLag(ps, rs, h.lag); err != nil { // pacerlag.go
		return out, err
	}
	if lagNote != "" {
		out.Notes = append(out.Notes, lagNote)
	}
	out.Phases = mergePhases(rs, offsets) // producers.go
	exact := true
	if out.Series, exact, err = mergeSeries(ps, rs, offsets, out.Phases, h.second); err != nil { // series.go
		return out, err
	}
	if !exact {
		out.Notes = append(out.Notes, "per-second p99 is the largest of the agents' (an upper bound), not merged exactly: "+
			"some agent's result holds no per-second histograms")
	}
	out.ProducerStats, out.Fairness = mergeProducers(rs) // producers.go
	return out, nil
}

// addHistograms adds the parts' histograms that of picks (an empty one is
// a run that measured nothing) into h, and returns the sum encoded and its
// percentiles; "" when no part has one.
func addHistograms(ps []part, rs []*result.Run, h *result.HistogramAdder, of func(*result.Run) string) (string, result.Percentiles, error) {
	h.Reset()
	found := false
	for i, r := range rs {
		s := of(r)
		if s == "" {
			continue
		}
		if err := h.Add(s); err != nil {
			return "", result.Percentiles{}, fmt.Errorf("%s: %w", ps[i].name, err)
		}
		found = true
	}
	if !found {
		return "", result.Percentiles{}, nil
	}
	sum := h.Histogram()
	enc, err := result.EncodeHistogram(sum)
	if err != nil {
		return "", result.Percentiles{}, err
	}
	return enc, result.Latency(sum), nil
}

// earliest is the earliest measured window's start of rs; zero when none
// recorded one.
func earliest(rs []*result.Run) time.Time {
	var t time.Time
	for _, r := range rs {
		if !r.MeasuredFrom.IsZero() && (t.IsZero() || r.MeasuredFrom.Before(t)) {
			t = r.MeasuredFrom
		}
	}
	return t
}

func clone(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
