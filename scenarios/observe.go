package scenarios

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// This file decodes the observability keys: labels:, phases: and trace:.

// labels decodes a mapping of label names to scalar values.
func (d *decoder) labels(dst *map[string]string) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.MappingNode {
			return d.fail(n, key, fmt.Errorf("want a mapping of names to values (git: abc123), got %s", describe(n)))
		}
		out := make(map[string]string, len(n.Content)/2)
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := joinKey(key, k.Value)
			d.pos[path] = pos{k.Line, k.Column}
			if _, dup := out[k.Value]; dup {
				d.add(pos{k.Line, k.Column}, path, "key repeated; each key may appear once")
				ok = false
				continue
			}
			if v = d.value(v, path); v == nil {
				ok = false
				continue
			}
			if v.Kind != yaml.ScalarNode {
				ok = d.fail(v, path, fmt.Errorf("want a text or number value, got %s", describe(v)))
				continue
			}
			out[k.Value] = v.Value
		}
		*dst = out
		return ok
	}
}

// producerSet decodes all, 50%, a count or a list of producer names.
func (d *decoder) producerSet(dst **ProducerSet) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind == yaml.SequenceNode {
			var names []string
			if !list(d, &names, "producer names like [bench-1, bench-2]", func(item *yaml.Node) (string, error) {
				if item.Kind != yaml.ScalarNode || item.Value == "" {
					return "", fmt.Errorf("want a producer name, got %s", describe(item))
				}
				return item.Value, nil
			})(n, key) {
				return false
			}
			if len(names) == 0 {
				return d.fail(n, key, fmt.Errorf("want at least one producer name"))
			}
			*dst = &ProducerSet{Names: names}
			return true
		}
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, fmt.Errorf("want all, a percentage like 50%%, a count or a list of names, got %s", describe(n)))
		}
		v, err := parseProducerSetText(n.Value)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = &v
		return true
	}
}

// phases decodes the phases: list.
func (d *decoder) phases(dst *[]Phase) fieldFunc {
	return mappings(d, dst, "a list of phases (- at: 10s, pause: 50%)", func(p *Phase) map[string]fieldFunc {
		return map[string]fieldFunc{
			"at":     d.duration(&p.At),
			"pause":  d.producerSet(&p.Pause),
			"resume": d.producerSet(&p.Resume),
		}
	})
}

// trace decodes the trace: section.
func (d *decoder) trace(dst **Trace) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		t := &Trace{}
		*dst = t
		return d.fields(n, key, map[string]fieldFunc{
			"types": list(d, &t.Types, "event types like [publish, ack]", func(item *yaml.Node) (string, error) {
				if item.Kind != yaml.ScalarNode {
					return "", fmt.Errorf("want an event type, got %s", describe(item))
				}
				return item.Value, nil
			}),
			"sample": d.fraction(&t.Sample),
		})
	}
}

// observeDefaults fills the trace: section's defaults.
func observeDefaults(s *Scenario, set func(string) bool) {
	if s.Trace == nil {
		return
	}
	if !set("trace.types") {
		s.Trace.Types = TraceTypes()
	}
	if !set("trace.sample") {
		s.Trace.Sample = DefaultTraceSample
	}
}

// check runs the checks of the observability keys.
func (c *checker) observe(s Scenario) {
	c.labels(s.Labels)
	c.phases(s)
	c.trace(s.Trace)
}

// redactObserve deep-copies the observability keys into out.
func redactObserve(out *Scenario, s Scenario) {
	if s.Labels != nil {
		out.Labels = make(map[string]string, len(s.Labels))
		for k, v := range s.Labels {
			out.Labels[k] = v
		}
	}
	out.Phases = slices.Clone(s.Phases)
	if s.Trace != nil {
		t := *s.Trace
		t.Types = slices.Clone(t.Types)
		out.Trace = &t
	}
}
