package result

import (
	"math/rand/v2"
	"testing"
)

// TestMergeHistogramIsExact: merging encoded histograms gives the histogram
// of every value recorded at once: same count, min, max and percentiles.
func TestMergeHistogramIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := NewHistogram()
	merged := NewHistogram()
	for part := range 5 {
		h := NewHistogram()
		for range 2000 + 500*part {
			v := int64(rng.ExpFloat64()*float64(200_000*(part+1))) + 1
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
			_ = all.RecordValue(v)
		}
		s, err := EncodeHistogram(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := MergeHistogram(merged, s); err != nil {
			t.Fatal(err)
		}
	}
	if merged.TotalCount() != all.TotalCount() || merged.Min() != all.Min() || merged.Max() != all.Max() {
		t.Fatalf("merged count/min/max %d/%d/%d, want %d/%d/%d", merged.TotalCount(), merged.Min(), merged.Max(),
			all.TotalCount(), all.Min(), all.Max())
	}
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		if g, w := merged.ValueAtQuantile(q), all.ValueAtQuantile(q); g != w {
			t.Errorf("p%v: merged %d, want %d", q, g, w)
		}
	}
	if Latency(merged) != Latency(all) {
		t.Errorf("Latency(merged) = %+v, want %+v", Latency(merged), Latency(all))
	}
}

func TestMergeHistogramRefusesBadText(t *testing.T) {
	for _, s := range []string{"", "not base64!", "SElTVEZ"} {
		if err := MergeHistogram(NewHistogram(), s); err == nil {
			t.Errorf("MergeHistogram(%q): no error", s)
		}
	}
}
