package workers

import (
	"slices"
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
}

// Per-producer latency geometry: coarser than the step's (result.NewHistogram:
// 1 ns to 60 s, 3 significant digits, 221 KB), so that a producer costs
// 21 KB, not 663 KB, for its own percentiles. Values are nanoseconds; the
// resolution is 1 us and each value is within 1 % of what was recorded. The
// step's histograms, which every step figure comes from, stay exact.
const (
	producerLowestNs int64 = 1000
	producerSigFigs        = 2
)

// ackBuffer is how many latencies a receiver holds before recording them
// into its step's histograms: a lock is taken once per ackBuffer acks (and
// at the end of each second), never per ack. 4 KB per receiver.
const ackBuffer = 256

// sample is one acknowledged message's latencies, clamped into the
// histograms' range, in nanoseconds.
type sample struct {
	corrected, uncorrected int64
}

// AckStats is what one acknowledgement (or delivery) receiver recorded.
// Only the receiving goroutine writes it; it is read after that goroutine is
// known to be done (see gate).
type AckStats struct {
	Acked       int64 // measured messages acknowledged (or delivered)
	Errors      int64 // negative acknowledgements
	WarmupAcked int64 // warmup messages acknowledged
	Stale       int64 // acks for messages already counted as timed out
	// Latency is this receiver's own corrected latency (from the intended
	// send time), in nanoseconds, at the per-producer geometry: coarser
	// than the step's histograms (see producerSigFigs). MaxNs is its exact
	// largest value (clamped into the step's range).
	Latency *hdrhistogram.Histogram
	MaxNs   int64
	Series  []AckSecond

	buf     [ackBuffer]sample // latencies of the current second not yet recorded in seconds
	n       int               // how many of buf are filled
	seconds *SecondHistograms // the step's; the buffer is recorded there
	shard   *latencyShard     // this receiver's part of the step's totals
	live    *LiveLatency      // fed from each recorded buffer; nil for none
	cur     int               // index of the current second
	window  Window
}

func newSendStats(seconds int) SendStats {
	return SendStats{Series: make([]SendSecond, seconds)}
}

// newAckStats makes the record of one receiver for the measured window w,
// with a series of n seconds; its latencies are recorded into the step's
// histograms, seconds.
func newAckStats(w Window, n int, seconds *SecondHistograms) *AckStats {
	return &AckStats{
		Latency: hdrhistogram.New(producerLowestNs, result.HistogramHighestNs, producerSigFigs),
		Series:  make([]AckSecond, n),
		seconds: seconds,
		shard:   seconds.shard(),
		window:  w,
	}
}

// date gives a record made before its step's measured window was fixed
// that window, and a series of n seconds.
func (a *AckStats) date(w Window, n int) {
	a.window, a.Series = w, make([]AckSecond, n)
}

// Seconds are the step's histograms this record is recorded into, shared
// with the other receivers of its step.
func (a *AckStats) Seconds() *SecondHistograms { return a.seconds }

// LatencyAt returns the receiver's corrected latency at quantile q (0 to
// 100) in nanoseconds, at most MaxNs; 0 when nothing was acknowledged.
func (a *AckStats) LatencyAt(q float64) int64 {
	if a.Latency.TotalCount() == 0 {
		return 0
	}
	return min(a.Latency.ValueAtQuantile(q), a.MaxNs)
}

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
	c, u := clamp(now-intended), clamp(now-sent)
	a.MaxNs = max(a.MaxNs, c)
	_ = a.Latency.RecordValue(c) // cannot fail: clamped into range
	a.buf[a.n] = sample{corrected: c, uncorrected: u}
	if a.n++; a.n == len(a.buf) {
		a.flush()
	}
}

// roll moves the current second forward to the one holding now, recording
// the buffered latencies of the second it leaves.
func (a *AckStats) roll(now int64) {
	s := a.window.second(now, len(a.Series))
	if s == a.cur {
		return
	}
	a.flush()
	a.cur = s
}

// flush records the buffered latencies of the current second into the
// step's histograms (and the live buckets) and empties the buffer. It
// allocates nothing but a second's histogram the first time any receiver
// records into that second.
func (a *AckStats) flush() {
	if a.n == 0 {
		return
	}
	a.seconds.record(a.shard, a.cur, a.buf[:a.n])
	if a.live != nil {
		a.live.addSamples(a.buf[:a.n])
	}
	a.n = 0
}

// finish records what is still buffered; call once, after the last record.
func (a *AckStats) finish() { a.flush() }

// addSamples files buffered latencies into the live buckets.
func (l *LiveLatency) addSamples(lat []sample) {
	bounds := LiveBoundsNs()
	var counts [LiveBuckets + 1]int64
	var sum int64
	for _, s := range lat {
		i, _ := slices.BinarySearch(bounds[:], s.corrected)
		counts[i]++
		sum += s.corrected
	}
	for i, c := range counts {
		if c > 0 {
			l.counts[i].Add(c)
		}
	}
	l.sumNs.Add(sum)
}

// clamp puts a latency into the histograms' trackable range, so that a
// stall longer than the range still counts at the range's top.
func clamp(v int64) int64 {
	return min(max(v, result.HistogramLowestNs), result.HistogramHighestNs)
}
