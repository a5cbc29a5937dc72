package scenarios

import (
	"strings"
)

// KindRules are the YAML rules of one kind of target: the keys it takes
// beyond those every kind shares, its defaults and its checks. Each kind
// declares them in its own file (kind_nats.go, kind_jetstream.go,
// kind_memphis.go) and Kinds lists them; the loader applies them while it
// loads, so a bad kind-specific field is reported with its file, line and
// key.
//
// The rules live here, and not beside the drivers, because scenarios
// imports no driver: the table of protocols (package protocols), which
// sits above both, joins each kind's rules with its driver constructor and
// what the driver measures. Adding a kind takes a kind_<name>.go file here,
// one line in Kinds, a driver package and one line in that table; a test in
// protocols checks that the two lists name the same kinds.
type KindRules struct {
	Kind Kind
	// Fields are the YAML keys this kind's driver reads beyond those of
	// every kind (name, kind, url, credentials, TLS files, reconnect and
	// timeouts, the station's name, cleanup and reset, producers, message
	// size, load). They are for the reader and for listings; the checks
	// below are what enforce them.
	Fields []string

	// targetDefaults fills what a target of the kind left out, before the
	// URL defaults to the embedded server; nil: nothing.
	targetDefaults func(t *Target)
	// defaults fills the scenario's options of the kind, once, when some
	// target is of the kind; nil: nothing.
	defaults func(s *Scenario, set func(key string) bool)
	// target checks a target's address and credentials.
	target func(c *checker, key string, t Target)
	// check judges the kind's own options in every scenario: when a target
	// is of the kind, their values; when none is, that they are not set.
	// nil: nothing.
	check func(c *checker, s Scenario)
	// accountID: every target of the kind needs an accountId.
	accountID bool
	// ownNames: the kind's check judges station and producer names by the
	// broker's own rules; when every target is of such a kind, the generic
	// name rule is not applied.
	ownNames bool
	// stationOptions: the kind's check judges the Memphis station options
	// (partitions, retention, idempotencyWindow); with no target of such a
	// kind, they are only range-checked.
	stationOptions bool
	// minMessageSize is the smallest payload the kind carries (its
	// delivery receiver reads two timestamps from the head); 0: 1 byte.
	minMessageSize int
}

// Kinds is every kind of target, each with its YAML rules, in the order
// error messages list them. The table of protocols (package protocols)
// has one line per entry.
func Kinds() []KindRules {
	return []KindRules{
		NATSRules(),
		JetStreamRules(),
		MemphisRules(),
		MemphisHTTPRules(),
		KafkaRules(),
		MQTTRules(),
	}
}

// rulesOf returns the rules of kind k.
func rulesOf(k Kind) (KindRules, bool) {
	for _, r := range Kinds() {
		if r.Kind == k {
			return r, true
		}
	}
	return KindRules{}, false
}

// kindList names every kind for a message: "a, b, c or d".
func kindList() string {
	ks := Kinds()
	names := make([]string, len(ks))
	for i, r := range ks {
		names[i] = string(r.Kind)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// kindTargetDefaults applies the rules of t's kind to t.
func kindTargetDefaults(t *Target) {
	if r, ok := rulesOf(t.Kind); ok && r.targetDefaults != nil {
		r.targetDefaults(t)
	}
}

// kindDefaults applies the defaults of every kind some target is of.
func kindDefaults(s *Scenario, set func(string) bool) {
	for _, r := range Kinds() {
		if r.defaults != nil && hasKind(s.Targets, r.Kind) {
			r.defaults(s, set)
		}
	}
}

// kindTarget checks a target's address and credentials by its kind's
// rules; a target of no known kind (already reported) is judged as a NATS
// one.
func (c *checker) kindTarget(key string, t Target) {
	r, ok := rulesOf(t.Kind)
	if !ok {
		c.bad(key+"kind", "%s is not a kind: want %s", c.show(string(t.Kind)), kindList())
		r = NATSRules()
	}
	r.target(c, key, t)
}

// kinds runs every kind's own checks.
func (c *checker) kinds(s Scenario) {
	for _, r := range Kinds() {
		if r.check != nil {
			r.check(c, s)
		}
	}
}

// everyKind reports whether every target's kind has the property p (and
// there is at least one target).
func everyKind(ts []Target, p func(KindRules) bool) bool {
	for _, t := range ts {
		if r, _ := rulesOf(t.Kind); !p(r) {
			return false
		}
	}
	return len(ts) > 0
}

// anyKind reports whether some target's kind has the property p.
func anyKind(ts []Target, p func(KindRules) bool) bool {
	for _, t := range ts {
		if r, _ := rulesOf(t.Kind); p(r) {
			return true
		}
	}
	return false
}

// minMessageSize checks message.size against what each target's kind
// needs.
func (c *checker) minMessageSize(s Scenario) {
	size := s.Message.Size.Int()
	for i, t := range s.Targets {
		r, _ := rulesOf(t.Kind)
		if size < r.minMessageSize {
			c.bad("message.size", "a %s target (targets[%d]) needs at least %d bytes: the payload carries two timestamps; got %d",
				t.Kind, i, r.minMessageSize, size)
			return
		}
	}
}

// hasKind reports whether some target is of kind k.
func hasKind(ts []Target, k Kind) bool {
	for _, t := range ts {
		if t.Kind == k {
			return true
		}
	}
	return false
}
