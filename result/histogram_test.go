package result

import (
	"strings"
	"testing"
)

func TestHistogramRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
	}{
		{"empty", nil},
		{"one", []int64{42}},
		{"spread", []int64{1, 999, 1_000, 12_345, 1_000_000, 250_000_000, 59_000_000_000}},
		{"max", []int64{HistogramHighestNs}},
	}
	quantiles := []float64{0, 50, 90, 99, 99.9, 100}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistogram()
			for _, v := range tt.values {
				if err := h.RecordValue(v); err != nil {
					t.Fatalf("record %d: %v", v, err)
				}
			}
			s, err := EncodeHistogram(h)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, "HISTF") {
				t.Errorf("encoding %q does not start with HISTF", s)
			}
			got, err := DecodeHistogram(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.TotalCount() != h.TotalCount() || got.Max() != h.Max() {
				t.Errorf("count/max = %d/%d, want %d/%d", got.TotalCount(), got.Max(), h.TotalCount(), h.Max())
			}
			for _, q := range quantiles {
				if g, w := got.ValueAtQuantile(q), h.ValueAtQuantile(q); g != w {
					t.Errorf("q%v = %d, want %d", q, g, w)
				}
			}
			if got.LowestTrackableValue() != HistogramLowestNs || got.HighestTrackableValue() < HistogramHighestNs ||
				got.SignificantFigures() != HistogramSigFigs {
				t.Errorf("geometry %d..%d/%d not kept", got.LowestTrackableValue(), got.HighestTrackableValue(), got.SignificantFigures())
			}
		})
	}
}

// Encodings written by other implementations, taken from hdrhistogram-go's
// own tests (hdr_encoding_test.go).
func TestDecodeHistogramForeign(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		count int64
		mean  float64
	}{
		{"one value 42", "HISTFAAAAB542pNpmSzMwMDAxAABzFCaEUoz2X+AMIKZAEARAtM=", 1, 42},
		{"one value 42 zlib default", "HISTFAAAAB94nJNpmSzMwMDABMSMQMzMAAGMUJoJxg9mAgA1TQGm", 1, 42},
		{"empty 20..1000/3", "HISTFAAAABl4nJNpmSzMgADMUFoEyn1h/wHCAgBDogN4", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := DecodeHistogram(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if h.TotalCount() != tt.count || h.Mean() != tt.mean {
				t.Errorf("count/mean = %d/%v, want %d/%v", h.TotalCount(), h.Mean(), tt.count, tt.mean)
			}
		})
	}
}

func TestDecodeHistogramErrors(t *testing.T) {
	for _, in := range []string{"", "not base64 @@@", "AAAA", "HISTFAAAAB542pNpmSzM"} {
		if _, err := DecodeHistogram(in); err == nil {
			t.Errorf("DecodeHistogram(%q) succeeded, want error", in)
		}
	}
	if _, err := EncodeHistogram(nil); err == nil {
		t.Error("EncodeHistogram(nil) succeeded, want error")
	}
}

func TestLatency(t *testing.T) {
	if got := Latency(nil); got != (Percentiles{}) {
		t.Errorf("Latency(nil) = %+v, want zeros", got)
	}
	if got := Latency(NewHistogram()); got != (Percentiles{}) {
		t.Errorf("Latency(empty) = %+v, want zeros", got)
	}
	h := NewHistogram()
	for v := int64(1); v <= 100_000; v++ {
		if err := h.RecordValue(v * 1_000); err != nil { // 1µs .. 100ms
			t.Fatal(err)
		}
	}
	l := Latency(h)
	if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
		t.Errorf("percentiles out of order: %+v", l)
	}
	// Microseconds, within the histogram's 3 significant digits.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", l.P50, 50_000}, {"p99", l.P99, 99_000}, {"max", l.Max, 100_000}, {"mean", l.Mean, 50_000},
	} {
		if d := c.got/c.want - 1; d < -0.001 || d > 0.001 {
			t.Errorf("%s = %v µs, want about %v", c.name, c.got, c.want)
		}
	}
}
