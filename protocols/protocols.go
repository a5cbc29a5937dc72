// Package protocols is the table of protocols: every kind of target
// stationbench speaks, each described on one line of Table.
//
// A line joins what the rest of the program knows about a kind:
//   - its YAML rules (scenarios/kind_<kind>.go: the fields only it takes,
//     its defaults and checks), which the scenario loader applies while it
//     loads, so that a bad field is reported with its file, line and key;
//   - its driver constructor (package workers), which the runner calls once
//     per target;
//   - what its driver measures: acknowledgements, deliveries seen by the
//     harness's own receiver, and the station's own count (verification).
//
// The rules are declared in scenarios, and not here, because the loader
// must apply them and scenarios cannot import the drivers; this package
// sits above both (it imports scenarios and workers; nothing below imports
// it). scenarios.Kinds lists the same rules for the loader; a test here
// checks that the two lists agree, kind for kind and in order.
//
// There is no registration: Table returns a literal list, so the reader
// sees every kind here. Adding a protocol takes its driver, a
// scenarios/kind_<kind>.go file with its rules and one line in
// scenarios.Kinds, and one line below.
package protocols

import (
	"context"
	"fmt"

	"github.com/stationbench/stationbench/internal/embedded"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
	"github.com/stationbench/stationbench/workers/jetstream"
	"github.com/stationbench/stationbench/workers/kafka"
	"github.com/stationbench/stationbench/workers/memphis"
	"github.com/stationbench/stationbench/workers/mqtt"
	"github.com/stationbench/stationbench/workers/natscore"
)

// Protocol is one kind of target, all in one place.
type Protocol struct {
	Kind scenarios.Kind
	// Summary says in one line what is published and what latency means.
	Summary string
	// Rules are the kind's YAML fields, defaults and checks.
	Rules scenarios.KindRules
	// New makes the kind's driver for one target.
	New func(workers.Config) workers.Driver
	// Embed starts the in-process broker that a target of this kind runs
	// against when its url is "embedded"; the runner shuts it down after
	// the target's last step.
	Embed func(ctx context.Context, t scenarios.Target) (embedded.Broker, error)
	// Acks: the broker acknowledges each message and the worker times it
	// to the acknowledgement (Step.Acked reports it per step).
	Acks bool
	// Deliveries: the harness subscribes to the station and times each
	// delivery (StepResult.Deliveries), as for a kind without acks.
	Deliveries bool
	// Verify: the driver reads the station's own count
	// (workers.Verifier), so every acknowledged message is checked to be
	// there.
	Verify bool
}

// Table lists every kind, in the order scenarios.Kinds lists their rules.
func Table() []Protocol {
	return []Protocol{
		{Kind: scenarios.KindNATS, Summary: "core NATS publish: no ack; the harness's subscriber times publish-to-delivery and counts loss",
			Rules: scenarios.NATSRules(), New: natscore.New, Embed: embedded.StartNATS, Deliveries: true},
		{Kind: scenarios.KindJetStream, Summary: "JetStream publish to a stream: latency to the PubAck, stream count verified",
			Rules: scenarios.JetStreamRules(), New: jetstream.New, Embed: embedded.StartNATS, Acks: true, Verify: true},
		{Kind: scenarios.KindMemphis, Summary: "Memphis producer protocol over NATS: latency to the PubAck, station count verified",
			Rules: scenarios.MemphisRules(), New: memphis.New, Embed: embedded.StartNATS, Acks: true, Verify: true},
		{Kind: scenarios.KindMemphisHTTP, Summary: "Memphis REST gateway: latency is the HTTP round trip, station count verified over NATS",
			Rules: scenarios.MemphisHTTPRules(), New: memphis.NewHTTP, Embed: embedded.StartNATS, Acks: true, Verify: true},
		{Kind: scenarios.KindKafka, Summary: "Kafka produce to a topic (franz-go): latency to the produce callback at the target's ack level, end offsets verified",
			Rules: scenarios.KafkaRules(), New: kafka.New, Embed: kafka.Embed, Acks: true, Verify: true},
		{Kind: scenarios.KindMQTT, Summary: "MQTT 3.1.1 publish, one client per producer: qos 1 timed to the PUBACK, station stream verified; qos 0 timed publish-to-delivery by the harness's subscriber",
			Rules: scenarios.MQTTRules(), New: mqtt.New, Embed: embedded.StartMQTT, Acks: true, Deliveries: true, Verify: true},
	}
}

// Lookup returns the protocol of kind k.
func Lookup(k scenarios.Kind) (Protocol, bool) {
	for _, p := range Table() {
		if p.Kind == k {
			return p, true
		}
	}
	return Protocol{}, false
}

// Embed starts the in-process broker for t, a target whose url is
// "embedded", by its kind.
func Embed(ctx context.Context, t scenarios.Target) (embedded.Broker, error) {
	p, ok := Lookup(t.Kind)
	if !ok || p.Embed == nil {
		return nil, fmt.Errorf("target %q: kind %q has no embedded broker: set its url", t.Name, t.Kind)
	}
	return p.Embed(ctx, t)
}

// New makes the driver for c's target, by its kind.
func New(c workers.Config) (workers.Driver, error) {
	p, ok := Lookup(c.Target.Kind)
	if !ok {
		return nil, fmt.Errorf("target %q: unknown kind %q", c.Target.Name, c.Target.Kind)
	}
	return p.New(c), nil
}
