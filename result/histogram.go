package result

import (
	"errors"
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histogram geometry: values are nanoseconds from 1 ns to 60 s with
// three significant digits. Values above HistogramHighestNs cannot be
// recorded (RecordValue returns an error); callers clamp or count them.
const (
	HistogramLowestNs  int64 = 1
	HistogramHighestNs int64 = 60e9
	HistogramSigFigs         = 3
)

// NewHistogram returns an empty latency histogram with the geometry every
// stationbench histogram shares, so that they merge exactly.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistogramLowestNs, HistogramHighestNs, HistogramSigFigs)
}

// EncodeHistogram returns h in HdrHistogram's standard V2 compressed
// encoding, base64 (the "HISTF..." form that the Java, C and Rust
// implementations decode).
func EncodeHistogram(h *hdrhistogram.Histogram) (string, error) {
	if h == nil {
		return "", errors.New("encode histogram: nil histogram")
	}
	// hdrhistogram-go's Encode already returns the base64 text.
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram parses a base64 V2 compressed histogram, as written by
// EncodeHistogram or any other HdrHistogram implementation.
func DecodeHistogram(s string) (*hdrhistogram.Histogram, error) {
	if s == "" {
		return nil, errors.New("decode histogram: empty string")
	}
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return h, nil
}

// Latency summarizes a nanosecond histogram as percentiles in microseconds.
// A nil or empty histogram gives zeros.
func Latency(h *hdrhistogram.Histogram) Percentiles {
	if h == nil || h.TotalCount() == 0 {
		return Percentiles{}
	}
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	return Percentiles{
		P50:  us(h.ValueAtQuantile(50)),
		P90:  us(h.ValueAtQuantile(90)),
		P99:  us(h.ValueAtQuantile(99)),
		P999: us(h.ValueAtQuantile(99.9)),
		Max:  us(h.Max()),
		Mean: h.Mean() / 1e3,
	}
}
