package workers

import (
	"sync"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// SecondHistograms are a step's latencies a second at a time: one histogram
// per second of the step's series, shared by all the step's receivers. Each
// receiver merges its own second into it once that second is over (off the
// publish path), so the step keeps one histogram per second, not one per
// producer per second. A second's histogram is made when the first receiver
// has something to merge into it. Safe for concurrent use.
type SecondHistograms struct {
	mu      sync.Mutex
	seconds []*hdrhistogram.Histogram // index: second of the series; nil until used
}

// NewSecondHistograms makes an empty set; histograms are made as seconds
// are merged into it.
func NewSecondHistograms() *SecondHistograms { return &SecondHistograms{} }

// merge adds h, the latencies of second sec of one receiver, to the step's.
func (s *SecondHistograms) merge(sec int, h *hdrhistogram.Histogram) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec >= len(s.seconds) {
		s.seconds = append(s.seconds, make([]*hdrhistogram.Histogram, sec+1-len(s.seconds))...)
	}
	if s.seconds[sec] == nil {
		s.seconds[sec] = result.NewHistogram()
	}
	s.seconds[sec].Merge(h)
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
