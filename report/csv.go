package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/stationbench/stationbench/result"
)

// csvHeader names the columns CSV writes, one row per run.
func csvHeader() []string {
	return []string{
		"target", "kind", "axis", "producers", "rate_msgs_per_sec", "repeat", "status", "duration_s",
		"offered", "sent", "acked", "errors", "late", "delivered", "lost",
		"throughput_msgs_per_sec", "throughput_bytes_per_sec",
		"p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
		"uncorrected_p50_us", "uncorrected_p99_us", "uncorrected_p999_us", "uncorrected_max_us", "error",
		"pacer_lag_p50_us", "pacer_lag_p99_us", "pacer_lag_max_us", "peak_rss_bytes",
	}
}

// CSV writes one row per run with a header row; latencies in microseconds.
func CSV(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("csv: nil result")
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader()) // errors surface through cw.Error below
	f := func(v float64) string { return strconv.FormatFloat(result.Finite(v), 'f', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return i(*p)
	}
	lag := func(p *result.Percentiles, v func(result.Percentiles) float64) string {
		if p == nil { // closed loop: no pacer lag
			return ""
		}
		return f(v(*p))
	}
	rss := func(b int64) string {
		if b <= 0 { // not measured
			return ""
		}
		return i(b)
	}
	for _, run := range r.Runs {
		l, u, pl := run.LatencyUs, run.LatencyUncorrectedUs, run.PacerLagUs
		_ = cw.Write([]string{
			run.Target, run.Kind, run.Axis, strconv.Itoa(run.Producers), f(run.RateMsgsPerSec), strconv.Itoa(run.Repeat),
			string(run.Status), f(run.DurationS),
			i(run.Offered), i(run.Sent), i(run.Acked), i(run.Errors), i(run.Late), opt(run.Delivered), opt(run.Lost),
			f(run.ThroughputMsgsPerSec), f(run.ThroughputBytesPerSec),
			f(l.P50), f(l.P90), f(l.P99), f(l.P999), f(l.Max), f(l.Mean),
			f(u.P50), f(u.P99), f(u.P999), f(u.Max), run.Error,
			lag(pl, func(p result.Percentiles) float64 { return p.P50 }), lag(pl, func(p result.Percentiles) float64 { return p.P99 }),
			lag(pl, func(p result.Percentiles) float64 { return p.Max }), rss(run.PeakRSSBytes),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}
