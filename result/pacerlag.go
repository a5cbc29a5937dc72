package result

import "github.com/HdrHistogram/hdrhistogram-go"

// Pacer lag histogram geometry: how late the open-loop pacer let a message
// go, in nanoseconds, discernible from 1 µs up to 60 s with two
// significant digits (about 21 KiB, against 221 KiB for a latency
// histogram: every open-loop producer keeps one). Values above
// PacerLagHighestNs are clamped there by the recorder.
const (
	PacerLagLowestNs  int64 = 1000
	PacerLagHighestNs int64 = 60e9
	PacerLagSigFigs         = 2
)

// NewPacerLagHistogram returns an empty pacer lag histogram; all of them
// share this geometry, so that they merge exactly.
func NewPacerLagHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(PacerLagLowestNs, PacerLagHighestNs, PacerLagSigFigs)
}
