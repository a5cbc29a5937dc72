package scenarios

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stationbench/stationbench/internal/redact"
)

// MQTT defaults and limits.
const (
	DefaultMQTTQoS       = 1
	DefaultMQTTKeepAlive = Duration(30 * time.Second)
	// MaxMQTTKeepAlive is the longest keep-alive MQTT can say (16 bits of
	// seconds).
	MaxMQTTKeepAlive = Duration(65535 * time.Second)
	// MaxMQTTInFlight is how many QoS 1 messages one MQTT client can have
	// unacknowledged: its packet identifiers are 16 bits, 0 excluded.
	MaxMQTTInFlight = 65535
)

// mqttSchemes are the URL schemes of an MQTT broker address: plain TCP, or
// TLS.
var mqttSchemes = map[string]bool{"mqtt": true, "tcp": true, "mqtts": true, "ssl": true, "tls": true}

// MQTTRules are the YAML rules of kind mqtt: MQTT 3.1.1 publish, one client
// per producer whose client id is the producer's name, to topics
// <station>/<producer>. At qos 1 each message is timed to its PUBACK and
// the station is a JetStream stream that captures the topics (nats-server
// maps topic a/b to subject a.b), made and verified over NATS (natsUrl);
// at qos 0 the harness's subscriber, over NATS, times each delivery from
// the two timestamps at the head of the payload, so a message needs 16
// bytes.
func MQTTRules() KindRules {
	return KindRules{
		Kind: KindMQTT,
		Fields: []string{"targets[].natsUrl", "targets[].qos", "targets[].cleanSession", "targets[].keepAlive", "targets[].retain",
			"station.storage", "station.replicas", "station.purgeExisting", "station.verify", "station.subscribe"},
		defaults:       mqttDefaults,
		target:         (*checker).mqttTarget,
		check:          (*checker).mqtt,
		minMessageSize: MinNATSMessageSize,
	}
}

// QoSLevel is the target's MQTT quality of service (kind mqtt, after
// defaults).
func (t Target) QoSLevel() int {
	if t.QoS == nil {
		return DefaultMQTTQoS
	}
	return *t.QoS
}

// CleanSessionEnabled reports whether an MQTT client starts with a clean
// session (the default).
func (t Target) CleanSessionEnabled() bool { return t.CleanSession == nil || *t.CleanSession }

// mqttDefaults fills the options of every mqtt target.
func mqttDefaults(s *Scenario, set func(string) bool) {
	for i := range s.Targets {
		t := &s.Targets[i]
		if t.Kind != KindMQTT {
			continue
		}
		if t.QoS == nil {
			q := DefaultMQTTQoS
			t.QoS = &q
		}
		t.CleanSession = boolOr(t.CleanSession, true)
		if !set(fmt.Sprintf("targets[%d].keepAlive", i)) {
			t.KeepAlive = DefaultMQTTKeepAlive
		}
	}
}

// mqttTarget checks an MQTT target's addresses and credentials: one or
// more broker URLs (mqtt://, tcp://; with TLS mqtts://, ssl://, tls://) or
// the embedded server, the NATS address behind it, and a username with
// its password (MQTT has no tokens, credentials files or NKeys).
func (c *checker) mqttTarget(key string, t Target) {
	if !t.IsEmbedded() {
		c.urlList(key+"url", t.URL, mqttSchemes, "mqtt://, mqtts://, tcp://, ssl:// or tls://")
	}
	switch {
	case t.NATSURL != "" && t.IsEmbedded():
		c.bad(key+"natsUrl", "the embedded server's NATS address is its own: leave natsUrl out")
	case t.NATSURL != "":
		c.urlList(key+"natsUrl", t.NATSURL, map[string]bool{"nats": true, "tls": true}, "nats:// or tls://")
	}
	switch {
	case t.ConnectionToken != "":
		c.bad(key+"connectionToken", "an mqtt target logs in with username and password: MQTT has no connection token")
	case t.CredsFile != "" || t.NKeyFile != "":
		c.bad(key+"credsFile", "an mqtt target logs in with username and password: credsFile and nkeyFile are for the NATS kinds")
	case t.Password != "" && t.Username == "":
		c.bad(key+"password", "a password needs a username (MQTT 3.1.1 sends none without one)")
	}
}

// urlList checks one URL or a comma-separated list of them against the
// allowed schemes, showing only redacted values.
func (c *checker) urlList(key, v string, schemes map[string]bool, want string) {
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		what := c.show(redact.URL(raw))
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			c.bad(key, "%s is not a URL", what)
		case !schemes[u.Scheme]:
			c.bad(key, "%s: want a %s URL", what, want)
		case u.Hostname() == "":
			c.bad(key, "%s has no host", what)
		default:
			continue
		}
		return
	}
}

// mqtt checks the options of mqtt targets, and that no other target sets
// them.
func (c *checker) mqtt(s Scenario) {
	allQoS0, anyQoS1 := len(s.Targets) > 0, false
	for i, t := range s.Targets {
		key := fmt.Sprintf("targets[%d].", i)
		if t.Kind != KindMQTT {
			allQoS0 = false
			c.notMQTT(key, t)
			continue
		}
		q := t.QoSLevel()
		if q != 0 && q != 1 {
			c.bad(key+"qos", "%d: want 0 (at most once, timed by the subscriber) or 1 (at least once, timed to the PUBACK)", q)
			continue
		}
		allQoS0 = allQoS0 && q == 0
		if t.KeepAlive != 0 && (t.KeepAlive < Duration(time.Second) || t.KeepAlive > MaxMQTTKeepAlive || t.KeepAlive%Duration(time.Second) != 0) {
			c.bad(key+"keepAlive", "must be 0s (off) or whole seconds from 1s to %s (MQTT says it in 16 bits of seconds), got %s", MaxMQTTKeepAlive, t.KeepAlive)
		}
		if t.NATSURL == "" && !t.IsEmbedded() {
			switch {
			case q == 1 && s.Station.VerifyEnabled():
				c.bad(key+"natsUrl", "required: a qos 1 target is verified against its station's JetStream stream, made and read over NATS; "+
					"set natsUrl to the server's NATS address, or station.verify: false (then the station is neither made nor checked)")
			case q == 0 && s.Station.SubscribeEnabled():
				c.bad(key+"natsUrl", "required: a qos 0 target has no acknowledgement, so the harness's subscriber times deliveries over NATS; "+
					"set natsUrl to the server's NATS address, or station.subscribe: false (then only the publish side is measured)")
			}
		}
		anyQoS1 = anyQoS1 || q == 1
	}
	if !hasKind(s.Targets, KindMQTT) {
		return
	}
	if anyQoS1 && s.Producers.MaxPending > MaxMQTTInFlight {
		c.bad("producers.maxPending", "an mqtt client has at most %d qos 1 messages in flight (16-bit packet ids), got %d",
			MaxMQTTInFlight, s.Producers.MaxPending)
	}
	if s.Station.Subject != "" {
		c.bad("station.subject", "an mqtt target publishes to the topics <station>/<producer>: station.subject is for nats and jetstream targets")
	}
	if s.Producers.Connections == ConnShared && everyKind(s.Targets, func(r KindRules) bool { return r.Kind == KindMQTT }) {
		c.bad("producers.connections", "each mqtt producer is one MQTT client with its own connection (its client id is the producer's name): shared is not possible")
	}
	if !allQoS0 {
		return
	}
	// Every target is at qos 0: nothing is acknowledged, so nothing is in
	// flight to bound or to wait for.
	if c.written("producers.ack") && s.Producers.Ack == AckSync {
		c.bad("producers.ack", "sync waits for each message's acknowledgement, and qos 0 has none: leave ack out, or use qos: 1")
	} else if c.written("producers.maxPending") {
		c.bad("producers.maxPending", "bounds the messages awaiting acknowledgement, and qos 0 has none: leave maxPending out, or use qos: 1")
	}
}

// notMQTT reports the MQTT options set on a target of another kind.
func (c *checker) notMQTT(key string, t Target) {
	for _, f := range []struct {
		name string
		set  bool
	}{{"natsUrl", t.NATSURL != ""}, {"qos", t.QoS != nil}, {"cleanSession", t.CleanSession != nil},
		{"keepAlive", t.KeepAlive != 0}, {"retain", t.Retain}} {
		if f.set {
			c.bad(key+f.name, "is for mqtt targets only")
		}
	}
}

// written reports whether the scenario file (or a flag) gave key a value:
// a key written has a place of its own, else it is found at its parent's.
func (c *checker) written(key string) bool {
	if c.flags[key] != "" {
		return true
	}
	p := c.at(key)
	return p != (pos{}) && p != c.at(parentKey(key))
}

func cloneInt(v *int) *int {
	if v == nil {
		return nil
	}
	n := *v
	return &n
}
