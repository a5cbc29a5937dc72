package workers

import (
	"testing"
	"time"

	"github.com/stationbench/stationbench/result"
)

func TestAckStatsKeepsWarmupOutAndRollsSeconds(t *testing.T) {
	w := Window{From: time.Second, To: 3 * time.Second}
	a := newAckStats(w, seriesLen(w, time.Second), NewSecondHistograms())
	ms := int64(time.Millisecond)
	a.record(500*ms, 500*ms, 510*ms, true)    // warmup
	a.record(1000*ms, 1000*ms, 1002*ms, true) // second 0: 2 ms
	a.record(1500*ms, 1600*ms, 1610*ms, true) // second 0: 110 ms corrected, 10 ms uncorrected
	a.record(2100*ms, 2100*ms, 2101*ms, false)
	a.record(2200*ms, 2200*ms, 2204*ms, true) // second 1: 4 ms
	a.record(3000*ms, 3000*ms, 3001*ms, true) // after the window
	a.finish()
	if a.Acked != 3 || a.WarmupAcked != 1 || a.Errors != 1 {
		t.Errorf("acked %d, warmup %d, errors %d; want 3, 1, 1", a.Acked, a.WarmupAcked, a.Errors)
	}
	if a.Series[0].Acked != 2 || a.Series[1].Acked != 1 || a.Series[1].Errors != 1 {
		t.Errorf("series %+v", a.Series[:2])
	}
	if got := a.MaxNs; got != 110*ms {
		t.Errorf("max %d, want 110 ms", got)
	}
	if got := a.LatencyAt(100); got != 110*ms {
		t.Errorf("own p100 %d, want 110 ms (at most the max)", got)
	}
	corrected, uncorrected := result.NewHistogram(), result.NewHistogram()
	a.Seconds().Totals(corrected, uncorrected)
	if got := corrected.Max(); got < 110*ms || got > 111*ms {
		t.Errorf("corrected max %d, want about 110 ms", got)
	}
	if got := uncorrected.Max(); got < 10*ms || got > 11*ms {
		t.Errorf("uncorrected max %d, want about 10 ms", got)
	}
	if p := a.Seconds().Second(0).ValueAtQuantile(99); p < 110*ms || p > 111*ms {
		t.Errorf("second 0 p99 %d, want about 110 ms", p)
	}
	if s0, s1 := a.Seconds().Second(0), a.Seconds().Second(1); s0 == nil || s0.TotalCount() != 2 || s1 == nil || s1.TotalCount() != 1 {
		t.Error("per-second histograms not kept")
	}
}

func TestRecordClampsOutOfRange(t *testing.T) {
	w := Window{From: 0, To: time.Hour}
	a := newAckStats(w, 2, NewSecondHistograms())
	a.record(0, 0, int64(2*time.Minute), true) // beyond the 60 s range
	a.record(5, 5, 5, true)                    // zero latency
	a.finish()
	corrected, uncorrected := result.NewHistogram(), result.NewHistogram()
	a.Seconds().Totals(corrected, uncorrected)
	if a.Acked != 2 || corrected.TotalCount() != 2 || a.Latency.TotalCount() != 2 {
		t.Fatalf("acked %d, recorded %d (own %d)", a.Acked, corrected.TotalCount(), a.Latency.TotalCount())
	}
	if corrected.Max() < int64(59*time.Second) || a.MaxNs < int64(59*time.Second) {
		t.Errorf("a 2-minute stall recorded as %d ns (own max %d ns)", corrected.Max(), a.MaxNs)
	}
}

func TestStampRoundTrip(t *testing.T) {
	p := make([]byte, 32)
	stamp(p, 123, 456)
	i, s, ok := readStamp(p)
	if !ok || i != 123 || s != 456 {
		t.Errorf("readStamp = %d, %d, %v", i, s, ok)
	}
	if _, _, ok := readStamp(p[:15]); ok {
		t.Error("a 15-byte payload carried a stamp")
	}
}

func TestPubAckOK(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{`{"stream":"orders","seq":12}`, true},
		{`{"stream":"orders","seq":13,"duplicate":true}`, true},
		{`{"error":{"code":503,"description":"no responders"}}`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := pubAckOK([]byte(tt.data)); got != tt.want {
			t.Errorf("pubAckOK(%q) = %v", tt.data, got)
		}
	}
}
