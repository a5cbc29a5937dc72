package result

import (
	"errors"
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// MergeHistogram adds the histogram encoded in s (as EncodeHistogram writes
// it) to dst, exactly: bucket counts are added, no percentile is involved.
// It decodes into hdrhistogram-go's sparse form, so merging many small
// histograms does not allocate a dense histogram for each. A value that
// dst cannot hold is an error (every stationbench histogram shares
// NewHistogram's geometry, so none is expected).
func MergeHistogram(dst *hdrhistogram.Histogram, s string) error {
	if s == "" {
		return errors.New("merge histogram: empty string")
	}
	p, err := hdrhistogram.DecodePacked([]byte(s))
	if err != nil {
		return fmt.Errorf("merge histogram: decode: %w", err)
	}
	if dropped := p.MergeInto(dst); dropped > 0 {
		return fmt.Errorf("merge histogram: %d values outside the range of %d-%d ns", dropped,
			dst.LowestTrackableValue(), dst.HighestTrackableValue())
	}
	return nil
}
