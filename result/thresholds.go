package result

// ThresholdVerdict is the outcome of one scenario threshold against one run
// (target x step x repeat), or against none when no completed run matched.
type ThresholdVerdict struct {
	// Metric is the threshold's metric: latency.p99, throughput, errors ...
	Metric string `json:"metric"`
	// Op is "max" (the observed value must not exceed Limit) or "min" (it
	// must not fall below).
	Op string `json:"op"`
	// Limit is the bound in Unit; LimitText is the bound as written ("20ms").
	Limit     float64 `json:"limit"`
	LimitText string  `json:"limit_text"`
	// Unit is "us" for latencies, "msgs/s" for throughput, "msgs" for counts.
	Unit string `json:"unit"`

	// Target, Producers, RateMsgsPerSec and Repeat identify the run judged;
	// they are empty when no run matched.
	Target         string  `json:"target,omitempty"`
	Producers      int     `json:"producers,omitempty"`
	RateMsgsPerSec float64 `json:"rate_msgs_per_sec,omitempty"`
	Repeat         int     `json:"repeat,omitempty"`

	// Observed is the run's value in Unit; nil when there was none to read.
	Observed *float64 `json:"observed,omitempty"`
	Pass     bool     `json:"pass"`
	// Reason explains a failure that is not a plain breach of the bound.
	Reason string `json:"reason,omitempty"`
}

// Units of a threshold verdict's values.
const (
	UnitMicros     = "us"
	UnitMsgsPerSec = "msgs/s"
	UnitMsgs       = "msgs"
)
