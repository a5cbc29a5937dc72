package workers

import (
	"math"
	"time"
)

// Schedule gives the intended send time of a producer's i-th message
// (counted from 0) as an offset from the step's start. Intended times are
// computed from the start, never from the previous send, so a late send does
// not push the rest of the schedule back (no drift), and latency can be
// measured from when a message should have left (no coordinated omission).
type Schedule interface {
	At(i uint64) time.Duration
	// Before counts the messages whose intended time is before d: the
	// smallest n with At(n) >= d.
	Before(d time.Duration) uint64
}

// ConstantRate sends PerSec messages a second, the first at Phase.
type ConstantRate struct {
	PerSec float64
	Phase  time.Duration
}

// At returns Phase + i/PerSec seconds.
func (c ConstantRate) At(i uint64) time.Duration {
	return c.Phase + time.Duration(float64(i)*float64(time.Second)/c.PerSec)
}

// Before counts the messages intended before d.
func (c ConstantRate) Before(d time.Duration) uint64 {
	if d <= c.Phase {
		return 0
	}
	n := uint64(math.Ceil(float64(d-c.Phase) * c.PerSec / float64(time.Second)))
	// At truncates; step to the exact boundary.
	for n > 0 && c.At(n-1) >= d {
		n--
	}
	for c.At(n) < d {
		n++
	}
	return n
}

// Spread splits a total rate across n producers: each gets rate/n, and
// producer k (from 0) starts k/n of an interval later, so the producers'
// sends interleave instead of arriving together.
func Spread(totalPerSec float64, n, k int) ConstantRate {
	per := totalPerSec / float64(n)
	interval := float64(time.Second) / per
	return ConstantRate{PerSec: per, Phase: time.Duration(interval * float64(k) / float64(n))}
}
