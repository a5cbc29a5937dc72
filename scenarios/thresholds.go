package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Threshold metrics: what a threshold compares with its bound.
const (
	MetricLatencyP50  = "latency.p50"  // corrected latency percentiles
	MetricLatencyP90  = "latency.p90"  //
	MetricLatencyP99  = "latency.p99"  //
	MetricLatencyP999 = "latency.p999" //
	MetricLatencyMax  = "latency.max"  //
	MetricThroughput  = "throughput"   // acknowledged msgs/s
	MetricErrors      = "errors"       // failed sends in the measured window
	MetricLost        = "lost"         // nats kind: messages never delivered
	MetricLate        = "late"         // open loop: sends behind schedule
)

// Metrics lists every threshold metric, in the order they are documented.
func Metrics() []string {
	return []string{MetricLatencyP50, MetricLatencyP90, MetricLatencyP99, MetricLatencyP999, MetricLatencyMax,
		MetricThroughput, MetricErrors, MetricLost, MetricLate}
}

// IsLatencyMetric reports whether m is a latency percentile, whose bounds
// are durations.
func IsLatencyMetric(m string) bool { return strings.HasPrefix(m, "latency.") }

// IsCountMetric reports whether m counts messages (errors, lost, late), so
// its bounds are whole numbers.
func IsCountMetric(m string) bool { return m == MetricErrors || m == MetricLost || m == MetricLate }

// Threshold is one pass/fail rule, checked after a run against every run
// (target x step x repeat) it matches.
type Threshold struct {
	Metric string `yaml:"metric" json:"metric"`
	// Max and Min bound the metric; exactly one is set.
	Max *Limit `yaml:"max,omitempty" json:"max,omitempty"`
	Min *Limit `yaml:"min,omitempty" json:"min,omitempty"`
	// Target restricts the rule to one target; empty means every target.
	Target string `yaml:"target,omitempty" json:"target,omitempty"`
	// Producers restricts the rule to one step; 0 means every step.
	Producers int `yaml:"producers,omitempty" json:"producers,omitempty"`
}

// Selects reports whether the threshold applies to a run of target with
// producers: the one rule for which runs a threshold judges.
func (t Threshold) Selects(target string, producers int) bool {
	return (t.Target == "" || t.Target == target) && (t.Producers == 0 || t.Producers == producers)
}

// Bound returns the threshold's operator ("max" or "min") and its limit;
// the limit is nil when neither is set.
func (t Threshold) Bound() (op string, l *Limit) {
	if t.Max != nil {
		return "max", t.Max
	}
	if t.Min != nil {
		return "min", t.Min
	}
	return "", nil
}

// Limit is a threshold's bound: a duration for latency metrics ("20ms"),
// a plain number for the others (msgs/s for throughput, a count otherwise).
type Limit struct {
	Duration   Duration // set when IsDuration
	Number     float64  // set otherwise
	IsDuration bool
}

// Value is the bound in the metric's unit: microseconds for a duration
// (the unit of report latencies), the number itself otherwise.
func (l Limit) Value() float64 {
	if l.IsDuration {
		return float64(l.Duration) / float64(time.Microsecond)
	}
	return l.Number
}

// String writes the bound as it is written in a scenario: "20ms" or 50000.
func (l Limit) String() string {
	if l.IsDuration {
		return l.Duration.String()
	}
	return strconv.FormatFloat(l.Number, 'f', -1, 64)
}

// MarshalJSON writes a duration as "20ms" and a number as a number.
func (l Limit) MarshalJSON() ([]byte, error) {
	if l.IsDuration {
		return json.Marshal(l.Duration.String())
	}
	return json.Marshal(l.Number)
}

// UnmarshalJSON reads "20ms" or a number.
func (l *Limit) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("threshold bound: %w", err)
		}
		*l = Limit{Duration: Duration(d), IsDuration: true}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("threshold bound: want a duration string or a number: %w", err)
	}
	*l = Limit{Number: f}
	return nil
}

// MarshalYAML writes a duration as "20ms" and a number as a number.
func (l Limit) MarshalYAML() (any, error) {
	if l.IsDuration {
		return l.Duration.String(), nil
	}
	return l.Number, nil
}

// parseLimitNode reads a bound without knowing its metric: a duration
// string or a number. The checks then match it against the metric.
func parseLimitNode(n *yaml.Node) (Limit, error) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int", "!!float":
			v, err := parseFloatNode(n)
			if err != nil {
				return Limit{}, err
			}
			return Limit{Number: v}, nil
		case "!!str":
			d, err := parseDurationNode(n)
			if err != nil {
				return Limit{}, fmt.Errorf("want a duration like 20ms (latency) or a number (throughput, errors, lost, late), got %s", describe(n))
			}
			return Limit{Duration: d, IsDuration: true}, nil
		}
	}
	return Limit{}, fmt.Errorf("want a duration like 20ms or a number, got %s", describe(n))
}

// limit decodes a threshold bound. On failure it still stores a stand-in,
// so that the checks do not also report the bound as missing.
func (d *decoder) limit(dst **Limit) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseLimitNode(n)
		*dst = &v
		if err != nil {
			return d.fail(n, key, err)
		}
		return true
	}
}

// thresholds decodes the thresholds: list.
func (d *decoder) thresholds(dst *[]Threshold) fieldFunc {
	return mappings(d, dst, "a list of thresholds (- metric: latency.p99, max: 20ms)", func(t *Threshold) map[string]fieldFunc {
		return map[string]fieldFunc{
			"metric":    d.str(&t.Metric),
			"max":       d.limit(&t.Max),
			"min":       d.limit(&t.Min),
			"target":    d.str(&t.Target),
			"producers": d.positive(&t.Producers),
		}
	})
}

// positive decodes an integer of at least 1.
func (d *decoder) positive(dst *int) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseIntNode(n)
		if err == nil && v < 1 {
			err = fmt.Errorf("must be 1 or more, got %d (leave it out to match every step)", v)
		}
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}

// thresholds checks each threshold against the metrics, the targets and
// the producer counts of the scenario.
func (c *checker) thresholds(s Scenario) {
	if !c.count("thresholds", len(s.Thresholds), MaxThresholds, "thresholds") {
		return
	}
	targets := make([]string, len(s.Targets))
	for i, t := range s.Targets {
		targets[i] = t.Name
	}
	for i, t := range s.Thresholds {
		key := fmt.Sprintf("thresholds[%d]", i)
		switch {
		case t.Metric == "":
			c.bad(key+".metric", "required: one of %s", strings.Join(Metrics(), ", "))
		case !slices.Contains(Metrics(), t.Metric):
			c.bad(key+".metric", "%s is not a metric: want one of %s", c.show(t.Metric), strings.Join(Metrics(), ", "))
		default:
			c.limit(key+".max", t.Metric, t.Max)
			c.limit(key+".min", t.Metric, t.Min)
		}
		switch {
		case t.Max != nil && t.Min != nil:
			c.bad(key+".min", "set either max or min, not both (write two thresholds for a range)")
		case t.Max == nil && t.Min == nil:
			c.bad(key, "needs a bound: max (an upper limit) or min (a lower limit)")
		}
		if t.Target != "" && !slices.Contains(targets, t.Target) {
			c.bad(key+".target", "%s is not a target of this scenario: want one of %s", c.show(t.Target), strings.Join(targets, ", "))
		}
		if t.Producers != 0 && !slices.Contains(stepProducers(s), t.Producers) {
			c.bad(key+".producers", "%d is not a producer count of this scenario's steps: want one of %s",
				t.Producers, joinInts(stepProducers(s)))
		}
	}
}

// limit checks that a bound has the metric's kind of value.
func (c *checker) limit(key, metric string, l *Limit) {
	if l == nil {
		return
	}
	switch {
	case IsLatencyMetric(metric) && !l.IsDuration:
		c.bad(key, "%s is a latency: want a duration like 20ms, got %s (add a unit: us, ms, s)", metric, l)
	case !IsLatencyMetric(metric) && l.IsDuration:
		c.bad(key, "%s is not a latency: want a number, got %s", metric, l)
	case l.Value() < 0 || math.IsNaN(l.Value()):
		c.bad(key, "must not be negative, got %s", l)
	case IsCountMetric(metric) && l.Number != math.Trunc(l.Number):
		c.bad(key, "%s is a count of messages: want a whole number, got %s", metric, l)
	}
}

// stepProducers lists the producer counts the scenario's steps run.
func stepProducers(s Scenario) []int {
	var out []int
	for _, st := range s.Steps() {
		if !slices.Contains(out, st.Producers) {
			out = append(out, st.Producers)
		}
	}
	return out
}

func joinInts(vs []int) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ", ")
}
