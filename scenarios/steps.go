package scenarios

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
