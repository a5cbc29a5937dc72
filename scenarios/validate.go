package scenarios

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Limits the checks enforce.
const (
	MaxNameLen        = 64
	MaxStationNameLen = 128
	MaxReplicas       = 5
	MaxProducers      = 10000
	MaxMaxPending     = 1000000
	MaxMessageSize    = 64 * MiB
	MaxDuration       = Duration(24 * time.Hour)
	MaxRepeat         = 1000
	// MinNATSMessageSize is the smallest payload a nats target can carry:
	// it holds two timestamps.
	MinNATSMessageSize = 16
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// urlSchemes are the URL schemes a remote target may use.
var urlSchemes = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}

// Validate checks a normalized scenario, such as one built or changed in
// code, and returns Errors (without line numbers) listing every problem, or
// nil. Parse already runs the same checks.
func (s Scenario) Validate() error {
	if es := check(s, s.File, func(string) pos { return pos{} }); len(es) > 0 {
		return es
	}
	return nil
}

// checker collects problems with their position.
type checker struct {
	file string
	at   func(key string) pos
	errs Errors
}

func (c *checker) bad(key, format string, args ...any) {
	p := c.at(key)
	c.errs = append(c.errs, &FieldError{File: c.file, Line: p.line, Column: p.col, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// check runs every validation on a scenario whose defaults are applied,
// returning problems in the order of the fields in Scenario.
func check(s Scenario, file string, at func(string) pos) Errors {
	c := &checker{file: file, at: at}
	c.name("name", s.Name, MaxNameLen)
	c.targets(s.Targets)
	c.station(s.Station, s.Targets)
	c.producers(s.Producers)
	c.message(s)
	c.load(s.Load, s.Producers)
	c.memphis(s)
	c.thresholds(s)
	c.observe(s) // labels, phases, trace: observe.go
	return c.errs
}

// name checks a name that becomes part of subjects, streams or file names.
func (c *checker) name(key, v string, maxLen int) {
	switch {
	case v == "":
		c.bad(key, "required")
	case !namePattern.MatchString(v):
		c.bad(key, "%q may hold only letters, digits, '_' and '-'", v)
	case len(v) > maxLen:
		c.bad(key, "%d characters is too long (at most %d)", len(v), maxLen)
	}
}

func (c *checker) targets(ts []Target) {
	seen := map[string]bool{}
	for i, t := range ts {
		key := fmt.Sprintf("targets[%d].", i)
		if t.Name == "" && len(ts) > 1 {
			c.bad(key+"name", "required when there is more than one target")
		} else if t.Name != "" {
			c.name(key+"name", t.Name, MaxNameLen)
			if seen[t.Name] {
				c.bad(key+"name", "%q is already the name of another target", t.Name)
			}
			seen[t.Name] = true
		}
		if t.Kind != KindNATS && t.Kind != KindJetStream && !t.Kind.IsMemphis() {
			c.bad(key+"kind", "%q is not a kind: want %s, %s, %s or %s", t.Kind, KindNATS, KindJetStream, KindMemphis, KindMemphisHTTP)
		}
		switch {
		case t.Kind.IsMemphis():
			c.memphisTarget(key, t) // address and credentials: scenarios/memphis.go
		case !t.IsEmbedded():
			c.serverURLs(key+"url", t.URL)
		}
		switch {
		case t.Kind.IsMemphis():
		case t.Password != "" && t.ConnectionToken != "":
			c.bad(key+"connectionToken", "set either password or connectionToken, not both")
		case t.Username != "" && t.ConnectionToken != "":
			c.bad(key+"connectionToken", "set either username/password or connectionToken, not both")
		case t.Password != "" && t.Username == "":
			c.bad(key+"password", "a password needs a username")
		}
		switch {
		case t.CredsFile != "" && t.NKeyFile != "":
			c.bad(key+"nkeyFile", "set either credsFile or nkeyFile, not both")
		case (t.CredsFile != "" || t.NKeyFile != "") && (t.Username != "" || t.ConnectionToken != ""):
			c.bad(key+"username", "set one way to authenticate: username/password, connectionToken, credsFile or nkeyFile")
		}
		switch {
		case t.CertFile != "" && t.KeyFile == "":
			c.bad(key+"certFile", "certFile needs keyFile")
		case t.KeyFile != "" && t.CertFile == "":
			c.bad(key+"keyFile", "keyFile needs certFile")
		}
		if t.TimeoutMs <= 0 {
			c.bad(key+"timeoutMs", "must be more than 0, got %d", t.TimeoutMs)
		}
		if t.MaxReconnect < -1 {
			c.bad(key+"maxReconnect", "must be -1 (forever) or more, got %d", t.MaxReconnect)
		}
		if t.ReconnectIntervalMs < 0 {
			c.bad(key+"reconnectIntervalMs", "must not be negative, got %d", t.ReconnectIntervalMs)
		}
	}
}

// serverURLs checks one URL or a comma-separated list of them.
func (c *checker) serverURLs(key, v string) {
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			c.bad(key, "%q is not a URL", redactURL(raw))
		case !urlSchemes[u.Scheme]:
			c.bad(key, "%q: want %q or a nats://, tls://, ws:// or wss:// URL", redactURL(raw), Embedded)
		case u.Hostname() == "":
			c.bad(key, "%q has no host", redactURL(raw))
		default:
			continue
		}
		return
	}
}

func (c *checker) station(st Station, ts []Target) {
	if !allMemphis(ts) { // Memphis names have their own rules (c.memphis)
		c.name("station.name", st.Name, MaxStationNameLen)
	}
	if st.Storage != "file" && st.Storage != "memory" {
		c.bad("station.storage", "%q: want file or memory", st.Storage)
	}
	if st.Replicas < 1 || st.Replicas > MaxReplicas {
		c.bad("station.replicas", "must be 1 to %d, got %d", MaxReplicas, st.Replicas)
	}
	if st.Cleanup != "delete" && st.Cleanup != "keep" {
		c.bad("station.cleanup", "%q: want delete or keep", st.Cleanup)
	}
	if st.Subject != "" && !validSubject(st.Subject) {
		c.bad("station.subject", "%q is not a NATS subject to publish to: dot-separated tokens, no spaces or wildcards (* >)", st.Subject)
	}
}

// validSubject reports whether s is a literal NATS subject.
func validSubject(s string) bool {
	for _, tok := range strings.Split(s, ".") {
		if tok == "" || strings.ContainsAny(tok, " \t\r\n*>") {
			return false
		}
	}
	return true
}

func (c *checker) producers(p Producers) {
	c.name("producers.name", p.Name, MaxNameLen)
	if len(p.Counts) == 0 {
		c.bad("producers.counts", "must list at least one producer count")
	}
	seen := map[int]bool{}
	for i, n := range p.Counts {
		key := fmt.Sprintf("producers.counts[%d]", i)
		switch {
		case n < 1 || n > MaxProducers:
			c.bad(key, "must be 1 to %d producers, got %d", MaxProducers, n)
		case seen[n]:
			c.bad(key, "%d is listed twice", n)
		}
		seen[n] = true
	}
	if p.Connections != ConnPerProducer && p.Connections != ConnShared {
		c.bad("producers.connections", "%q: want %s or %s", p.Connections, ConnPerProducer, ConnShared)
	}
	if p.Ack != AckSync && p.Ack != AckAsync {
		c.bad("producers.ack", "%q: want %s or %s", p.Ack, AckSync, AckAsync)
	}
	if p.MaxPending < 1 || p.MaxPending > MaxMaxPending {
		c.bad("producers.maxPending", "must be 1 to %d, got %d", MaxMaxPending, p.MaxPending)
	}
}

func (c *checker) message(s Scenario) {
	size := s.Message.Size
	if size < 1 || size > MaxMessageSize {
		c.bad("message.size", "must be 1 byte to 64MiB, got %d", size)
		return
	}
	for i, t := range s.Targets {
		if t.Kind == KindNATS && size < MinNATSMessageSize {
			c.bad("message.size", "a nats target (targets[%d]) needs at least %d bytes: the payload carries two timestamps; got %d",
				i, MinNATSMessageSize, size)
			return
		}
	}
}

func (c *checker) load(l Load, p Producers) {
	if l.Duration <= 0 || l.Duration > MaxDuration {
		c.bad("load.duration", "must be more than 0 and at most 24h, got %s", l.Duration)
	}
	if l.Warmup < 0 {
		c.bad("load.warmup", "must not be negative, got %s", l.Warmup)
	}
	if l.Repeat < 1 || l.Repeat > MaxRepeat {
		c.bad("load.repeat", "must be 1 to %d, got %d", MaxRepeat, l.Repeat)
	}
	if l.Order != OrderInterleaved && l.Order != OrderSequential {
		c.bad("load.order", "must be %s or %s, got %q", OrderInterleaved, OrderSequential, l.Order)
	}
	if l.Drain <= 0 {
		c.bad("load.drain", "must be more than 0, got %s", l.Drain)
	}
	if l.LateAfter <= 0 {
		c.bad("load.lateAfter", "must be more than 0, got %s", l.LateAfter)
	}
	if l.Rate < 0 {
		c.bad("load.rate", "must not be negative (0 is closed loop), got %g", l.Rate)
	}
	for i, r := range l.Rates {
		if r <= 0 {
			c.bad(fmt.Sprintf("load.rates[%d]", i), "must be more than 0 msgs/s, got %g", r)
		}
	}
	switch {
	case l.Rates == nil:
	case len(l.Rates) == 0:
		c.bad("load.rates", "must list at least one rate, or be left out")
	case l.Rate != 0:
		c.bad("load.rates", "set either load.rate or load.rates, not both")
	case len(p.Counts) > 1:
		c.bad("load.rates", "a sweep varies either producers.counts or load.rates, not both")
	}
	c.findMaxRate(l)
}
