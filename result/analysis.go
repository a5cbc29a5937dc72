package result

import (
	"encoding/json"
	"fmt"
	"math"
)

// Analysis is everything derived from a result's runs, computed once after
// the run (package analysis) and stored with it, so that every renderer only
// renders: the capacity of each target's producer sweep with its USL fit,
// the targets side by side, the runs whose delivery lagged, the fairness of
// each run, how each run's producers spread, the figures of each step and
// the threshold verdicts.
type Analysis struct {
	// Capacity has one entry per target with a producer sweep.
	Capacity []Scaling `json:"capacity,omitempty"`
	// Comparison sets the targets side by side; nil for one target.
	Comparison *Comparison `json:"comparison,omitempty"`
	// DeliveryLags are the core-NATS closed-loop runs whose deliveries
	// lagged their publishers.
	DeliveryLags []DeliveryLag `json:"delivery_lags,omitempty"`
	// Fairness has one entry per run with a fairness index, in step order.
	Fairness []RunFairness `json:"fairness,omitempty"`
	// ProducerSpread has one entry per run of two producers or more, in
	// step order: the distribution of its producers' figures, so that a
	// report reads 10,000 producers without listing them.
	ProducerSpread []ProducerSpread `json:"producer_spread,omitempty"`
	// Thresholds are the verdicts of the scenario's thresholds, if any.
	Thresholds []ThresholdVerdict `json:"thresholds,omitempty"`
	// Steps has one entry per target and step of each sweep, producer
	// steps first: the points the throughput and latency charts draw.
	Steps []StepFigures `json:"steps,omitempty"`
}

// StepFigures are the figures of one target at one step: the runs at one
// producer count (axis "producers") or offered rate (axis "rate") that
// measured a throughput, repeats together.
type StepFigures struct {
	Target string  `json:"target"`
	Axis   string  `json:"axis"`
	X      float64 `json:"x"` // producer count or offered rate
	// Runs are the indexes of the step's runs in the result's Runs, in
	// order; their number is the step's repeats.
	Runs []int `json:"runs"`
	// ThroughputMsgsPerSec is the mean over the runs, MinThroughputMsgsPerSec
	// and MaxThroughputMsgsPerSec the lowest and highest; all 0 when no run
	// has a finite throughput.
	ThroughputMsgsPerSec    float64 `json:"throughput_msgs_per_sec"`
	MinThroughputMsgsPerSec float64 `json:"min_throughput_msgs_per_sec"`
	MaxThroughputMsgsPerSec float64 `json:"max_throughput_msgs_per_sec"`
	// LatencyUs are the percentiles (corrected for coordinated omission)
	// of the runs' histograms merged; the one run's own with one run, and
	// the mean of the runs' percentiles when a histogram does not decode.
	LatencyUs Percentiles `json:"latency_us"`
}

// Scaling is the capacity analysis of one target's producer sweep.
type Scaling struct {
	Target string `json:"target"`
	// Base is N0, the producer count efficiency is relative to.
	Base  int           `json:"base"`
	Steps []ScalingStep `json:"steps"`
	// Best is the last step that paid (the first step when none did), with
	// no paying step after it. StopAt is the step after Best, where adding
	// producers stopped paying; zero when the last step measured paid.
	StopAt int `json:"stop_at"`
	Best   int `json:"best"`
	// Left are the producer counts left out because none of their runs
	// completed, with their statuses.
	Left []LeftStep `json:"left,omitempty"`
	// Fit is the USL fit of the target's points; FitError says why there is
	// none.
	Fit      *USLFit `json:"usl,omitempty"`
	FitError string  `json:"usl_error,omitempty"`
}

// LeftStep is a producer count left out of the capacity analysis because
// none of its runs completed, and how they ended.
type LeftStep struct {
	Producers int      `json:"producers"`
	Statuses  []Status `json:"statuses"`
}

// ScalingStep is one producer count of a target's sweep.
type ScalingStep struct {
	Producers int `json:"producers"`
	// ThroughputMsgsPerSec is the mean over the complete repeats.
	ThroughputMsgsPerSec float64 `json:"throughput_msgs_per_sec"`
	// Efficiency is throughput(N) / (N/N0 x throughput(N0)).
	Efficiency float64 `json:"efficiency"`
	// Gain is the relative throughput change from the previous step.
	Gain float64 `json:"gain"`
	// Ref is the count the step is judged against, RefGain its gain over
	// Ref, Need the gain it had to make, Pays whether it did.
	Ref     int     `json:"ref,omitempty"`
	RefGain float64 `json:"ref_gain,omitempty"`
	Need    float64 `json:"need,omitempty"`
	Pays    bool    `json:"pays"`
}

// USLFit is the Universal Scalability Law fitted to throughput against
// concurrency: X(N) = Lambda N / (1 + Sigma (N-1) + Kappa N (N-1)).
type USLFit struct {
	Sigma  float64 `json:"sigma"`
	Kappa  float64 `json:"kappa"`
	Lambda float64 `json:"lambda"`
	// PeakN is the concurrency of the highest predicted throughput; zero
	// when the curve has no peak.
	PeakN                    float64 `json:"peak_n"`
	PeakThroughputMsgsPerSec float64 `json:"peak_throughput_msgs_per_sec"`
	// R2 is the coefficient of determination; nil when the points do not
	// vary at all.
	R2       *float64 `json:"r2,omitempty"`
	Points   int      `json:"points"`
	Distinct int      `json:"distinct"`
	MinN     float64  `json:"min_n"`
	MaxN     float64  `json:"max_n"`
	// Saturated: throughput does not grow past MinN (the most the law
	// allows is less than the gain a step must make); CeilingMsgsPerSec is
	// that most, at or above MinN.
	Saturated         bool    `json:"saturated"`
	CeilingMsgsPerSec float64 `json:"ceiling_msgs_per_sec"`
	// Interval is the bootstrap interval over repeats; nil when there is
	// none, and IntervalNote says why.
	Interval     *USLInterval `json:"interval,omitempty"`
	IntervalNote string       `json:"interval_note,omitempty"`
}

// Predict returns the fitted throughput at concurrency n.
func (f USLFit) Predict(n float64) float64 {
	return f.Lambda * n / (1 + f.Sigma*(n-1) + f.Kappa*n*(n-1))
}

// USLInterval holds the Level intervals of a fit's figures from Resamples
// bootstrap refits.
type USLInterval struct {
	Level     float64 `json:"level"`
	Resamples int     `json:"resamples"`
	Sigma     Range   `json:"sigma"`
	Kappa     Range   `json:"kappa"`
	// PeakN and PeakThroughput: their high end is +Inf when some resamples
	// have no peak.
	PeakN          Range   `json:"peak_n"`
	PeakThroughput Range   `json:"peak_throughput"`
	SaturatedShare float64 `json:"saturated_share"`
	// Band is the Level interval of the predicted throughput from MinN to
	// MaxN (log-spaced), for the chart's shaded band.
	Band []BandPoint `json:"band,omitempty"`
}

// BandPoint is the interval of the predicted throughput at N.
type BandPoint struct {
	N    float64 `json:"n"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Range is an interval [low, high]. JSON carries a non-finite end as the
// string "+Inf", "-Inf" or "NaN".
type Range [2]float64

// MarshalJSON writes [low, high].
func (r Range) MarshalJSON() ([]byte, error) {
	var out [2]any
	for i, v := range r {
		switch {
		case math.IsInf(v, 1):
			out[i] = "+Inf"
		case math.IsInf(v, -1):
			out[i] = "-Inf"
		case math.IsNaN(v):
			out[i] = "NaN"
		default:
			out[i] = v
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Range) UnmarshalJSON(b []byte) error {
	var in [2]json.RawMessage
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("range: %w", err)
	}
	for i, raw := range in {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			switch s {
			case "+Inf":
				r[i] = math.Inf(1)
			case "-Inf":
				r[i] = math.Inf(-1)
			case "NaN":
				r[i] = math.NaN()
			default:
				return fmt.Errorf("range: %q is not a number", s)
			}
			continue
		}
		if err := json.Unmarshal(raw, &r[i]); err != nil {
			return fmt.Errorf("range: %w", err)
		}
	}
	return nil
}

// Comparison sets the targets side by side: one row per step with each
// target's throughput and p99, and every target after the first as a
// ratio of the first's throughput.
type Comparison struct {
	Targets []string        `json:"targets"`
	Rows    []ComparisonRow `json:"rows"`
}

// ComparisonRow is one step of the comparison. Cells follow Targets;
// Ratios follow Targets[1:].
type ComparisonRow struct {
	Axis   string           `json:"axis"`
	X      float64          `json:"x"` // producer count or offered rate
	Cells  []ComparisonCell `json:"cells"`
	Ratios []float64        `json:"ratios"` // 0: no ratio (a throughput is missing)
}

// ComparisonCell is one target at one step, repeats merged: mean
// throughput and p99 of the merged histograms; 0 when not measured.
type ComparisonCell struct {
	ThroughputMsgsPerSec float64 `json:"throughput_msgs_per_sec"`
	P99Us                float64 `json:"p99_us"`
}

// DeliveryLag is a core-NATS closed-loop run whose deliveries lagged its
// publishers.
type DeliveryLag struct {
	Target    string `json:"target"`
	Producers int    `json:"producers"`
	Repeat    int    `json:"repeat"`
	// AfterWindow is the share of deliveries that arrived after the
	// measured window; Lost the share of sends never delivered.
	AfterWindow float64 `json:"after_window"`
	Lost        float64 `json:"lost"`
	P99Us       float64 `json:"p99_us"`
}

// RunFairness is one run's fairness (Jain's index of its producers'
// throughput); Flagged when below the flag, with its slowest producers.
type RunFairness struct {
	Target         string         `json:"target"`
	Producers      int            `json:"producers"`
	RateMsgsPerSec float64        `json:"rate_msgs_per_sec,omitempty"`
	Repeat         int            `json:"repeat"`
	Index          float64        `json:"index"`
	Flagged        bool           `json:"flagged,omitempty"`
	Slowest        []SlowProducer `json:"slowest,omitempty"`
}

// SlowProducer is one of a flagged run's slowest producers.
type SlowProducer struct {
	Name                 string  `json:"name"`
	ThroughputMsgsPerSec float64 `json:"throughput_msgs_per_sec"`
}

// ProducerSpread is how one run's producers spread: the distribution of
// their throughput and of their p99 latency, and the producers at either
// end by name. The run's producer_stats keep every producer's record.
type ProducerSpread struct {
	// Run is the index of the run in the result's Runs.
	Run            int     `json:"run"`
	Target         string  `json:"target"`
	Producers      int     `json:"producers"`
	RateMsgsPerSec float64 `json:"rate_msgs_per_sec,omitempty"`
	Repeat         int     `json:"repeat"`
	// ThroughputMsgsPerSec spreads over every producer that was not
	// paused throughout the measured window (as the fairness index);
	// one that sent nothing counts as 0 msgs/s. Idle is how many did;
	// PausedThroughout how many were left out.
	ThroughputMsgsPerSec Quantiles `json:"throughput_msgs_per_sec"`
	Idle                 int       `json:"idle,omitempty"`
	PausedThroughout     int       `json:"paused_throughout,omitempty"`
	// P99Us spreads over the producers that measured a latency (acked
	// something); nil when fewer than two did.
	P99Us *Quantiles `json:"p99_us,omitempty"`
	// Lowest and Highest are the producers of the lowest and the highest
	// throughput, lowest and highest first; SlowestP99 those of the
	// highest p99, highest first. Each names at most half the producers it
	// spreads over, so that the ends never overlap.
	Lowest     []ProducerFigures `json:"lowest"`
	Highest    []ProducerFigures `json:"highest"`
	SlowestP99 []ProducerFigures `json:"slowest_p99,omitempty"`
}

// Quantiles are the spread of one figure over N values: the lowest, the
// 10th, 50th and 90th percentiles (empirical: the lowest value at or above
// that share of the values, so always one of them), and the highest.
type Quantiles struct {
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	P10    float64 `json:"p10"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	Max    float64 `json:"max"`
}

// ProducerFigures are one producer's figures, as its producer_stats
// record has them.
type ProducerFigures struct {
	Name                 string  `json:"name"`
	ThroughputMsgsPerSec float64 `json:"throughput_msgs_per_sec"`
	P99Us                float64 `json:"p99_us"` // 0: none measured
}
