package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ByteSize is a size in bytes; YAML accepts 128 or "1KiB", "4KB", "1MiB".
type ByteSize int

// Int returns the size in bytes.
func (b ByteSize) Int() int { return int(b) }

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
