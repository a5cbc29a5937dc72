package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as "500ms" in YAML and JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes "10s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "10s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes "10s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration string such as "500ms".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDurationNode(n)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func parseDurationNode(n *yaml.Node) (Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("want a duration like 10s, got %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!str":
		v, err := time.ParseDuration(strings.TrimSpace(n.Value))
		if err != nil {
			return 0, fmt.Errorf("want a duration like 10s or 500ms, got %s", shown(n.Value, nil))
		}
		return Duration(v), nil
	case "!!int", "!!float":
		return 0, fmt.Errorf("want a duration like 10s, got %s (add a unit: ms, s, m, h)", n.Value)
	}
	return 0, fmt.Errorf("want a duration like 10s, got %s", describe(n))
}

// Milliseconds is a time.Duration written as a whole number of
// milliseconds in YAML and JSON, for the fields named so (timeoutMs: 5000).
type Milliseconds time.Duration

// D returns the value as a time.Duration.
func (m Milliseconds) D() time.Duration { return time.Duration(m) }

// Ms is the value in whole milliseconds, as written.
func (m Milliseconds) Ms() int64 { return time.Duration(m).Milliseconds() }

// MarshalJSON writes 5000.
func (m Milliseconds) MarshalJSON() ([]byte, error) { return json.Marshal(m.Ms()) }

// UnmarshalJSON reads 5000.
func (m *Milliseconds) UnmarshalJSON(b []byte) error {
	var ms int64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	if ms > maxMillis || ms < -maxMillis {
		return fmt.Errorf("%d milliseconds is too large", ms)
	}
	*m = Milliseconds(time.Duration(ms) * time.Millisecond)
	return nil
}

// MarshalYAML writes 5000.
func (m Milliseconds) MarshalYAML() (any, error) { return m.Ms(), nil }

// maxMillis is the most milliseconds a time.Duration holds.
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

// millis decodes a whole number of milliseconds. A number too large for a
// duration is refused with limit, the field's bound, in the message.
func (d *decoder) millis(dst *Milliseconds, limit Milliseconds) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseIntNode(n)
		if err == nil && (int64(v) > maxMillis || int64(v) < -maxMillis) {
			err = fmt.Errorf("must be at most %d milliseconds, got %d", limit.Ms(), v)
		}
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = Milliseconds(time.Duration(v) * time.Millisecond)
		return true
	}
}
