package workers

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/result"
)

// TestSecondHistogramsMergeTwoReceivers records two receivers of one step
// concurrently, as two producers' ack receivers do, into one shared set of
// per-second histograms, and checks each second against a reference: each
// receiver's second kept apart, encoded and decoded as they were before
// they stayed in memory, then merged. Counts and p99 must be exactly equal.
func TestSecondHistogramsMergeTwoReceivers(t *testing.T) {
	w := Window{From: time.Second, To: 4 * time.Second}
	n := seriesLen(w, time.Second)
	shared := NewSecondHistograms()
	type rec struct{ intended, now int64 }
	var script [2][]rec
	for k := range script {
		r := rand.New(rand.NewPCG(1, uint64(k)))
		for i := range 3000 {
			intended := int64(w.From) + int64(i)*int64(time.Millisecond) // 3 seconds of sends
			lat := int64(50_000 + r.ExpFloat64()*float64(200_000*(k+1))) // receiver k is slower
			if i%97 == 0 {
				lat += int64(40 * time.Millisecond) // a tail
			}
			script[k] = append(script[k], rec{intended, intended + lat})
		}
	}
	var wg sync.WaitGroup
	stats := [2]*AckStats{}
	for k := range stats {
		stats[k] = newAckStats(w, n, shared)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range script[k] {
				stats[k].record(m.intended, m.intended, m.now, true)
			}
			stats[k].finish()
		}()
	}
	wg.Wait()

	all := result.NewHistogram()
	for k := range script {
		for _, m := range script[k] {
			_ = all.RecordValue(clamp(m.now - m.intended))
		}
	}
	corrected, uncorrected := result.NewHistogram(), result.NewHistogram()
	shared.Totals(corrected, uncorrected)
	if !corrected.Equals(all) || !uncorrected.Equals(all) {
		t.Errorf("step totals: %d and %d latencies, want exactly the %d recorded", corrected.TotalCount(), uncorrected.TotalCount(), all.TotalCount())
	}

	for sec := range n {
		ref := result.NewHistogram()
		var count int64
		for k := range script {
			own := result.NewHistogram()
			for _, m := range script[k] {
				if w.second(m.now, n) == sec {
					_ = own.RecordValue(clamp(m.now - m.intended))
				}
			}
			if own.TotalCount() == 0 {
				continue
			}
			enc, err := result.EncodeHistogram(own)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := result.DecodeHistogram(enc)
			if err != nil {
				t.Fatal(err)
			}
			ref.Merge(dec)
			count += own.TotalCount()
		}
		got := shared.Second(sec)
		if count == 0 {
			if got != nil {
				t.Errorf("second %d: %d latencies, want none", sec, got.TotalCount())
			}
			continue
		}
		if got == nil {
			t.Fatalf("second %d: no histogram, want %d latencies", sec, count)
		}
		if got.TotalCount() != count || p99(got) != p99(ref) || !got.Equals(ref) {
			t.Errorf("second %d: %d latencies, p99 %d ns; reference merge %d, p99 %d ns", sec, got.TotalCount(), p99(got), count, p99(ref))
		}
		if a, b := stats[0].Series[sec].Acked, stats[1].Series[sec].Acked; a+b != count {
			t.Errorf("second %d: %d + %d acked, %d latencies", sec, a, b, count)
		}
	}
}

func p99(h *hdrhistogram.Histogram) int64 { return h.ValueAtQuantile(99) }
