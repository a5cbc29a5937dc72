package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// str decodes any scalar as text. A field that may hold a credential
// (sensitiveKey) never shows a wrong value.
func (d *decoder) str(dst *string) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.ScalarNode && sensitiveKey(key) {
			return d.fail(n, key, fmt.Errorf("want a string, got %s (the value is not shown: it may hold a credential)", kindOf(n)))
		}
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, fmt.Errorf("want a string, got %s", describe(n)))
		}
		*dst = n.Value
		return true
	}
}

// secret decodes a credential. Its errors never show the value, nor any
// part of it.
func (d *decoder) secret(dst *Secret) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, fmt.Errorf("want a string, got %s (the value is not shown: it is a credential)", kindOf(n)))
		}
		*dst = Secret(n.Value)
		return true
	}
}

func (d *decoder) integer(dst *int) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseIntNode(n)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}

// optInt decodes an integer whose absence means something (left out:
// nil).
func (d *decoder) optInt(dst **int) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseIntNode(n)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = &v
		return true
	}
}

func (d *decoder) number(dst *float64) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseFloatNode(n)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}

func (d *decoder) boolean(dst **bool) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return d.fail(n, key, fmt.Errorf("want true or false, got %s", describe(n)))
		}
		v := n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		*dst = &v
		return true
	}
}

func (d *decoder) duration(dst *Duration) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseDurationNode(n)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}

func (d *decoder) size(dst *ByteSize) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		v, err := parseByteSizeNode(n)
		if err != nil {
			return d.fail(n, key, err)
		}
		*dst = v
		return true
	}
}

// mappings decodes a sequence of mappings (targets, thresholds, phases):
// for each item it records the item's position and decodes its keys with
// the fields that fieldsOf gives for the item's element. want describes
// the expected list in the error for a value that is not one.
func mappings[T any](d *decoder, dst *[]T, want string, fieldsOf func(*T) map[string]fieldFunc) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, key, fmt.Errorf("want %s, got %s", want, describe(n)))
		}
		out := make([]T, len(n.Content))
		for i, item := range n.Content {
			path := fmt.Sprintf("%s[%d]", key, i)
			d.pos[path] = pos{item.Line, item.Column}
			if item = d.value(item, path); item == nil {
				continue
			}
			d.fields(item, path, fieldsOf(&out[i]))
		}
		*dst = out
		return true
	}
}

// list decodes a sequence, item by item, recording each item's position.
// An explicit empty list gives a non-nil empty slice.
func list[T any](d *decoder, dst *[]T, what string, parse func(*yaml.Node) (T, error)) fieldFunc {
	return func(n *yaml.Node, key string) bool {
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, key, fmt.Errorf("want a list of %s, got %s", what, describe(n)))
		}
		out := make([]T, 0, len(n.Content))
		ok := true
		for i, item := range n.Content {
			path := fmt.Sprintf("%s[%d]", key, i)
			d.pos[path] = pos{item.Line, item.Column}
			if item = d.value(item, path); item == nil {
				ok = false
				continue
			}
			v, err := parse(item)
			if err != nil {
				ok = d.fail(item, path, err)
				continue
			}
			out = append(out, v)
		}
		if !ok {
			d.bad[key] = true
			return false
		}
		*dst = out
		return true
	}
}

func (d *decoder) ints(dst *[]int) fieldFunc {
	return list(d, dst, "integers like [1, 2, 4]", parseIntNode)
}

func (d *decoder) numbers(dst *[]float64) fieldFunc {
	return list(d, dst, "numbers like [1000, 5000]", parseFloatNode)
}

func joinKey(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// parentKey strips the last segment: a.b[2] -> a.b -> a -> "".
func parentKey(key string) string {
	if strings.HasSuffix(key, "]") {
		if i := strings.LastIndexByte(key, '['); i >= 0 {
			return key[:i]
		}
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return ""
}

func keyList(fs map[string]fieldFunc) string {
	keys := make([]string, 0, len(fs))
	for k := range fs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// suggest names the closest allowed key, or lists them all.
func suggest(got string, fs map[string]fieldFunc) string {
	best, bestDist := "", 3
	for k := range fs {
		dist := editDistance(strings.ToLower(got), strings.ToLower(k))
		if dist < bestDist || dist == bestDist && k < best {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return "; valid keys here: " + keyList(fs)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
