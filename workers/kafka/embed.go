package kafka

import (
	"context"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stationbench/stationbench/internal/embedded"
	"github.com/stationbench/stationbench/scenarios"
)

// FakeBrokers is how many brokers the embedded fake cluster has: enough
// for station.replicas up to 3.
const FakeBrokers = 3

// Fake is kfake, franz-go's in-process fake of a Kafka cluster, listening
// on 127.0.0.1: what a kafka target whose url is "embedded" runs against.
// It implements embedded.Broker.
type Fake struct {
	c *kfake.Cluster
}

// Embed starts a fake cluster for t (its signature is that of
// protocols.Protocol.Embed). When t logs in (username, password and sasl),
// the fake knows that user. The fake keeps no record it is sent
// (kfake.BlackholeProduce): its offsets advance as a broker's do, so
// verification still counts every record, but a long run does not hold
// every message in memory.
func Embed(_ context.Context, t scenarios.Target) (embedded.Broker, error) {
	return StartFake(t, kfake.BlackholeProduce())
}

// StartFake starts a fake cluster for t, with t's user when it has one.
func StartFake(t scenarios.Target, opts ...kfake.Opt) (*Fake, error) {
	opts = append([]kfake.Opt{kfake.NumBrokers(FakeBrokers)}, opts...)
	if t.Username != "" {
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser(strings.ToUpper(t.SASL), t.Username, t.Password.Value()))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka (kfake): %w", err)
	}
	return &Fake{c: c}, nil
}

// URL is the kafka:// address of the fake's brokers.
func (f *Fake) URL() string { return scenarios.KafkaScheme + strings.Join(f.c.ListenAddrs(), ",") }

// Version names the fake.
func (f *Fake) Version() string { return "kfake" }

// Cluster is the fake itself (tests use it).
func (f *Fake) Cluster() *kfake.Cluster { return f.c }

// Shutdown stops the fake; it kept everything in memory.
func (f *Fake) Shutdown() { f.c.Close() }

// MethodNote says what a result measured against the fake means; the
// runner adds it to the result's method text.
func (f *Fake) MethodNote() string {
	return "ran against kfake, franz-go's in-process fake of a Kafka cluster (" + fmt.Sprint(FakeBrokers) +
		" brokers on 127.0.0.1, which count each record and keep none): its numbers measure the harness, franz-go and the fake, not Kafka."
}
