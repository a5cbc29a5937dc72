package result

import (
	"encoding/base64"
	"math/rand/v2"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// TestHistogramAdderIsExact: adding encoded histograms gives the histogram
// of every value recorded at once: same count, min, max, mean and
// percentiles; and the same as hdrhistogram-go's own decode and merge.
func TestHistogramAdderIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all, merged := NewHistogram(), NewHistogram()
	a := NewHistogramAdder()
	for part := range 6 {
		h := NewHistogram()
		for range 3000 * part { // part 0 is empty
			v := int64(rng.ExpFloat64()*float64(200_000*(part+1))) + 1
			if part == 5 {
				v = rng.Int64N(HistogramHighestNs) + 1 // the whole range
			}
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
			_ = all.RecordValue(v)
		}
		_ = h.RecordValues(1234, 1<<40) // a large count: a long varint
		_ = all.RecordValues(1234, 1<<40)
		s, err := EncodeHistogram(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Add(s); err != nil {
			t.Fatal(err)
		}
		d, err := DecodeHistogram(s)
		if err != nil {
			t.Fatal(err)
		}
		merged.Merge(d)
	}
	sum := a.Histogram()
	for _, want := range []struct {
		name string
		h    interface {
			TotalCount() int64
			Min() int64
			Max() int64
			ValueAtQuantile(float64) int64
		}
	}{{"all values", all}, {"library merge", merged}} {
		if sum.TotalCount() != want.h.TotalCount() || a.TotalCount() != want.h.TotalCount() || sum.Min() != want.h.Min() || sum.Max() != want.h.Max() {
			t.Errorf("%s: count/min/max %d/%d/%d, want %d/%d/%d", want.name, sum.TotalCount(), sum.Min(), sum.Max(),
				want.h.TotalCount(), want.h.Min(), want.h.Max())
		}
		for _, q := range []float64{0, 50, 90, 99, 99.9, 99.99, 100} {
			if g, w := sum.ValueAtQuantile(q), want.h.ValueAtQuantile(q); g != w {
				t.Errorf("%s: p%v %d, want %d", want.name, q, g, w)
			}
		}
	}
	if Latency(sum) != Latency(all) {
		t.Errorf("Latency %+v, want %+v", Latency(sum), Latency(all))
	}
	a.Reset()
	if a.TotalCount() != 0 || a.Histogram().TotalCount() != 0 {
		t.Error("Reset left counts")
	}
}

// TestHistogramAdderRefuses: text that is not one of our histograms is an
// error, and adds nothing.
func TestHistogramAdderRefuses(t *testing.T) {
	h := NewHistogram()
	_ = h.RecordValue(1000)
	good, _ := EncodeHistogram(h)
	raw, _ := base64.StdEncoding.DecodeString(good)
	other := newOther()
	_ = other.RecordValue(1000)
	otherGeometry, _ := EncodeHistogram(other)
	cases := map[string]string{
		"empty":          "",
		"not base64":     "not base64!",
		"short":          base64.StdEncoding.EncodeToString(raw[:6]),
		"truncated zlib": base64.StdEncoding.EncodeToString(raw[:len(raw)-4]),
		"other geometry": otherGeometry,
		"bad cookie":     base64.StdEncoding.EncodeToString(append([]byte{0, 0, 0, 0}, raw[4:]...)),
	}
	a := NewHistogramAdder()
	for name, s := range cases {
		if err := a.Add(s); err == nil {
			t.Errorf("%s: no error", name)
		}
		if a.TotalCount() != 0 {
			t.Fatalf("%s: counts added from a refused histogram", name)
		}
	}
	if err := a.Add(good); err != nil || a.TotalCount() != 1 {
		t.Errorf("after the refusals, a good one: %v, count %d", err, a.TotalCount())
	}
}

func newOther() *hdrhistogram.Histogram { return hdrhistogram.New(1, 1e9, 2) }
