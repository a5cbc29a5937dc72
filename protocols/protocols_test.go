package protocols

import (
	"cmp"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
	"github.com/stationbench/stationbench/workers/kafka"
)

// The table and the loader's list name the same kinds, in the same order,
// each line joining its own kind's rules.
func TestTableMatchesKinds(t *testing.T) {
	table, kinds := Table(), scenarios.Kinds()
	if len(table) != len(kinds) {
		t.Fatalf("table has %d kinds, scenarios.Kinds %d", len(table), len(kinds))
	}
	for i, p := range table {
		if p.Kind != kinds[i].Kind || p.Rules.Kind != p.Kind {
			t.Errorf("line %d: kind %q with rules of %q; scenarios.Kinds has %q there", i, p.Kind, p.Rules.Kind, kinds[i].Kind)
		}
		if p.Summary == "" || p.New == nil {
			t.Errorf("kind %q: no summary or constructor", p.Kind)
		}
	}
}

// What the table says a driver does, the driver does: a kind marked Verify
// makes a workers.Verifier and no other does; every kind measures
// something (acks or deliveries).
func TestTableFlags(t *testing.T) {
	for _, p := range Table() {
		d, err := New(workers.Config{Target: scenarios.Target{Name: "t", Kind: p.Kind}})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.(workers.Verifier); ok != p.Verify {
			t.Errorf("kind %q: Verify %v, but its driver is a Verifier: %v", p.Kind, p.Verify, ok)
		}
		if !p.Acks && !p.Deliveries {
			t.Errorf("kind %q measures neither acks nor deliveries", p.Kind)
		}
	}
	if _, err := New(workers.Config{Target: scenarios.Target{Name: "t", Kind: "amqp"}}); err == nil {
		t.Error("an unknown kind made a driver")
	}
}

// What the table says about acks, the driver's step does, against a real
// server of each kind (the embedded nats-server, the fake Memphis broker
// and its gateway).
func TestTableAcksAsDriversDo(t *testing.T) {
	nats := natstest.Start(t)
	broker := memphistest.Start(t, memphistest.Options{})
	gateway := broker.StartGateway(t, memphistest.GatewayOptions{})
	fake, err := kafka.StartFake(scenarios.Target{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Shutdown)
	mq := natstest.StartMQTT(t)
	docs := map[scenarios.Kind]string{
		scenarios.KindNATS:      fmt.Sprintf("  - kind: nats\n    url: %s\n", nats.URL()),
		scenarios.KindJetStream: fmt.Sprintf("  - kind: jetstream\n    url: %s\n", nats.URL()),
		scenarios.KindMemphis: fmt.Sprintf("  - kind: memphis\n    host: 127.0.0.1\n    port: %d\n    password: %s\n",
			broker.Port(), memphistest.DefaultPassword),
		scenarios.KindMemphisHTTP: fmt.Sprintf("  - kind: memphis-http\n    url: %s\n    natsPort: %d\n    password: %s\n",
			gateway.URL(), broker.Port(), memphistest.DefaultPassword),
		scenarios.KindKafka: fmt.Sprintf("  - kind: kafka\n    url: %s\n", fake.URL()),
		scenarios.KindMQTT:  fmt.Sprintf("  - kind: mqtt\n    url: %s\n    natsUrl: %s\n", mq.URL(), mq.NATSURL()), // qos 1: acked
	}
	// A Kafka topic is always on disk: a kafka target refuses storage memory.
	storage := map[scenarios.Kind]string{scenarios.KindKafka: "file"}
	for _, p := range Table() {
		t.Run(string(p.Kind), func(t *testing.T) {
			doc, ok := docs[p.Kind]
			if !ok {
				t.Fatalf("no server for kind %q in this test", p.Kind)
			}
			sc, err := scenarios.Parse("k.yaml", []byte("name: k\nstation:\n  name: k\n  storage: "+cmp.Or(storage[p.Kind], "memory")+"\ntargets:\n"+doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			d, err := New(workers.Config{Target: sc.Targets[0], URL: sc.Targets[0].URL, Station: sc.Station, Batch: sc.Message.Batch})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			defer d.Close(ctx)
			step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if step.Acked() != p.Acks {
				t.Errorf("table says Acks %v, the step says %v", p.Acks, step.Acked())
			}
			if _, err := step.Finish(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// An mqtt target is acknowledged at qos 1 (above) and, at qos 0, measured
// by the harness's subscriber: the table marks it Deliveries as well.
func TestMQTTQoS0IsMeasuredByDeliveries(t *testing.T) {
	p, _ := Lookup(scenarios.KindMQTT)
	if !p.Deliveries {
		t.Fatal("the table does not say that mqtt (qos 0) is measured by deliveries")
	}
	mq := natstest.StartMQTT(t)
	doc := fmt.Sprintf("name: k\nstation: {name: k, storage: memory}\ntargets:\n  - {kind: mqtt, qos: 0, url: %q, natsUrl: %q}\n", mq.URL(), mq.NATSURL())
	sc, err := scenarios.Parse("k.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := New(workers.Config{Target: sc.Targets[0], URL: sc.Targets[0].URL, Station: sc.Station})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if step.Acked() {
		t.Error("a qos 0 step says its messages are acknowledged")
	}
	step.Start(workers.Window{To: time.Second})
	res, err := step.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deliveries == nil || len(res.DeliveriesByProducer) != 1 {
		t.Errorf("the qos 0 step returned no receiver's record: %+v", res)
	}
}
