package kafka

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// maxBuffered bounds the records one client holds. The worker's in-flight
// ring bounds what a producer sends; this only stops a client from growing
// without bound when acknowledgements stop coming (TryProduce then fails
// the record at once).
const maxBuffered = scenarios.MaxMaxPending

// metadataMinAge lets a client look a topic up again soon after the run
// created it, rather than after franz-go's default 5 s.
const metadataMinAge = 250 * time.Millisecond

// baseOptions are what every client of a target shares: its seeds, its
// login and TLS, and its timeouts.
func baseOptions(c workers.Config) ([]kgo.Opt, error) {
	t := c.Target
	seeds, tlsURL := scenarios.KafkaBrokers(c.URL)
	opts := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(t.Timeout()),
		kgo.RetryBackoffFn(backoff(t.ReconnectInterval())),
		kgo.MetadataMinAge(metadataMinAge),
	}
	mech, err := mechanism(t)
	if err != nil {
		return nil, err
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	if tlsURL || t.CAFile != "" || t.CertFile != "" {
		tc, err := workers.TLSConfig(t)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	return opts, nil
}

// producerOptions are a producing client's own: its client id, the
// acknowledgement level, linger and batch size. Records are not compressed,
// so that Kafka carries the same bytes as the other kinds.
func producerOptions(c workers.Config, clientID string) []kgo.Opt {
	t := c.Target
	opts := []kgo.Opt{
		kgo.ClientID(clientID),
		kgo.RequiredAcks(requiredAcks(t.Ack)),
		kgo.ProducerLinger(t.Linger.D()),
		kgo.ProducerBatchMaxBytes(int32(t.BatchBytes)),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.MaxBufferedRecords(maxBuffered),
		// A record not written within the target's timeout fails, as an
		// acknowledgement that does not come in time does.
		kgo.RecordDeliveryTimeout(t.Timeout()),
	}
	if t.Ack != scenarios.KafkaAckAll {
		// Idempotent writes need acks from every in-sync replica.
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	return opts
}

// requiredAcks maps targets[].ack onto franz-go's levels.
func requiredAcks(ack string) kgo.Acks {
	switch ack {
	case scenarios.KafkaAckNone:
		return kgo.NoAck()
	case scenarios.KafkaAckLeader:
		return kgo.LeaderAck()
	}
	return kgo.AllISRAcks()
}

// backoff waits between retries: growing from 50 ms, and never longer
// than the target's reconnectIntervalMs.
func backoff(limit time.Duration) func(int) time.Duration {
	return func(tries int) time.Duration {
		d := 50 * time.Millisecond << min(max(tries-1, 0), 10)
		return min(d, max(limit, time.Millisecond))
	}
}

// mechanism is the SASL mechanism of the target's username and password;
// nil without a username.
func mechanism(t scenarios.Target) (sasl.Mechanism, error) {
	if t.Username == "" {
		return nil, nil
	}
	user, pass := t.Username, t.Password.Value()
	switch t.SASL {
	case scenarios.SASLPlain:
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case scenarios.SASLScramSHA256:
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case scenarios.SASLScramSHA512:
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("target %q: sasl %q is not a mechanism stationbench speaks", t.Name, t.SASL)
}
