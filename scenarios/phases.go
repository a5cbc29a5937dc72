package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Phase pauses or resumes some of a step's producers at a moment of the
// step. At is measured from the start of the measured window (the end of
// warmup), so a phase at 10s lines up with second 10 of the time series;
// warmup is never paused.
type Phase struct {
	At     Duration     `yaml:"at" json:"at"`
	Pause  *ProducerSet `yaml:"pause,omitempty" json:"pause,omitempty"`
	Resume *ProducerSet `yaml:"resume,omitempty" json:"resume,omitempty"`
}

// Action is "pause" or "resume", and the producers it applies to.
func (p Phase) Action() (action string, set *ProducerSet) {
	if p.Pause != nil {
		return "pause", p.Pause
	}
	return "resume", p.Resume
}

// ProducerSet says which producers a phase applies to: all of them, a
// share ("50%"), a count, or producers by name. Exactly one is set.
type ProducerSet struct {
	All     bool
	Percent float64 // of the step's producers, (0, 100]
	Count   int
	Names   []string
}

// String writes the set as it is written in a scenario: all, 50%, 3 or
// [bench-1, bench-2].
func (s ProducerSet) String() string {
	switch {
	case s.All:
		return "all"
	case s.Percent > 0:
		return strconv.FormatFloat(s.Percent, 'f', -1, 64) + "%"
	case len(s.Names) > 0:
		return "[" + strings.Join(s.Names, ", ") + "]"
	default:
		return strconv.Itoa(s.Count)
	}
}

func (s ProducerSet) value() any {
	switch {
	case len(s.Names) > 0:
		return s.Names
	case s.Percent == 0 && !s.All:
		return s.Count
	default:
		return s.String()
	}
}

// MarshalJSON writes "all", "50%", 3 or a list of names.
func (s ProducerSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.value()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (s *ProducerSet) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err == nil {
		*s = ProducerSet{Names: names}
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*s = ProducerSet{Count: n}
		return nil
	}
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return fmt.Errorf("producer set: want all, a percentage, a count or a list of names: %w", err)
	}
	v, err := parseProducerSetText(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalYAML writes what the scenario file holds.
func (s ProducerSet) MarshalYAML() (any, error) { return s.value(), nil }

// parseProducerSetText reads all, 50% or a count.
func parseProducerSetText(v string) (ProducerSet, error) {
	v = strings.TrimSpace(v)
	if v == "all" {
		return ProducerSet{All: true}, nil
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || f <= 0 || f > 100 || math.IsNaN(f) {
			return ProducerSet{}, fmt.Errorf("%s: want a percentage above 0%% and at most 100%%", shown(v, nil))
		}
		return ProducerSet{Percent: f}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return ProducerSet{}, fmt.Errorf("%s: want all, a percentage like 50%%, a count or a list of producer names", shown(v, nil))
	}
	if n < 1 || n > MaxProducers {
		return ProducerSet{}, fmt.Errorf("want at least 1 producer and at most %d, got %d", MaxProducers, n)
	}
	return ProducerSet{Count: n}, nil
}

// Select applies the set to a step's producers. paused holds each
// producer's state (index 0 is <base>-1); pause says whether the phase
// pauses (choosing among the running) or resumes (among the paused).
// Shares and counts take the lowest-numbered eligible producers; a share
// is rounded to the nearest count, at least 1. It returns the 0-based
// indexes chosen, or why the set cannot apply.
func (s ProducerSet) Select(paused []bool, base string, pause bool) ([]int, error) {
	verb, state := "resume", "paused"
	if pause {
		verb, state = "pause", "running"
	}
	var eligible []int
	for i, p := range paused {
		if p != pause {
			eligible = append(eligible, i)
		}
	}
	switch {
	case s.All:
		return eligible, nil
	case len(s.Names) > 0:
		out := make([]int, 0, len(s.Names))
		for _, name := range s.Names {
			i, ok := producerIndex(name, base, len(paused))
			switch {
			case !ok:
				return nil, fmt.Errorf("%s: no producer %s among %s-1 ... %s-%d", verb, shown(name, nil), base, base, len(paused))
			case paused[i] == pause:
				return nil, fmt.Errorf("%s: producer %s is not %s then", verb, shown(name, nil), state)
			case slices.Contains(out, i):
				return nil, fmt.Errorf("%s: producer %s is named twice", verb, shown(name, nil))
			}
			out = append(out, i)
		}
		return out, nil
	}
	k := s.Count
	if s.Percent > 0 {
		k = max(1, int(math.Round(float64(len(paused))*s.Percent/100)))
	}
	if k > len(eligible) {
		return nil, fmt.Errorf("%s %s: %d producers, but only %d of %d are %s then", verb, s, k, len(eligible), len(paused), state)
	}
	return eligible[:k], nil
}

// producerIndex maps base-i to i-1 when 1 <= i <= n.
func producerIndex(name, base string, n int) (int, bool) {
	rest, ok := strings.CutPrefix(name, base+"-")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 1 || i > n || strconv.Itoa(i) != rest {
		return 0, false
	}
	return i - 1, true
}

// TraceTypes lists the trace event types, in the order documented.
func TraceTypes() []string {
	return []string{"publish", "ack", "error", "reconnect", "pause", "resume"}
}

// DefaultTraceSample is the fraction of messages traced when trace.sample
// is left out.
const DefaultTraceSample = 0.001

// Trace turns on trace events, written to trace.jsonl in the output folder.
type Trace struct {
	// Types are the event types recorded (default: all of TraceTypes).
	Types []string `yaml:"types" json:"types"`
	// Sample is the fraction of messages whose publish and ack are traced
	// (by sequence number); lifecycle events (error, reconnect, pause,
	// resume) are always traced.
	Sample float64 `yaml:"sample" json:"sample"`
}

// checkPhases checks the phases against every step's producer count: each
// phase lies inside the measured window, phases are in time order, and
// each pause or resume applies to producers that exist and are in the
// right state at that moment.
func (c *checker) phases(s Scenario) {
	if !c.count("phases", len(s.Phases), MaxPhases, "phases") {
		return
	}
	var last Duration
	for i, p := range s.Phases {
		key := fmt.Sprintf("phases[%d]", i)
		switch {
		case p.Pause != nil && p.Resume != nil:
			c.bad(key, "set either pause or resume, not both")
		case p.Pause == nil && p.Resume == nil:
			c.bad(key, "needs pause: or resume:")
		}
		switch {
		case p.At < 0 || p.At >= s.Load.Duration:
			c.bad(key+".at", "%s is outside the step's measured window [0, %s): at counts from the end of warmup", p.At, s.Load.Duration)
		case p.At < last:
			c.bad(key+".at", "%s comes before the previous phase (%s): list phases in time order", p.At, last)
		}
		last = max(last, p.At)
	}
	steps := s.Steps()
	if len(s.Phases) == 0 || len(steps) > MaxSteps {
		return // too many steps: already reported
	}
	seen := map[int]bool{}
	for _, st := range steps {
		if seen[st.Producers] || st.Producers < 1 || st.Producers > MaxProducers {
			continue // a count out of range is reported by c.producers
		}
		seen[st.Producers] = true
		paused := make([]bool, st.Producers)
		for i, p := range s.Phases {
			action, set := p.Action()
			if set == nil || p.Pause != nil && p.Resume != nil {
				continue
			}
			idx, err := set.Select(paused, s.Producers.Name, action == "pause")
			if err != nil {
				c.bad(fmt.Sprintf("phases[%d].%s", i, action), "with %d producers: %v", st.Producers, err)
				break
			}
			for _, k := range idx {
				paused[k] = action == "pause"
			}
		}
	}
}

// trace checks the trace: section.
func (c *checker) trace(t *Trace) {
	if t == nil {
		return
	}
	seen := map[string]bool{}
	for i, ty := range t.Types {
		key := fmt.Sprintf("trace.types[%d]", i)
		switch {
		case !slices.Contains(TraceTypes(), ty):
			c.bad(key, "%s is not a trace type: want %s", c.show(ty), strings.Join(TraceTypes(), ", "))
		case seen[ty]:
			c.bad(key, "%s is listed twice", c.show(ty))
		}
		seen[ty] = true
	}
	if t.Sample < 0 || t.Sample > 1 || math.IsNaN(t.Sample) {
		c.bad("trace.sample", "must be 0 to 1 (a fraction of messages), got %g", t.Sample)
	}
}

// labels checks label names: they name columns and Prometheus-style
// labels, so they keep to letters, digits and '_', not starting with a
// digit.
func (c *checker) labels(ls map[string]string) {
	for k, v := range ls {
		switch {
		case len(k) > MaxLabelNameLen:
			c.bad("labels."+k, "a label name of %d characters is too long: at most %d", len(k), MaxLabelNameLen)
		case k == "" || !labelName(k):
			c.bad("labels."+k, "label name %s may hold only letters, digits and '_', and must not start with a digit", c.show(k))
		}
		if n := len([]rune(v)); n > MaxLabelValueLen {
			c.bad("labels."+k, "a label value of %d characters is too long: at most %d", n, MaxLabelValueLen)
		}
	}
}

func labelName(k string) bool {
	for i, r := range k {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}
