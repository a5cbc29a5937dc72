package scenarios

import (
	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/internal/redact"
)

// This file finds the credentials a scenario document holds before it is
// decoded, so that no message about any field can show them: a password's
// anchor may be reused in another field, or a URL's password copied.

// secretFields are the target keys whose values are credentials.
var secretFields = map[string]bool{"password": true, "connectionToken": true}

// sensitiveKey reports whether the field at key may hold a credential
// (itself, or as user info), so that messages must not show its value at
// all.
func sensitiveKey(key string) bool {
	switch lastSegment(key) {
	case "password", "connectionToken", "url", "host", "username", "natsUrl":
		return true
	}
	return false
}

func lastSegment(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			return key[i+1:]
		}
	}
	return key
}

// secretsIn lists every text under a target's password or connectionToken
// (as written and with ${VAR} expanded) and the user info of each target
// url, whatever their shape.
func secretsIn(root *yaml.Node, env func(string) (string, bool)) []string {
	var out []string
	add := func(v string) {
		out = append(out, v)
		if x, changed, err := expand(v, env); err == nil && changed {
			out = append(out, x)
		}
	}
	passwords := func(s string) {
		for _, p := range redact.Passwords(s) {
			add(p)
		}
		if x, changed, err := expand(s, env); err == nil && changed {
			out = append(out, redact.Passwords(x)...)
		}
	}
	targets := mappingValue(root, "targets")
	if targets == nil {
		return nil
	}
	if targets.Kind != yaml.SequenceNode {
		scalars(targets, 0, passwords) // a URL where the list belongs
		return out
	}
	for _, item := range targets.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			scalars(item, 0, passwords)
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i].Value, item.Content[i+1]
			switch {
			case secretFields[k]:
				scalars(v, 0, add)
			case k == "url" || k == "host" || k == "natsUrl":
				scalars(v, 0, passwords)
			}
		}
	}
	return out
}

// mappingValue is the value of key in the mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// scalars calls f with every scalar under n, keys included, to a small
// depth (an alias may make a node contain itself).
func scalars(n *yaml.Node, depth int, f func(string)) {
	if depth > 4 {
		return
	}
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() != "!!null" {
			f(n.Value)
		}
		return
	}
	for _, c := range n.Content {
		scalars(c, depth+1, f)
	}
}

// kindOf names what a node is without showing its value.
func kindOf(n *yaml.Node) string {
	switch resolve(n).Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return "a value"
	}
	return "nothing"
}
