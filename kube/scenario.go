package kube

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/scenarios"
)

// Scenario is what the manifests need to know of a scenario file.
type Scenario struct {
	// Name is the scenario's name.
	Name string
	// Vars are the ${VAR}s its values reference, in the order the file
	// first names them.
	Vars []Var
	// Unchecked lists the variables that were not set where the scenario
	// was inspected, so that its validation could not be completed there
	// (the pods validate it again with the Secret's values); empty when it
	// was validated.
	Unchecked []string
}

// Inspect reads a scenario file's text for the manifests: the variables it
// references, and whether it can run in a cluster at all. It validates the
// scenario with the variables lookup gives (the shell's); a variable that
// is not set there leaves the validation unfinished (Scenario.Unchecked)
// rather than failing. It refuses a target on the embedded server (each pod
// would measure its own), a credential written in the file (it would be in
// the ConfigMap: use ${VAR}), and files a target names (credsFile, TLS
// keys): the manifests mount none.
func Inspect(file string, data []byte, lookup func(string) (string, bool)) (Scenario, error) {
	var out Scenario
	var peek struct {
		Name    string       `yaml:"name"`
		Targets []peekTarget `yaml:"targets"`
	}
	if err := yaml.Unmarshal(data, &peek); err != nil {
		return out, fmt.Errorf("%s: %w", file, err)
	}
	out.Name = peek.Name
	// The variables are those the loader asks for, whatever else is wrong.
	var names []string
	_, _ = scenarios.Parse(file, data, func(name string) (string, bool) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		return "", false
	})
	// In the order the file first names them.
	first := func(n string) int { return bytes.Index(data, []byte("${"+n)) }
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(first(a), first(b)) })
	for _, n := range names {
		out.Vars = append(out.Vars, Var{Name: n, Optional: alwaysDefaulted(data, n)})
	}
	if err := cluster(file, peek.Targets); err != nil {
		return out, err
	}
	sc, err := scenarios.Parse(file, data, lookup)
	if err == nil {
		return out, embedded(file, sc.Targets)
	}
	for _, v := range out.Vars {
		if _, ok := lookup(v.Name); !ok && !v.Optional {
			out.Unchecked = append(out.Unchecked, v.Name)
		}
	}
	var es scenarios.Errors
	if !errors.As(err, &es) || len(out.Unchecked) == 0 || !onlyUnset(es) {
		return out, err
	}
	return out, peekEmbedded(file, peek.Targets)
}

// embedded refuses targets on the embedded server: in a cluster each pod
// would start and measure its own.
func embedded(file string, ts []scenarios.Target) error {
	var errs []error
	for i, t := range ts {
		if t.IsEmbedded() {
			errs = append(errs, embeddedError(file, i, t.Name))
		}
	}
	return errors.Join(errs...)
}

// peekEmbedded is embedded for a scenario that could not be loaded here:
// url "embedded", or no url where the kind has no host to default to.
func peekEmbedded(file string, ts []peekTarget) error {
	var errs []error
	for i, t := range ts {
		memphis := scenarios.Kind(t.Kind).IsMemphis()
		if t.URL == scenarios.Embedded || (t.URL == "" && !memphis) {
			errs = append(errs, embeddedError(file, i, t.Name))
		}
	}
	return errors.Join(errs...)
}

func embeddedError(file string, i int, name string) error {
	return fmt.Errorf("%s: targets[%d] (%s): the embedded server: in a cluster each agent would start and measure its own; "+
		"set url to the broker's address, reachable from the pods", file, i, name)
}

// peekTarget is what Inspect reads of a target before the scenario is
// loaded (its variables may be unset here).
type peekTarget struct {
	Name            string `yaml:"name"`
	Kind            string `yaml:"kind"`
	URL             string `yaml:"url"`
	Password        string `yaml:"password"`
	ConnectionToken string `yaml:"connectionToken"`
	CredsFile       string `yaml:"credsFile"`
	NKeyFile        string `yaml:"nkeyFile"`
	KeyFile         string `yaml:"keyFile"`
	CertFile        string `yaml:"certFile"`
	CAFile          string `yaml:"caFile"`
}

// cluster refuses targets that cannot run from pods as the manifests make
// them, naming each.
func cluster(file string, ts []peekTarget) error {
	var errs []error
	for i, t := range ts {
		at := fmt.Sprintf("%s: targets[%d] (%s)", file, i, t.Name)
		for _, c := range []struct{ field, value string }{{"password", t.Password}, {"connectionToken", t.ConnectionToken}} {
			if c.value != "" && !onlyVars(c.value) {
				errs = append(errs, fmt.Errorf("%s: %s is written in the file (or as a ${VAR:-default}), which goes into a ConfigMap: "+
					"write ${VAR} and put its value in the Secret", at, c.field))
			}
		}
		for _, p := range redact.Passwords(t.URL) {
			if !onlyVars(p) {
				errs = append(errs, fmt.Errorf("%s: url holds a password (or a ${VAR:-default} of one), which would go into a ConfigMap: write ${VAR} for it and put its value in the Secret", at))
			}
		}
		for _, f := range []struct{ field, path string }{{"credsFile", t.CredsFile}, {"nkeyFile", t.NKeyFile},
			{"keyFile", t.KeyFile}, {"certFile", t.CertFile}, {"caFile", t.CAFile}} {
			if f.path != "" {
				errs = append(errs, fmt.Errorf("%s: %s names a file, and the manifests mount no files into the pods (not supported yet)", at, f.field))
			}
		}
	}
	return errors.Join(errs...)
}

// varRef is a ${VAR} or ${VAR:-default} reference (scenarios/expand.go);
// a $${ before it makes it literal text.
var varRef = regexp.MustCompile(`\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(:-)?`)

// wholeRef is one whole ${VAR}, without a default: a credential's default
// would be a credential written in the file.
var wholeRef = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// onlyVars reports whether s is made of ${VAR} references only, none with a
// default.
func onlyVars(s string) bool {
	return s != "" && wholeRef.ReplaceAllString(s, "") == ""
}

// alwaysDefaulted reports whether every reference to name in the text has a
// default, so that the pods need no value for it.
func alwaysDefaulted(data []byte, name string) bool {
	found := false
	for _, m := range varRef.FindAllSubmatch(data, -1) {
		if strings.HasPrefix(string(m[0]), "$$") || string(m[1]) != name {
			continue
		}
		if len(m[2]) == 0 {
			return false
		}
		found = true
	}
	return found
}

// onlyUnset reports whether every problem is a variable that is not set.
func onlyUnset(es scenarios.Errors) bool {
	for _, e := range es {
		if !strings.Contains(e.Msg, "is not set (use ${") {
			return false
		}
	}
	return true
}
