package workers

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// Window is the measured part of a step, as offsets from the step's start.
// A message belongs to the measurement when its intended send time falls in
// [From, To); everything before From is warmup.
type Window struct {
	From time.Duration
	To   time.Duration
}

// contains reports whether an intended send time is measured.
func (w Window) contains(intendedNs int64) bool {
	return intendedNs >= int64(w.From) && intendedNs < int64(w.To)
}

// second maps an offset to its index in the per-second series, clamped to
// the series length n.
func (w Window) second(offsetNs int64, n int) int {
	s := int((offsetNs - int64(w.From)) / int64(time.Second))
	if s < 0 {
		return 0
	}
	if s >= n {
		return n - 1
	}
	return s
}

// SendSecond is one second of what a sender did.
type SendSecond struct {
	Offered int64
	Sent    int64
	Errors  int64
}

// SendStats is what one producer's publishing goroutine counted. Only that
// goroutine writes it; it is read after the goroutine has finished.
type SendStats struct {
	Offered int64 // measured messages whose intended time came before the end
	Sent    int64 // measured messages handed to the connection
	Errors  int64 // publish calls that failed, and acks that timed out
	Late    int64 // sends that left more than lateAfter after their intended time
	Warmup  int64 // messages sent during warmup
	Drain   int64 // messages sent after the measured window
	Series  []SendSecond
}

// AckSecond is one second of what an acknowledgement receiver saw. The
// second's latencies go to the step's SecondHistograms, where the seconds of
// all the step's receivers merge exactly.
type AckSecond struct {
	Acked  int64
	Errors int64
	P99Ns  int64 // this receiver's own p99 of the second
}

// AckStats is what one acknowledgement (or delivery) receiver recorded.
// Only the receiving goroutine writes it; it is read after that goroutine is
// known to be done (see gate).
type AckStats struct {
	Acked       int64 // measured messages acknowledged (or delivered)
	Errors      int64 // negative acknowledgements
	WarmupAcked int64 // warmup messages acknowledged
	Stale       int64 // acks for messages already counted as timed out
	// Corrected is latency from the intended send time; Uncorrected from the
	// actual send time. Values in nanoseconds.
	Corrected   *hdrhistogram.Histogram
	Uncorrected *hdrhistogram.Histogram
	Series      []AckSecond

	interval *hdrhistogram.Histogram // acks of the current second
	seconds  *SecondHistograms       // the step's; each closed second merges in
	live     *LiveLatency            // fed each closed second; nil for none
	cur      int                     // index of the current second
	window   Window
}

func newSendStats(seconds int) SendStats {
	return SendStats{Series: make([]SendSecond, seconds)}
}

// newAckStats makes the record of one receiver for the measured window w,
// with a series of n seconds; each closed second's latencies merge into
// the step's per-second histograms.
func newAckStats(w Window, n int, seconds *SecondHistograms) *AckStats {
	return &AckStats{
		Corrected:   result.NewHistogram(),
		Uncorrected: result.NewHistogram(),
		Series:      make([]AckSecond, n),
		interval:    result.NewHistogram(),
		seconds:     seconds,
		window:      w,
	}
}

// Seconds are the per-second histograms this record merges into, shared
// with the other receivers of its step.
func (a *AckStats) Seconds() *SecondHistograms { return a.seconds }

// seriesLen is the number of seconds a step's series holds: the measured
// window plus the drain, during which late acks still arrive.
func seriesLen(w Window, drain time.Duration) int {
	return int((w.To-w.From+drain)/time.Second) + 2
}

// record files one acknowledgement of a message intended at intended and
// sent at sent, received at now (all offsets from the step start, ns).
func (a *AckStats) record(intended, sent, now int64, ok bool) {
	if !a.window.contains(intended) {
		if ok && intended < int64(a.window.From) {
			a.WarmupAcked++
		}
		return
	}
	a.roll(now)
	if !ok {
		a.Errors++
		a.Series[a.cur].Errors++
		return
	}
	a.Acked++
	a.Series[a.cur].Acked++
	recordClamped(a.Corrected, now-intended)
	recordClamped(a.Uncorrected, now-sent)
	recordClamped(a.interval, now-intended)
}

// roll moves the current second forward to the one holding now, closing the
// seconds it passes.
func (a *AckStats) roll(now int64) {
	s := a.window.second(now, len(a.Series))
	if s == a.cur {
		return
	}
	a.flush()
	a.cur = s
}

// flush writes the current second's p99, merges the second into the
// step's (once a second, off the publish path: the lock there is taken
// once per receiver per second) and starts a new interval.
func (a *AckStats) flush() {
	if a.interval.TotalCount() > 0 {
		a.Series[a.cur].P99Ns = a.interval.ValueAtQuantile(99)
		a.seconds.merge(a.cur, a.interval)
		if a.live != nil {
			a.live.add(a.interval)
		}
		a.interval.Reset()
	}
}

// finish closes the last second; call once, after the last record.
func (a *AckStats) finish() { a.flush() }

// recordClamped records v, clamped into the histogram's trackable range, so
// that a stall longer than the range still counts at the range's top.
func recordClamped(h *hdrhistogram.Histogram, v int64) {
	if v < 1 {
		v = 1
	}
	if hi := h.HighestTrackableValue(); v > hi {
		v = hi
	}
	_ = h.RecordValue(v) // cannot fail: v is in range
}
