package workers

import (
	"runtime"
	"sync"
	"sync/atomic"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// SecondHistograms are a step's exact latency histograms, shared by all the
// step's receivers: the whole step's corrected and uncorrected latencies,
// and the corrected latencies a second at a time (for each second's p99).
//
// A receiver never holds a full-range histogram of its own (each is 221 KB:
// three per producer made 10,000 producers cost 6.6 GB). It keeps the raw
// latencies of its current second in a small buffer (AckStats) and records
// them here when the buffer is full or the second is over, so that a lock
// is taken once per buffer, never per message. Each corrected latency is
// recorded once, into its second; the step's corrected histogram is the
// merge of its seconds. The uncorrected latencies are sharded (receivers
// are spread over the shards, one lock each) so that receivers on
// different cores rarely wait for each other; the per-second histograms are
// one set, since all receivers are in the same second at the same time.
// Recording the same values into these histograms gives the same
// histograms as recording them per receiver and merging: a histogram is a
// count per bucket. Safe for concurrent use.
type SecondHistograms struct {
	shards []latencyShard
	next   atomic.Uint32 // the shard the next receiver gets

	mu      sync.Mutex
	seconds []*hdrhistogram.Histogram // index: second of the series; nil until used
}

// latencyShard is a part of a step's uncorrected latencies: the receivers
// given it record into it. Its histogram is made on the first record.
type latencyShard struct {
	mu          sync.Mutex
	uncorrected *hdrhistogram.Histogram
	_           [48]byte // keep each shard's lock on its own cache line
}

// maxLatencyShards bounds the shards of a step (each holds a full-range
// histogram when used: 221 KB).
const maxLatencyShards = 64

// NewSecondHistograms makes an empty set, with a shard per CPU the process
// may use (GOMAXPROCS, at most maxLatencyShards); histograms are made as
// they are first recorded into.
func NewSecondHistograms() *SecondHistograms {
	n := min(max(runtime.GOMAXPROCS(0), 1), maxLatencyShards)
	return &SecondHistograms{shards: make([]latencyShard, n)}
}

// shard gives a new receiver its shard: receivers are dealt round the shards.
func (s *SecondHistograms) shard() *latencyShard {
	k := s.next.Add(1) - 1
	return &s.shards[int(k)%len(s.shards)]
}

// record files the buffered latencies of one receiver's second sec into
// the step's uncorrected latencies (through the receiver's shard) and, the
// corrected ones, into the second.
func (s *SecondHistograms) record(sh *latencyShard, sec int, lat []sample) {
	sh.mu.Lock()
	if sh.uncorrected == nil {
		sh.uncorrected = result.NewHistogram()
	}
	for _, l := range lat {
		_ = sh.uncorrected.RecordValue(l.uncorrected) // cannot fail: clamped into range
	}
	sh.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	if sec >= len(s.seconds) {
		s.seconds = append(s.seconds, make([]*hdrhistogram.Histogram, sec+1-len(s.seconds))...)
	}
	h := s.seconds[sec]
	if h == nil {
		h = result.NewHistogram()
		s.seconds[sec] = h
	}
	for _, l := range lat {
		_ = h.RecordValue(l.corrected)
	}
}

// Second returns the merged latencies of second sec, nil when none were
// recorded. Read it once the step's receivers are done.
func (s *SecondHistograms) Second(sec int) *hdrhistogram.Histogram {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec < 0 || sec >= len(s.seconds) {
		return nil
	}
	return s.seconds[sec]
}

// Totals adds the step's corrected and uncorrected latencies to corrected
// and uncorrected (histograms of result.NewHistogram's geometry). Call once
// the step's receivers are done.
func (s *SecondHistograms) Totals(corrected, uncorrected *hdrhistogram.Histogram) {
	s.mu.Lock()
	for _, h := range s.seconds {
		if h != nil {
			corrected.Merge(h)
		}
	}
	s.mu.Unlock()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		if sh.uncorrected != nil {
			uncorrected.Merge(sh.uncorrected)
		}
		sh.mu.Unlock()
	}
}
