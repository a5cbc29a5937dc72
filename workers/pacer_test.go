package workers

import (
	"testing"
	"time"
)

// TestOpenLoopPace checks the open loop's arithmetic: the wait is to the
// absolute time of the next message from the load's start, whatever time
// has passed, and the loop stops at the window's end.
func TestOpenLoopPace(t *testing.T) {
	ms := time.Millisecond
	p := &openLoop{sched: ConstantRate{PerSec: 1000, Phase: ms / 2}, start: int64(10 * ms), end: int64(20 * ms)}
	tests := []struct {
		elapsed  time.Duration
		hits     uint64
		wait     time.Duration
		stop     bool
		scenario string
	}{
		{0, 0, ms / 2, false, "the first message at its phase"},
		{0, 3, 3*ms + ms/2, false, "ahead of the schedule: wait for the absolute time"},
		{ms, 3, 2*ms + ms/2, false, "time passed: the wait shrinks, the time does not move"},
		{5 * ms, 3, -(ms + ms/2), false, "behind: overdue, send at once"},
		{0, 9, 9*ms + ms/2, false, "the last message before the end"},
		{0, 10, 0, true, "past the window's end"},
	}
	for _, tt := range tests {
		wait, stop := p.pace(tt.elapsed, tt.hits)
		if wait != tt.wait || stop != tt.stop {
			t.Errorf("%s: pace(%s, %d) = %s, %v; want %s, %v", tt.scenario, tt.elapsed, tt.hits, wait, stop, tt.wait, tt.stop)
		}
	}
}
