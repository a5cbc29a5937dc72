package plan

import "time"

// Runs is the number of runs the plan makes, counting each search at its
// most runs.
func (p Plan) Runs() int {
	n := 0
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			n += e.runs()
		}
	}
	return n
}

// runs is the number of runs an entry makes, at most.
func (e Entry) runs() int {
	if e.Search != nil {
		return e.Search.MaxRuns()
	}
	return 1
}

// step is the settings an entry's runs share: the run's own, or a search's
// closed-loop probe (whose times every probe shares).
func (e Entry) step() Step {
	if e.Search != nil {
		return e.Search.Closed
	}
	return *e.Step
}

// Estimate is how long a plan takes to run. It is an estimate: Load is
// the time load is sent, and connecting, setting up stations and waiting
// for the last acknowledgements come on top; Drain bounds that last wait.
type Estimate struct {
	// Load is the warmup and measured time of every run, a search counted
	// at its most runs.
	Load time.Duration
	// Drain is the most the runs can wait for outstanding
	// acknowledgements after their measured windows, all together.
	Drain time.Duration
}

// Most is Load with every drain waited out in full.
func (e Estimate) Most() time.Duration { return e.Load + e.Drain }

// Estimate sums the plan's runs.
func (p Plan) Estimate() Estimate {
	var e Estimate
	for _, t := range p.Targets {
		for _, en := range t.Entries {
			st, n := en.step(), time.Duration(en.runs())
			e.Load += n * (st.Warmup + st.Duration)
			e.Drain += n * st.Drain
		}
	}
	return e
}
