package scenarios

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/stationbench/stationbench/internal/redact"
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

// validate checks a normalized scenario, such as one built or changed in
// a test, and returns Errors (without line numbers) listing every problem,
// or nil. Parse already runs the same checks.
func (s Scenario) validate() error {
	if es := check(s, s.File, func(string) pos { return pos{} }, nil, nil); len(es) > 0 {
		return es
	}
	return nil
}

// checker collects problems with their position.
type checker struct {
	file string
	at   func(key string) pos
	// flags names the command-line flag that set a key (overrides.go).
	flags map[string]string
	errs  Errors
	// secrets are kept out of every message (redact.go, secrets.go).
	secrets []string
}

// bad records a problem. The message and key are cleaned of secrets and
// user info, and cut short.
func (c *checker) bad(key, format string, args ...any) {
	p, flag := c.at(key), c.flags[key]
	if flag != "" {
		p = pos{} // the value is not in the file
	}
	c.errs = append(c.errs, &FieldError{File: c.file, Line: p.line, Column: p.col, Flag: flag,
		Key: cleanText(key, c.secrets, maxKeyShown), Msg: cleanText(fmt.Sprintf(format, args...), c.secrets, maxMsgShown)})
}

// show quotes a value for a message (redact.go).
func (c *checker) show(v string) string { return shown(v, c.secrets) }

// check runs every validation on a scenario whose defaults are applied,
// returning problems in the order of the fields in Scenario. secrets are
// credentials to keep out of the messages, besides the scenario's own;
// flags names the command-line flag that set a key, if any did.
func check(s Scenario, file string, at func(string) pos, flags map[string]string, secrets []string) Errors {
	c := &checker{file: file, at: at, flags: flags, secrets: hideable(append(secretsOf(s.Targets), secrets...))}
	c.name("name", s.Name, MaxNameLen)
	c.freeText(s) // description, labels: limits.go
	c.targets(s.Targets)
	c.station(s.Station, s.Targets)
	c.producers(s.Producers)
	c.message(s)
	c.load(s.Load, s.Producers)
	c.kinds(s) // each kind's own options: kind_*.go
	c.thresholds(s)
	inRange := len(c.errs)
	c.observe(s) // labels, phases, trace: observe.go
	if inRange == 0 {
		c.totals(s) // memory and run time: limits.go
	}
	return c.errs
}

// name checks a name that becomes part of subjects, streams or file names.
func (c *checker) name(key, v string, maxLen int) {
	switch {
	case v == "":
		c.bad(key, "required")
	case len(v) > maxLen:
		c.bad(key, "%d characters is too long (at most %d)", len(v), maxLen)
	case !namePattern.MatchString(v):
		c.bad(key, "%s may hold only letters, digits, '_' and '-'", c.show(v))
	}
}

func (c *checker) targets(ts []Target) {
	c.count("targets", len(ts), MaxTargets, "targets")
	seen := map[string]bool{}
	for i, t := range ts {
		key := fmt.Sprintf("targets[%d].", i)
		if !c.targetText(key, t) {
			continue
		}
		if t.Name == "" && len(ts) > 1 {
			c.bad(key+"name", "required when there is more than one target")
		} else if t.Name != "" {
			c.name(key+"name", t.Name, MaxNameLen)
			if seen[t.Name] {
				c.bad(key+"name", "%s is already the name of another target", c.show(t.Name))
			}
			seen[t.Name] = true
		}
		c.kindTarget(key, t) // the kind, its address and credentials: kinds.go
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
		c.targetNumbers(key, t)
	}
}

// targetText bounds a target's text fields, reporting whether all are in
// bounds (the other checks would only repeat a value too long).
func (c *checker) targetText(key string, t Target) bool {
	ok := c.textLen(key+"username", t.Username, MaxUsernameLen)
	ok = c.textLen(key+"password", t.Password.Value(), MaxSecretLen) && ok
	ok = c.textLen(key+"connectionToken", t.ConnectionToken.Value(), MaxSecretLen) && ok
	ok = c.textLen(key+"host", t.Host, MaxHostLen) && ok
	if t.Host == "" { // else the URL is made of host and port
		ok = c.textLen(key+"url", t.URL, MaxURLLen) && ok
	}
	for _, f := range []struct{ name, v string }{{"keyFile", t.KeyFile}, {"certFile", t.CertFile},
		{"caFile", t.CAFile}, {"credsFile", t.CredsFile}, {"nkeyFile", t.NKeyFile}} {
		ok = c.textLen(key+f.name, f.v, MaxPathLen) && ok
	}
	return ok
}

// targetNumbers range-checks a target's numbers.
func (c *checker) targetNumbers(key string, t Target) {
	if t.RequestTimeout <= 0 || t.RequestTimeout > MaxTimeout {
		c.bad(key+"timeoutMs", "must be more than 0 and at most %d (an hour), got %d", MaxTimeout.Ms(), t.RequestTimeout.Ms())
	}
	switch {
	case t.MaxReconnect < -1:
		c.bad(key+"maxReconnect", "must be -1 (forever) or more, got %d", t.MaxReconnect)
	case t.MaxReconnect > MaxMaxReconnect:
		c.bad(key+"maxReconnect", "must be at most %d (or -1, forever), got %d", MaxMaxReconnect, t.MaxReconnect)
	}
	switch {
	case t.ReconnectWait < 0:
		c.bad(key+"reconnectIntervalMs", "must not be negative, got %d", t.ReconnectWait.Ms())
	case t.ReconnectWait > MaxReconnectWait:
		c.bad(key+"reconnectIntervalMs", "must be at most %d (an hour), got %d", MaxReconnectWait.Ms(), t.ReconnectWait.Ms())
	}
	if t.Port != 0 { // 0: left out, where a Memphis target has a url
		c.intRange(key+"port", t.Port, 1, 65535)
	}
	if r, _ := rulesOf(t.Kind); t.AccountID != 0 || r.accountID {
		c.intRange(key+"accountId", t.AccountID, 1, MaxAccountID)
	}
}

// serverURLs checks one URL or a comma-separated list of them. Each entry
// is checked as it is, but a message shows only the redacted value: with
// user info anywhere, the whole list with its user info hidden (a ',' may
// be part of a password).
func (c *checker) serverURLs(key, v string) {
	if embeddedSpelling(v) { // transport.go
		c.bad(key, "%s: the embedded server is spelled %q (over TCP) or %q (over WebSocket)", c.show(v), Embedded, EmbeddedWS)
		return
	}
	entries := strings.Split(v, ",")
	ws := 0 // entries with a WebSocket scheme
	for i, raw := range entries {
		raw = strings.TrimSpace(raw)
		what := c.show(raw)
		switch {
		case !strings.Contains(v, "@"):
		case len(entries) == 1:
			what = c.show(redact.URL(raw))
		default:
			what = fmt.Sprintf("entry %d of %s", i+1, c.show(redact.URL(v)))
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			c.bad(key, "%s is not a URL", what)
		case !urlSchemes[u.Scheme]:
			c.bad(key, "%s: want %q, %q or a nats://, tls://, ws:// or wss:// URL", what, Embedded, EmbeddedWS)
		case u.Hostname() == "":
			c.bad(key, "%s has no host", what)
		default:
			if isWebSocketScheme(u.Scheme) {
				ws++
			}
			continue
		}
		return
	}
	if ws > 0 && ws < len(entries) { // the NATS client refuses the mix when it connects
		c.bad(key, "%s mixes ws:// or wss:// URLs with others: a target connects over WebSocket or not, so list URLs of one kind",
			c.show(redact.URL(v)))
	}
}

func (c *checker) station(st Station, ts []Target) {
	if !everyKind(ts, func(r KindRules) bool { return r.ownNames }) { // else the kinds' own rules (c.kinds)
		c.name("station.name", st.Name, MaxStationNameLen)
	}
	if st.Storage != "file" && st.Storage != "memory" {
		c.bad("station.storage", "%s: want file or memory", c.show(st.Storage))
	}
	if st.Replicas < 1 || st.Replicas > MaxReplicas {
		c.bad("station.replicas", "must be 1 to %d, got %d", MaxReplicas, st.Replicas)
	}
	if st.Cleanup != "delete" && st.Cleanup != "keep" {
		c.bad("station.cleanup", "%s: want delete or keep", c.show(st.Cleanup))
	}
	if st.Subject != "" && c.textLen("station.subject", st.Subject, MaxSubjectLen) && !validSubject(st.Subject) {
		c.bad("station.subject", "%s is not a NATS subject to publish to: dot-separated tokens, no spaces or wildcards (* >)", c.show(st.Subject))
	}
	if !anyKind(ts, func(r KindRules) bool { return r.stationOptions }) {
		c.stationNumbers(st) // else the Memphis kinds' own rules (c.kinds)
	}
}

// stationNumbers range-checks the Memphis station options of a scenario
// without a Memphis target, which has no use for them but must not hold
// nonsense either.
func (c *checker) stationNumbers(st Station) {
	if st.Partitions != 0 {
		c.intRange("station.partitions", st.Partitions, 1, MaxPartitions)
	}
	if st.RetentionValue < 0 || int64(st.RetentionValue) > MaxRetentionBytes {
		c.bad("station.retentionValue", "must be 0 to %d, got %d", int64(MaxRetentionBytes), st.RetentionValue)
	}
	c.idempotencyWindow(st.IdempotencyWindow)
}

func (c *checker) idempotencyWindow(w Duration) {
	switch {
	case w < 0:
		c.bad("station.idempotencyWindow", "must not be negative, got %s", w)
	case w > MaxIdempotencyWindow:
		c.bad("station.idempotencyWindow", "must be at most %s, got %s", MaxIdempotencyWindow, w)
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
	c.count("producers.counts", len(p.Counts), MaxSteps, "steps")
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
		c.bad("producers.connections", "%s: want %s or %s", c.show(p.Connections), ConnPerProducer, ConnShared)
	}
	if p.Ack != AckSync && p.Ack != AckAsync {
		c.bad("producers.ack", "%s: want %s or %s", c.show(p.Ack), AckSync, AckAsync)
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
	c.minMessageSize(s) // what each kind needs: kinds.go
}

func (c *checker) load(l Load, p Producers) {
	if l.Duration <= 0 || l.Duration > MaxDuration {
		c.bad("load.duration", "must be more than 0 and at most 24h, got %s", l.Duration)
	}
	switch {
	case l.Warmup < 0:
		c.bad("load.warmup", "must not be negative, got %s", l.Warmup)
	case l.Warmup > MaxDuration:
		c.bad("load.warmup", "must be at most %s, got %s", MaxDuration, l.Warmup)
	}
	if l.Repeat < 1 || l.Repeat > MaxRepeat {
		c.bad("load.repeat", "must be 1 to %d, got %d", MaxRepeat, l.Repeat)
	}
	if l.Order != OrderInterleaved && l.Order != OrderSequential {
		c.bad("load.order", "must be %s or %s, got %q", OrderInterleaved, OrderSequential, l.Order)
	}
	c.positive("load.drain", l.Drain, MaxDrain)
	c.positive("load.lateAfter", l.LateAfter, MaxLateAfter)
	if l.Pacer != PacerSleep && l.Pacer != PacerSpin {
		c.bad("load.pacer", "must be %s or %s, got %q", PacerSleep, PacerSpin, l.Pacer)
	}
	window := l.Duration
	if window > MaxDuration {
		window = 0 // already reported; judge rates without it
	}
	switch {
	case l.Rate < 0:
		c.bad("load.rate", "must not be negative (0 is closed loop), got %g", l.Rate)
	case l.Rate != 0:
		c.rate("load.rate", l.Rate, window)
	}
	c.count("load.rates", len(l.Rates), MaxSteps, "steps")
	for i, r := range l.Rates {
		c.rate(fmt.Sprintf("load.rates[%d]", i), r, window)
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
