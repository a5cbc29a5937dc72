package workers

import (
	"testing"
	"time"
)

func TestConstantRateHasNoDrift(t *testing.T) {
	tests := []struct {
		perSec float64
		i      uint64
		want   time.Duration
	}{
		{1000, 0, 0},
		{1000, 1, time.Millisecond},
		{1000, 1_000_000, 1000 * time.Second},
		{3, 3, time.Second},
		{3, 300_000, 100_000 * time.Second},
		{1e6, 123_456_789, 123_456_789 * time.Microsecond},
	}
	for _, tt := range tests {
		if got := (ConstantRate{PerSec: tt.perSec}).At(tt.i); got != tt.want {
			t.Errorf("rate %g: At(%d) = %s, want %s", tt.perSec, tt.i, got, tt.want)
		}
	}
}

func TestSpreadInterleavesProducers(t *testing.T) {
	// 4000 msgs/s over 4 producers: 1000/s each, 1 ms apart, phases 0,
	// 250, 500, 750 µs, so the merged schedule is evenly spaced.
	for k := range 4 {
		c := Spread(4000, 4, k)
		if c.PerSec != 1000 {
			t.Errorf("producer %d: %g/s, want 1000", k, c.PerSec)
		}
		want := time.Duration(k) * 250 * time.Microsecond
		if got := c.At(0); got != want {
			t.Errorf("producer %d: first send at %s, want %s", k, got, want)
		}
		if got := c.At(10) - c.At(9); got != time.Millisecond {
			t.Errorf("producer %d: interval %s, want 1ms", k, got)
		}
	}
}

func TestBeforeMatchesAt(t *testing.T) {
	for _, c := range []ConstantRate{{PerSec: 1000}, {PerSec: 3, Phase: 7 * time.Millisecond}, Spread(50_000, 3, 2), {PerSec: 1e12}} {
		for _, d := range []time.Duration{0, 1, time.Millisecond, 333 * time.Millisecond, time.Second, 10*time.Second + 1} {
			n := c.Before(d)
			if n > 0 && c.At(n-1) >= d || c.At(n) < d {
				t.Errorf("%+v: Before(%s) = %d, but At(n-1) = %s, At(n) = %s", c, d, n, c.At(n-1), c.At(n))
			}
		}
	}
}
