package result

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HistogramAdder adds many encoded histograms (EncodeHistogram's V2
// compressed form) of one geometry (NewHistogram's for latency,
// NewPacerLagHistogram's for pacer lag) into one, exactly: bucket
// counts are added index to index. Merging thousands of agents' per-second
// histograms is what it is for: it reuses its buffers and its zlib reader,
// where decoding each with hdrhistogram-go allocates a histogram and a
// decompressor. Reading the sum, Histogram hands the counts to
// hdrhistogram-go (Import), which computes every percentile. Not safe for
// concurrent use.
type HistogramAdder struct {
	counts []int64 // the geometry's counts, indexed as hdrhistogram-go indexes them
	total  int64
	geom   *hdrhistogram.Snapshot // the geometry
	raw    []byte                 // base64-decoded text
	out    bytes.Buffer           // inflated header and payload
	br     bytes.Reader
	zr     io.ReadCloser // a zlib reader, reset for each histogram
}

// v2Cookie is the inflated V2 encoding's cookie (hdrhistogram-go's
// V2EncodingCookieBase); headerSize its header's bytes.
const (
	v2Cookie   int32 = 0x1c849303
	headerSize       = 40
)

// NewHistogramAdder makes an adder of latency histograms holding nothing.
func NewHistogramAdder() *HistogramAdder { return NewHistogramAdderOf(NewHistogram()) }

// NewHistogramAdderOf makes an adder, holding nothing, of histograms of
// empty's geometry.
func NewHistogramAdderOf(empty *hdrhistogram.Histogram) *HistogramAdder {
	g := empty.Export()
	return &HistogramAdder{counts: make([]int64, len(g.Counts)), geom: g}
}

// Reset empties the sum.
func (a *HistogramAdder) Reset() {
	clear(a.counts)
	a.total = 0
}

// TotalCount is the number of values added so far.
func (a *HistogramAdder) TotalCount() int64 { return a.total }

// Histogram returns the sum as a new histogram.
func (a *HistogramAdder) Histogram() *hdrhistogram.Histogram {
	s := *a.geom
	s.Counts = a.counts
	return hdrhistogram.Import(&s) // copies the counts
}

// Add adds the histogram encoded in s. On an error nothing of s is added.
func (a *HistogramAdder) Add(s string) error {
	if s == "" {
		return errors.New("add histogram: empty string")
	}
	n := base64.StdEncoding.DecodedLen(len(s))
	if cap(a.raw) < n {
		a.raw = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(a.raw[:n], []byte(s))
	if err != nil {
		return fmt.Errorf("add histogram: %w", err)
	}
	raw := a.raw[:n]
	if len(raw) < 8 || int32(binary.BigEndian.Uint32(raw))&^0xf0 != hdrhistogram.V2CompressedEncodingCookieBase {
		return errors.New("add histogram: not an HdrHistogram V2 compressed encoding")
	}
	clen := int64(binary.BigEndian.Uint32(raw[4:]))
	if clen > int64(len(raw)-8) {
		return fmt.Errorf("add histogram: %d compressed bytes announced, %d present", clen, len(raw)-8)
	}
	if err := a.inflate(raw[8 : 8+clen]); err != nil {
		return fmt.Errorf("add histogram: %w", err)
	}
	return a.addPayload()
}

// inflate decompresses z into a.out, bounded by what a histogram of this
// geometry can hold.
func (a *HistogramAdder) inflate(z []byte) error {
	a.br.Reset(z)
	if a.zr == nil {
		zr, err := zlib.NewReader(&a.br)
		if err != nil {
			return err
		}
		a.zr = zr
	} else if err := a.zr.(zlib.Resetter).Reset(&a.br, nil); err != nil {
		return err
	}
	a.out.Reset()
	limit := int64(headerSize + 9*len(a.counts) + 1)
	if _, err := a.out.ReadFrom(io.LimitReader(a.zr, limit)); err != nil {
		return err
	}
	if int64(a.out.Len()) == limit {
		return errors.New("inflated histogram larger than its geometry allows")
	}
	return nil
}

// addPayload checks the inflated header against the adder's geometry and
// adds the counts of the payload: zig-zag LEB128 (9-byte) varints, a
// negative one a run of empty buckets.
func (a *HistogramAdder) addPayload() error {
	b := a.out.Bytes()
	if len(b) < headerSize {
		return fmt.Errorf("add histogram: inflated header of %d bytes, want %d", len(b), headerSize)
	}
	be := binary.BigEndian
	cookie, payloadLen := int32(be.Uint32(b))&^0xf0, int64(be.Uint32(b[4:]))
	sig, low, high := int64(be.Uint32(b[12:])), int64(be.Uint64(b[16:])), int64(be.Uint64(b[24:]))
	switch {
	case cookie != v2Cookie:
		return errors.New("add histogram: not an HdrHistogram V2 encoding")
	case sig != a.geom.SignificantFigures || low != a.geom.LowestTrackableValue || high != a.geom.HighestTrackableValue:
		return fmt.Errorf("add histogram: geometry %d-%d ns, %d digits; want %d-%d ns, %d digits", low, high, sig,
			a.geom.LowestTrackableValue, a.geom.HighestTrackableValue, a.geom.SignificantFigures)
	case payloadLen != int64(len(b)-headerSize):
		return fmt.Errorf("add histogram: payload of %d bytes announced, %d present", payloadLen, len(b)-headerSize)
	}
	// Check the whole payload before adding any of it.
	var sum int64
	for pass := range 2 {
		p, idx := b[headerSize:], 0
		for len(p) > 0 {
			v, n := zigzag9(p)
			if n == 0 {
				return errors.New("add histogram: truncated count in payload")
			}
			p = p[n:]
			switch {
			case v < 0 && (v == math.MinInt64 || -v > int64(len(a.counts)-idx)):
				return fmt.Errorf("add histogram: run of %d empty buckets past the last at %d", -v, idx)
			case v < 0:
				idx += int(-v)
			case idx >= len(a.counts):
				return fmt.Errorf("add histogram: bucket %d past the last (%d)", idx, len(a.counts)-1)
			case pass == 0:
				if v > math.MaxInt64-a.total-sum {
					return errors.New("add histogram: counts sum past MaxInt64")
				}
				sum += v
				idx++
			default:
				a.counts[idx] += v
				idx++
			}
		}
	}
	a.total += sum
	return nil
}

// zigzag9 decodes one zig-zag LEB128-64b9B value (HdrHistogram's: eight
// 7-bit groups, then a ninth byte of 8 bits) and its length; 0 when p is
// truncated.
func zigzag9(p []byte) (int64, int) {
	if len(p) > 0 && p[0] < 0x80 { // most counts and runs fit in one byte
		u := uint64(p[0])
		return int64(u>>1) ^ -int64(u&1), 1
	}
	var u uint64
	for i := range 9 {
		if i >= len(p) {
			return 0, 0
		}
		if i == 8 {
			u |= uint64(p[i]) << 56
			return int64(u>>1) ^ -int64(u&1), 9
		}
		u |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			return int64(u>>1) ^ -int64(u&1), i + 1
		}
	}
	return 0, 0
}
