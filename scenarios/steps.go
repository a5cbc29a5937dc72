package scenarios

import (
	"net/url"
	"slices"
	"strings"
)

// Sweep axes.
const (
	AxisProducers = "producers"
	AxisRate      = "rate"
)

// Step is one point of a scenario's sweep: a producer count and an offered
// rate (0 for closed loop).
type Step struct {
	Axis      string  // AxisProducers or AxisRate: what varies between steps
	Producers int     // producer workers in this step
	Rate      float64 // total offered msgs/s; 0 is closed loop
}

// Steps lists the sweep in file order: one step per load.rates entry at
// producers.counts[0] when rates are given, otherwise one step per producer
// count at load.rate.
func (s Scenario) Steps() []Step {
	if len(s.Load.Rates) > 0 {
		n := 1
		if len(s.Producers.Counts) > 0 {
			n = s.Producers.Counts[0]
		}
		steps := make([]Step, len(s.Load.Rates))
		for i, r := range s.Load.Rates {
			steps[i] = Step{Axis: AxisRate, Producers: n, Rate: r}
		}
		return steps
	}
	steps := make([]Step, len(s.Producers.Counts))
	for i, n := range s.Producers.Counts {
		steps[i] = Step{Axis: AxisProducers, Producers: n, Rate: s.Load.Rate}
	}
	return steps
}

// Redacted returns a deep copy that is safe to print or store: set secrets
// become "***" (even through Value) and a password inside a target URL is
// hidden. Key and certificate file paths are kept.
func (s Scenario) Redacted() Scenario {
	out := s
	out.Targets = slices.Clone(s.Targets)
	for i := range out.Targets {
		t := &out.Targets[i]
		t.Password = redactSecret(t.Password)
		t.ConnectionToken = redactSecret(t.ConnectionToken)
		t.URL = redactURL(t.URL)
		t.Reconnect = cloneBool(t.Reconnect)
	}
	out.Station.Reset = cloneBool(s.Station.Reset)
	out.Station.Subscribe = cloneBool(s.Station.Subscribe)
	out.Station.Verify = cloneBool(s.Station.Verify)
	out.Producers.Counts = slices.Clone(s.Producers.Counts)
	out.Load.Rates = slices.Clone(s.Load.Rates)
	redactObserve(&out, s)
	return out
}

func redactSecret(v Secret) Secret {
	if v == "" {
		return ""
	}
	return Redacted
}

// redactURL hides the password (or the token, a user with no password) in
// each URL of a comma-separated list.
func redactURL(v string) string {
	if !strings.Contains(v, "@") {
		return v
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			continue
		}
		hidden := Redacted + "@"
		if _, ok := u.User.Password(); ok {
			hidden = url.User(u.User.Username()).String() + ":" + hidden
		}
		u.User = nil
		parts[i] = strings.Replace(u.String(), "://", "://"+hidden, 1)
	}
	return strings.Join(parts, ",")
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}
