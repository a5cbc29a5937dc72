package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseFraction reads a share, the one way every percentage-like flag and
// scenario field is written: "15%" is 0.15, and a bare number is a
// fraction, so "0.15" is 0.15 too. A bare number of 1 or more is refused
// as ambiguous (is 5 meant as 5% or as 500%?), with a message suggesting
// the % form; so is a negative value or one that is not a number. Ranges
// beyond that (alpha below 1, a throughput drop below 100%) are the
// caller's to check.
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if num, ok := strings.CutSuffix(t, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			return 0, fmt.Errorf("want a percentage like 15%% or a fraction like 0.15, got %q", s)
		case v < 0:
			return 0, fmt.Errorf("must not be negative, got %q", s)
		}
		return v / 100, nil
	}
	v, err := strconv.ParseFloat(t, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("want a percentage like 15%% or a fraction like 0.15, got %q", s)
	case v < 0:
		return 0, fmt.Errorf("must not be negative, got %q", s)
	case v >= 1:
		return 0, fmt.Errorf("%q is ambiguous: a bare number is a fraction below 1; write %s%% for a percentage, or %s for that fraction",
			s, t, strconv.FormatFloat(v/100, 'f', -1, 64))
	}
	return v, nil
}

// FormatFraction writes a fraction as a percentage, the form ParseFraction
// reads back: 0.15 is "15%".
func FormatFraction(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e8)/1e6, 'f', -1, 64) + "%"
}

// fraction decodes a percentage-like field with ParseFraction: 15% or 0.15.
func (d *decoder) fraction(dst *float64) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, fmt.Errorf("want a percentage like 15%% or a fraction like 0.15, got %s", describe(n)))
		}
		v, err := ParseFraction(n.Value)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}
