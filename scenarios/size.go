package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/internal/redact"
)

// Byte size units.
const (
	KiB ByteSize = 1 << 10
	MiB ByteSize = 1 << 20
	GiB ByteSize = 1 << 30
)

// sizeUnits maps a lower-case unit suffix to its multiplier.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// ParseByteSize reads "128", "128B", "4KB" (1000s) or "1KiB", "1MiB" (1024s).
// Units are case-insensitive and may follow a space.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '_' || (i == 0 && (t[i] == '-' || t[i] == '+'))) {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if !ok || !isDigits(strings.ReplaceAll(strings.TrimLeft(num, "+-"), "_", "")) {
		return 0, fmt.Errorf("want a size like 128, 4KB or 1MiB, got %s", shown(s, nil))
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(num, "_", ""), 10, 64)
	if err != nil || n > math.MaxInt/mult || n < math.MinInt/mult {
		return 0, fmt.Errorf("size %s is too large", shown(s, nil))
	}
	return ByteSize(n * mult), nil
}

// String writes the size in bytes.
func (b ByteSize) String() string { return strconv.Itoa(int(b)) }

// UnmarshalYAML reads an integer or a string such as "1KiB".
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseByteSizeNode(n)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// UnmarshalJSON reads a number of bytes or a string such as "1KiB".
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		v, err := ParseByteSize(s)
		if err != nil {
			return err
		}
		*b = v
		return nil
	}
	var n int
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("want a size like 128 or \"1KiB\": %w", err)
	}
	*b = ByteSize(n)
	return nil
}

// UnmarshalYAML reads a duration string such as "500ms".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDurationNode(n)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func parseByteSizeNode(n *yaml.Node) (ByteSize, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("want a size like 128, 4KB or 1MiB, got %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!int":
		v, err := parseIntNode(n)
		return ByteSize(v), err
	case "!!str":
		return ParseByteSize(n.Value)
	}
	return 0, fmt.Errorf("want a size like 128, 4KB or 1MiB, got %s", describe(n))
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

var errTooLarge = errors.New("too large")

// parseIntNode reads an integer scalar, reporting numbers beyond int range
// (which YAML resolves as floats) as too large rather than as floats.
func parseIntNode(n *yaml.Node) (int, error) {
	if n.Kind == yaml.ScalarNode {
		plain := strings.ReplaceAll(n.Value, "_", "")
		switch n.ShortTag() {
		case "!!int":
			v, err := strconv.ParseInt(plain, 0, strconv.IntSize)
			if err != nil {
				return 0, fmt.Errorf("%s is %w for an integer", n.Value, errTooLarge)
			}
			return int(v), nil
		case "!!float":
			if isDigits(strings.TrimLeft(plain, "+-")) {
				return 0, fmt.Errorf("%s is %w for an integer", n.Value, errTooLarge)
			}
		}
	}
	return 0, fmt.Errorf("want an integer, got %s", describe(n))
}

func parseFloatNode(n *yaml.Node) (float64, error) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int", "!!float":
			v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
				return v, nil
			}
			if err == nil || errors.Is(err, strconv.ErrRange) || strings.Contains(strings.ToLower(n.Value), "inf") {
				return 0, fmt.Errorf("want a finite number, got %s", n.Value)
			}
		}
	}
	return 0, fmt.Errorf("want a number, got %s", describe(n))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// describe renders a node for a "got ..." message.
func describe(n *yaml.Node) string { return describeDepth(n, 0) }

// describeDepth stops at a small depth: an alias may make a node contain
// itself.
func describeDepth(n *yaml.Node, depth int) string {
	if depth > 3 {
		return "..."
	}
	switch n.Kind {
	case yaml.ScalarNode:
		// User info is hidden before the value is cut, so that no part of
		// it is left (redact.go).
		v := cut(redact.Text(n.Value), 40)
		switch n.ShortTag() {
		case "!!str":
			return strconv.Quote(v)
		case "!!null":
			return "nothing"
		}
		return v
	case yaml.SequenceNode:
		parts := make([]string, 0, len(n.Content))
		for i, c := range n.Content {
			if i == 5 {
				parts = append(parts, "...")
				break
			}
			parts = append(parts, describeDepth(c, depth+1))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		if n.Alias != nil {
			return describeDepth(n.Alias, depth+1)
		}
	}
	return "nothing"
}

// describeKind names what a node is, for a value that should be a mapping.
func describeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "the value " + describe(n)
	}
	return describe(n)
}
