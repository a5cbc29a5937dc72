package scenarios

import (
	"gopkg.in/yaml.v3"
)

// FindMaxRate asks, for each producer count, for the highest offered rate
// the target sustains: achieved at least 99% of offered, no errors, and
// every latency percentile given within its bound.
type FindMaxRate struct {
	P50  Duration `yaml:"p50,omitempty" json:"p50,omitempty"`
	P90  Duration `yaml:"p90,omitempty" json:"p90,omitempty"`
	P99  Duration `yaml:"p99,omitempty" json:"p99,omitempty"`
	P999 Duration `yaml:"p999,omitempty" json:"p999,omitempty"`
	// MaxProbes bounds the open-loop probes of one search's bisection
	// (default 8); the answer's confirming probe comes on top.
	MaxProbes int `yaml:"maxProbes,omitempty" json:"maxProbes,omitempty"`
	// Precision ends the search when the bracket around the answer is
	// narrower than this fraction of its top (default 0.05).
	Precision float64 `yaml:"precision,omitempty" json:"precision,omitempty"`
}

// Defaults of findMaxRate.
const (
	DefaultMaxProbes = 8
	DefaultPrecision = 0.05
)

// MaxRuns is the most runs one search makes: the closed-loop probe, at
// most MaxProbes open-loop probes, and the probe confirming the answer.
func (f FindMaxRate) MaxRuns() int { return f.MaxProbes + 2 }

// SLO lists the percentile bounds that are set, as name and limit, in
// the order p50, p90, p99, p999.
func (f FindMaxRate) SLO() []PercentileBound {
	var out []PercentileBound
	for _, b := range []PercentileBound{{"p50", f.P50}, {"p90", f.P90}, {"p99", f.P99}, {"p999", f.P999}} {
		if b.Max > 0 {
			out = append(out, b)
		}
	}
	return out
}

// PercentileBound is one latency objective: a percentile and its bound.
type PercentileBound struct {
	Percentile string
	Max        Duration
}

func (d *decoder) findMaxRate(dst **FindMaxRate) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		f := &FindMaxRate{}
		ok := d.fields(n, key, map[string]fieldFunc{
			"p50":       d.duration(&f.P50),
			"p90":       d.duration(&f.P90),
			"p99":       d.duration(&f.P99),
			"p999":      d.duration(&f.P999),
			"maxProbes": d.integer(&f.MaxProbes),
			"precision": d.fraction(&f.Precision),
		})
		if f.MaxProbes == 0 {
			f.MaxProbes = DefaultMaxProbes
		}
		if f.Precision == 0 {
			f.Precision = DefaultPrecision
		}
		*dst = f
		return ok
	}
}

func (c *checker) findMaxRate(l Load) {
	f := l.FindMaxRate
	if f == nil {
		return
	}
	const key = "load.findMaxRate"
	if len(f.SLO()) == 0 {
		c.bad(key, "name at least one latency objective: p50, p90, p99 or p999 (for example p99: 10ms)")
	}
	for _, b := range []PercentileBound{{"p50", f.P50}, {"p90", f.P90}, {"p99", f.P99}, {"p999", f.P999}} {
		switch {
		case b.Max < 0:
			c.bad(key+"."+b.Percentile, "must be more than 0, got %s", b.Max)
		case b.Max > MaxDuration:
			c.bad(key+"."+b.Percentile, "must be at most %s, got %s", MaxDuration, b.Max)
		}
	}
	if f.MaxProbes < 1 || f.MaxProbes > 50 {
		c.bad(key+".maxProbes", "must be 1 to 50, got %d", f.MaxProbes)
	}
	if !(f.Precision > 0 && f.Precision < 1) { // NaN too
		c.bad(key+".precision", "must be a fraction between 0 and 1 (0.05 is 5%%), got %g", f.Precision)
	}
	if l.Rate != 0 || l.Rates != nil {
		c.bad(key, "findMaxRate chooses the rates itself; leave out load.rate and load.rates")
	}
}
