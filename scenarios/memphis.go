package scenarios

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/internal/redact"
)

// Memphis defaults and limits. The defaults are a stock Memphis broker's:
// client (NATS) port 6666, REST gateway 4444, user root in account 1.
const (
	DefaultMemphisHost      = "localhost"
	DefaultMemphisPort      = 6666 // the broker's client (NATS) port
	DefaultMemphisHTTPPort  = 4444 // the REST gateway
	DefaultMemphisUser      = "root"
	DefaultMemphisAccountID = 1
	DefaultPartitions       = 1
	DefaultRetentionType    = RetentionMessageAge
	// DefaultRetentionValue is 3600 seconds of message age (with
	// DefaultRetentionType): what the Memphis SDK's CreateStation and the
	// broker (for a station a producer finds missing, which is how a
	// memphis-http target gets one) both use, so that a station made by
	// stationbench keeps messages as one made by an application would.
	DefaultRetentionValue    = 3600
	DefaultIdempotencyWindow = Duration(2 * time.Minute)
	MaxPartitions            = 10000
	MaxBatch                 = 5000
	MaxMemphisNameLen        = 128
)

// Memphis retention types (station.retentionType).
const (
	RetentionMessageAge = "message_age_sec"
	RetentionMessages   = "messages"
	RetentionBytes      = "bytes"
	RetentionAckBased   = "ack_based"
)

var memphisNamePattern = regexp.MustCompile(`^[a-z0-9_.-]*$`)

// IsMemphis reports whether the kind speaks to a Memphis broker.
func (k Kind) IsMemphis() bool { return k == KindMemphis || k == KindMemphisHTTP }

// MemphisNameError says why name is not a valid Memphis station or producer
// name, or returns nil. Names are lowercased first, as the broker does; valid
// ones hold a-z 0-9 '_' '.' '-', at most 128 characters, and start and end
// with a letter or digit.
func MemphisNameError(name string) error {
	n := strings.ToLower(name)
	switch {
	case n == "":
		return fmt.Errorf("required")
	case len(n) > MaxMemphisNameLen:
		return fmt.Errorf("%d characters is too long for Memphis (at most %d)", len(n), MaxMemphisNameLen)
	case !memphisNamePattern.MatchString(n):
		return fmt.Errorf("%s: a Memphis name may hold only letters, digits, '_', '.' and '-'", shown(name, nil))
	case !isAlnum(n[0]) || !isAlnum(n[len(n)-1]):
		return fmt.Errorf("%s: a Memphis name must start and end with a letter or digit", shown(name, nil))
	}
	return nil
}

func isAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

// MemphisURL is the address host and port make for a Memphis kind:
// nats://host:port, or http://host:port for the REST gateway.
func (t Target) MemphisURL() string {
	scheme := "nats"
	if t.Kind == KindMemphisHTTP {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// flag decodes a YAML boolean into a plain bool.
func (d *decoder) flag(dst *bool) fieldFunc {
	var p *bool
	f := d.boolean(&p)
	return func(n *yaml.Node, key string) bool {
		if !f(n, key) {
			return false
		}
		*dst = *p
		return true
	}
}

// memphisTargetDefaults fills a Memphis target's user, account and address:
// with no url, host and port make one, so the target never means the
// embedded server.
func memphisTargetDefaults(t *Target) {
	if !t.Kind.IsMemphis() {
		return
	}
	t.Username = strOr(t.Username, DefaultMemphisUser)
	if t.AccountID == 0 {
		t.AccountID = DefaultMemphisAccountID
	}
	if t.Kind == KindMemphisHTTP && t.NATSPort == 0 {
		t.NATSPort = DefaultMemphisPort
	}
	if t.URL != "" {
		return
	}
	t.Host = strOr(t.Host, DefaultMemphisHost)
	if t.Port == 0 {
		t.Port = DefaultMemphisPort
		if t.Kind == KindMemphisHTTP {
			t.Port = DefaultMemphisHTTPPort
		}
	}
	t.URL = t.MemphisURL()
}

// memphisHTTPDefaults fills the options of a scenario with a memphis-http
// target: one message per request, and the station's options.
func memphisHTTPDefaults(s *Scenario, set func(string) bool) {
	if !set("message.batch") {
		s.Message.Batch = 1
	}
	memphisDefaults(s, set)
}

// memphisDefaults fills the station options of a scenario with a Memphis
// target (of either kind; filling them twice changes nothing).
func memphisDefaults(s *Scenario, set func(string) bool) {
	st := &s.Station
	if !set("station.partitions") {
		st.Partitions = DefaultPartitions
	}
	st.RetentionType = strOr(st.RetentionType, DefaultRetentionType)
	if !set("station.retentionValue") {
		st.RetentionValue = DefaultRetentionValue
	}
	if !set("station.idempotencyWindow") {
		st.IdempotencyWindow = DefaultIdempotencyWindow
	}
}

// memphisTarget checks a Memphis target's address and credentials.
func (c *checker) memphisTarget(key string, t Target) {
	switch {
	case t.Host != "" && t.URL != t.MemphisURL():
		c.bad(key+"host", "set either url or host and port, not both")
	case t.Host == "" && t.Port != 0:
		c.bad(key+"port", "set either url or host and port, not both")
	case t.Host != "" && strings.ContainsAny(t.Host, "@/?# \t"):
		c.bad(key+"host", "%s: want a host name or address alone (user info goes in username and password)", c.show(t.Host))
	case t.Kind == KindMemphisHTTP:
		u, err := url.Parse(t.URL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https"):
			c.bad(key+"url", "%s: a memphis-http target wants an http:// or https:// URL", c.show(redact.URL(t.URL)))
		case u.Hostname() == "":
			c.bad(key+"url", "%s has no host", c.show(redact.URL(t.URL)))
		}
	case t.IsEmbedded():
		c.bad(key+"url", "a memphis target needs a broker: set host (and port) or a nats:// URL")
	default:
		c.serverURLs(key+"url", t.URL)
	}
	switch {
	case t.Password != "" && t.ConnectionToken != "":
		c.bad(key+"connectionToken", "set exactly one of password or connectionToken, not both")
	case t.Password == "" && t.ConnectionToken == "":
		c.bad(key+"password", "a memphis target needs a password or a connectionToken")
	}
	if strings.ContainsAny(t.Username, "$:") { // not shown: a password may follow the ':'
		c.bad(key+"username", "holds '$' or ':': give the bare user; the account id goes in accountId")
	}
}

// memphisHTTP checks the options only memphis-http targets take: natsPort,
// message.batch, and with no memphis target the station's options.
func (c *checker) memphisHTTP(s Scenario) {
	for i, t := range s.Targets { // natsPort: the broker's port behind a gateway
		key := fmt.Sprintf("targets[%d].natsPort", i)
		switch {
		case t.Kind != KindMemphisHTTP && t.NATSPort != 0:
			c.bad(key, "is for memphis-http targets only (other kinds take port or url)")
		case t.Kind == KindMemphisHTTP && (t.NATSPort < 1 || t.NATSPort > 65535):
			c.bad(key, "must be 1 to 65535, got %d", t.NATSPort)
		}
	}
	m, h := hasKind(s.Targets, KindMemphis), hasKind(s.Targets, KindMemphisHTTP)
	if b := s.Message.Batch; b != 0 || h {
		switch {
		case b < 1 || b > MaxBatch:
			c.bad("message.batch", "must be 1 to %d messages, got %d", MaxBatch, b)
		case b > 1 && !h:
			c.bad("message.batch", "batches are sent by memphis-http targets only")
		case b > s.Producers.MaxPending:
			c.bad("message.batch", "a batch of %d needs producers.maxPending of at least %d (ack: async), got %d",
				b, b, s.Producers.MaxPending)
		}
	}
	if h && !m { // else checked with the memphis kind's options
		c.memphisStation(s)
	}
}

// memphis checks the options the memphis kind takes: message.dedup, and
// the station's options.
func (c *checker) memphis(s Scenario) {
	m := hasKind(s.Targets, KindMemphis)
	if s.Message.Dedup && !m {
		c.bad("message.dedup", "msg-id deduplication needs a memphis target")
	}
	if m {
		c.memphisStation(s)
	}
}

// memphisStation checks the station and producer names and the station
// options of a scenario with a Memphis target (of either kind).
func (c *checker) memphisStation(s Scenario) {
	st := s.Station
	if err := MemphisNameError(st.Name); err != nil {
		c.bad("station.name", "%v", err)
	}
	if err := MemphisNameError(s.Producers.Name + "-1"); err != nil {
		c.bad("producers.name", "%v", err)
	}
	if st.Partitions < 1 || st.Partitions > MaxPartitions {
		c.bad("station.partitions", "must be 1 to %d, got %d", MaxPartitions, st.Partitions)
	}
	limit := map[string]int64{RetentionMessageAge: MaxRetentionAgeSec, RetentionMessages: MaxRetentionMessages,
		RetentionBytes: MaxRetentionBytes}
	switch st.RetentionType {
	case RetentionMessageAge, RetentionMessages, RetentionBytes:
		if st.RetentionValue < 1 || int64(st.RetentionValue) > limit[st.RetentionType] {
			c.bad("station.retentionValue", "must be more than 0 and at most %d for %s, got %d",
				limit[st.RetentionType], st.RetentionType, st.RetentionValue)
		}
	case RetentionAckBased:
		if st.RetentionValue < 0 || int64(st.RetentionValue) > MaxRetentionBytes {
			c.bad("station.retentionValue", "must be 0 to %d, got %d", int64(MaxRetentionBytes), st.RetentionValue)
		}
	default:
		c.bad("station.retentionType", "%s: want %s, %s, %s or %s", c.show(st.RetentionType),
			RetentionMessageAge, RetentionMessages, RetentionBytes, RetentionAckBased)
	}
	c.idempotencyWindow(st.IdempotencyWindow)
}
