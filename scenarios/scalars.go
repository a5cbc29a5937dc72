package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/internal/redact"
)

// This file reads YAML scalars (integers, numbers) and describes a node
// in a "got ..." message without showing user info.

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
