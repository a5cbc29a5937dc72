package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// An mqtt target takes its defaults: qos 1, a clean session, a 30s
// keep-alive, no retain; the embedded server needs no natsUrl.
func TestMQTTDefaults(t *testing.T) {
	s, err := Parse("m.yaml", []byte("name: m\ntargets:\n  - kind: mqtt\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tg := s.Targets[0]
	if tg.QoSLevel() != 1 || !tg.CleanSessionEnabled() || tg.KeepAlive.D() != 30*time.Second || tg.Retain || !tg.IsEmbedded() {
		t.Errorf("defaults: qos %d, clean %v, keepAlive %s, retain %v, url %q", tg.QoSLevel(), tg.CleanSessionEnabled(), tg.KeepAlive, tg.Retain, tg.URL)
	}
	s, err = Parse("m.yaml", []byte("name: m\ntargets:\n  - {kind: mqtt, qos: 0, keepAlive: 0s, cleanSession: false, retain: true}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tg := s.Targets[0]; tg.QoSLevel() != 0 || tg.CleanSessionEnabled() || tg.KeepAlive != 0 || !tg.Retain {
		t.Errorf("set: qos %d, clean %v, keepAlive %s, retain %v", tg.QoSLevel(), tg.CleanSessionEnabled(), tg.KeepAlive, tg.Retain)
	}
}

// What MQTT cannot do, or a target cannot do without, is refused with
// the file, line and key.
func TestMQTTMessages(t *testing.T) {
	const remote = "name: m\ntargets:\n  - {kind: mqtt, url: \"mqtt://h:1883\", natsUrl: \"nats://h:4222\""
	for _, c := range []struct{ doc, want string }{
		{"name: m\ntargets:\n  - {kind: mqtt, qos: 0}\nproducers:\n  maxPending: 8\n",
			"m.yaml:5: producers.maxPending: bounds the messages awaiting acknowledgement, and qos 0 has none: leave maxPending out, or use qos: 1"},
		{"name: m\ntargets:\n  - {kind: mqtt, qos: 0}\nproducers:\n  ack: sync\n",
			"m.yaml:5: producers.ack: sync waits for each message's acknowledgement, and qos 0 has none: leave ack out, or use qos: 1"},
		{"name: m\ntargets:\n  - kind: mqtt\n    qos: 2\n",
			"m.yaml:4: targets[0].qos: 2: want 0 (at most once, timed by the subscriber) or 1 (at least once, timed to the PUBACK)"},
		{"name: m\ntargets:\n  - kind: mqtt\n    url: mqtt://h:1883\n",
			"m.yaml:3: targets[0].natsUrl: required: a qos 1 target is verified against its station's JetStream stream, made and read over NATS; " +
				"set natsUrl to the server's NATS address, or station.verify: false (then the station is neither made nor checked)"},
		{"name: m\ntargets:\n  - {kind: mqtt, url: \"mqtt://h:1883\", qos: 0}\n",
			"m.yaml:3: targets[0].natsUrl: required: a qos 0 target has no acknowledgement, so the harness's subscriber times deliveries over NATS; " +
				"set natsUrl to the server's NATS address, or station.subscribe: false (then only the publish side is measured)"},
		{"name: m\ntargets:\n  - kind: mqtt\n    url: http://h:1883\n    natsUrl: nats://h:4222\n",
			`m.yaml:4: targets[0].url: "http://h:1883": want a mqtt://, mqtts://, tcp://, ssl:// or tls:// URL`},
		{remote + ", connectionToken: tok}\n",
			"m.yaml:3: targets[0].connectionToken: an mqtt target logs in with username and password: MQTT has no connection token"},
		{remote + ", keepAlive: 1500ms}\n",
			"m.yaml:3: targets[0].keepAlive: must be 0s (off) or whole seconds from 1s to 18h12m15s (MQTT says it in 16 bits of seconds), got 1.5s"},
		{"name: m\ntargets:\n  - kind: jetstream\n    retain: true\n",
			"m.yaml:4: targets[0].retain: is for mqtt targets only"},
		{"name: m\ntargets:\n  - kind: mqtt\n    natsUrl: nats://h:4222\n",
			"m.yaml:4: targets[0].natsUrl: the embedded server's NATS address is its own: leave natsUrl out"},
		{"name: m\ntargets:\n  - kind: mqtt\nstation:\n  subject: a.b\n",
			"m.yaml:5: station.subject: an mqtt target publishes to the topics <station>/<producer>: station.subject is for nats and jetstream targets"},
		{"name: m\ntargets:\n  - kind: mqtt\nproducers:\n  connections: shared\n",
			"m.yaml:5: producers.connections: each mqtt producer is one MQTT client with its own connection (its client id is the producer's name): shared is not possible"},
		{"name: m\ntargets:\n  - kind: mqtt\nproducers:\n  maxPending: 70000\n",
			"m.yaml:5: producers.maxPending: an mqtt client has at most 65535 qos 1 messages in flight (16-bit packet ids), got 70000"},
		{"name: m\ntargets:\n  - kind: mqtt\nmessage:\n  size: 8\n",
			"m.yaml:5: message.size: a mqtt target (targets[0]) needs at least 16 bytes: the payload carries two timestamps; got 8"},
		{"name: m\ntargets:\n  - kind: mqtt\n    keepAlive: soon\n",
			`m.yaml:4: targets[0].keepAlive: want a duration like 10s or 500ms, got "soon"`},
	} {
		_, err := Parse("m.yaml", []byte(c.doc), nil)
		var es Errors
		if !errors.As(err, &es) || len(es) != 1 || es[0].Error() != c.want {
			t.Errorf("%s\ngot  %v\nwant %s", c.doc, err, c.want)
		}
	}
}

// maxPending and ack: sync stay allowed on qos 0 when another target of
// the scenario is acknowledged: they are that target's.
func TestMQTTQoS0BesideAckedTarget(t *testing.T) {
	doc := "name: m\ntargets:\n  - {name: a, kind: mqtt, qos: 0}\n  - {name: b, kind: mqtt, qos: 1}\nproducers: {maxPending: 8}\n"
	if _, err := Parse("m.yaml", []byte(doc), nil); err != nil {
		t.Fatal(err)
	}
}

// A password in natsUrl, or in the target's password, is never shown in a
// message, and the record of the scenario hides it.
func TestMQTTSecretsNotShown(t *testing.T) {
	doc := "name: m\ntargets:\n  - kind: mqtt\n    url: mqtt://u:hunter2-pw@h:1883\n    natsUrl: nats://u:hunter3-pw@h:bad\n    qos: 7\n"
	_, err := Parse("m.yaml", []byte(doc), nil)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "hunter2-pw") || strings.Contains(err.Error(), "hunter3-pw") {
		t.Errorf("a password is shown: %v", err)
	}
	s, err := Parse("m.yaml", []byte("name: m\ntargets:\n  - {kind: mqtt, url: \"mqtt://h:1\", natsUrl: \"nats://u:hunter3-pw@h:4222\"}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Redacted(); strings.Contains(r.Targets[0].NATSURL, "hunter3-pw") || s.Targets[0].NATSURL != "nats://u:hunter3-pw@h:4222" {
		t.Errorf("redacted natsUrl %q (of %q)", r.Targets[0].NATSURL, s.Targets[0].NATSURL)
	}
}
