// Package kafka is the driver of kind kafka: franz-go (kgo) producers
// writing to a Kafka topic, each message timed from its intended send time
// to its record's produce callback, and the topic's end offsets read
// before and after each step for verification (kadm).
//
// The station is the topic station.name. The run creates it when it is
// missing, with station.partitions and station.replicas, and deletes it at
// the end when station.cleanup says delete; a topic that existed before
// the run is written into as it is and never deleted (Kafka topics carry
// no metadata that would mark one as stationbench's).
package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// driver produces to one Kafka target.
type driver struct {
	cfg workers.Config
	cl  *kgo.Client // control client: topic management and offsets
	adm *kadm.Client
	// origin says, once the topic was first looked at, whose it is.
	origin origin
	// partitions is how many the topic had when first looked at.
	partitions int
}

// origin is whose the station's topic is.
type origin int

const (
	originUnknown origin = iota
	originCreated        // created by this run: purged by reset, deleted by cleanup
	originForeign        // existed before the run: never deleted
)

// New makes the driver of kind kafka (see package protocols).
func New(c workers.Config) workers.Driver { return &driver{cfg: c} }

// Connect opens the control client and reads the cluster's metadata.
func (d *driver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	opts, err := baseOptions(d.cfg)
	if err != nil {
		return workers.ServerInfo{}, err
	}
	cl, err := kgo.NewClient(append(opts, kgo.ClientID("stationbench-control"))...)
	if err != nil {
		return workers.ServerInfo{}, d.errorf("client: %w", err)
	}
	adm := kadm.NewClient(cl)
	md, err := adm.BrokerMetadata(ctx)
	if err != nil {
		cl.Close()
		return workers.ServerInfo{}, d.errorf("connect: %w", d.loginError(err))
	}
	d.cl, d.adm = cl, adm
	info := workers.ServerInfo{Name: md.Cluster}
	if d.cfg.Target.IsEmbedded() {
		info.Version = "kfake" // its API versions are franz-go's, not a Kafka release's
	} else if vs, err := adm.ApiVersions(ctx); err == nil {
		for _, v := range vs.Sorted() {
			if v.Err == nil {
				info.Version = "Kafka " + v.VersionGuess()
				break
			}
		}
	}
	return info, nil
}

// loginError says, of a target that logs in, which login failed: a broker
// answers a wrong password with an error, or closes the connection.
func (d *driver) loginError(err error) error {
	t := d.cfg.Target
	var ke *kerr.Error
	switch {
	case t.Username == "":
		return err
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("SASL %s login as user %q: the broker closed the connection (check username and password): %w",
			strings.ToUpper(t.SASL), t.Username, err)
	case errors.As(err, &ke) && strings.Contains(ke.Message, "SASL"):
		return fmt.Errorf("SASL %s login as user %q: %w", strings.ToUpper(t.SASL), t.Username, err)
	}
	return err
}

// errorf wraps an error with the target's name and its address (without
// user info).
func (d *driver) errorf(format string, args ...any) error {
	return fmt.Errorf("target %q (%s): %w", d.cfg.Target.Name, redact.URL(d.cfg.URL), fmt.Errorf(format, args...))
}

// BeginStep readies the topic (created when missing; emptied when the
// scenario resets a topic the run may purge) and opens the step's shared
// client when producers share one.
func (d *driver) BeginStep(ctx context.Context, spec workers.StepSpec) (workers.Step, error) {
	if d.adm == nil {
		return nil, d.errorf("not connected")
	}
	st := d.cfg.Station
	topic := st.Name
	if d.origin == originUnknown {
		if err := d.ensureTopic(ctx, topic); err != nil {
			return nil, err
		}
	}
	purged := false
	if st.PurgeBeforeStep(d.origin == originForeign) {
		if err := d.purge(ctx, topic); err != nil {
			return nil, err
		}
		purged = true
	}
	s := &step{d: d, topic: topic, notes: d.notes(purged), drain: spec.Drain}
	if d.cfg.SharedConnection {
		hooks := newConnHooks(d.cfg, sharedClientID, nil)
		cl, err := d.producerClient(sharedClientID, hooks)
		if err != nil {
			return nil, err
		}
		s.shared, s.hooks = cl, hooks
		s.notes = append(s.notes, fmt.Sprintf("producers.connections shared: one Kafka client (client id %q) carries every producer", sharedClientID))
	}
	return s, nil
}

// sharedClientID names the one client of a step whose producers share it.
const sharedClientID = "stationbench-shared"

// ensureTopic finds the station's topic or creates it, and waits until
// every partition has a leader.
func (d *driver) ensureTopic(ctx context.Context, topic string) error {
	st := d.cfg.Station
	details, err := d.adm.ListTopics(ctx, topic)
	if err != nil {
		return d.errorf("topic %q: %w", topic, err)
	}
	td, ok := details[topic]
	switch {
	case ok && td.Err == nil:
		d.origin, d.partitions = originForeign, len(td.Partitions)
	case ok && !errors.Is(td.Err, kerr.UnknownTopicOrPartition):
		return d.errorf("topic %q: %w", topic, td.Err)
	default:
		_, err := d.adm.CreateTopic(ctx, int32(st.Partitions), int16(st.Replicas), nil, topic)
		switch {
		case errors.Is(err, kerr.TopicAlreadyExists): // made by someone else meanwhile: theirs
			d.origin = originForeign
		case err != nil:
			return d.errorf("create topic %q (%d partitions, %d replicas): %w", topic, st.Partitions, st.Replicas, err)
		default:
			d.origin, d.partitions = originCreated, st.Partitions
		}
	}
	return d.awaitTopic(ctx, topic)
}

// awaitTopic waits until the topic's end offsets can be read, which needs
// a leader for every partition: a topic just created has none for a moment.
func (d *driver) awaitTopic(ctx context.Context, topic string) error {
	var last error
	for {
		offs, err := d.adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = offs.Error()
		}
		if err == nil {
			if n := len(offs[topic]); n > 0 {
				d.partitions = n
				return nil
			}
			err = errors.New("no partitions listed")
		}
		last = err
		if ctx.Err() != nil {
			return d.errorf("topic %q is not ready: %w", topic, last)
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

// purge deletes every record of the topic (Kafka's DeleteRecords up to
// each partition's end offset); its offsets keep counting.
func (d *driver) purge(ctx context.Context, topic string) error {
	ends, err := d.adm.ListEndOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return d.errorf("purge topic %q: end offsets: %w", topic, err)
	}
	rs, err := d.adm.DeleteRecords(ctx, ends.Offsets())
	if err == nil {
		err = rs.Error()
	}
	if err != nil {
		return d.errorf("purge topic %q: delete records: %w", topic, err)
	}
	return nil
}

// notes say, for a step's result, whose the topic is and what was done to
// it, and what an acknowledgement means at the target's ack level.
func (d *driver) notes(purged bool) []string {
	st, t := d.cfg.Station, d.cfg.Target
	var out []string
	if d.origin == originForeign {
		what := "written into as it is, not purged (station.purgeExisting: true would) and never deleted"
		if purged {
			what = "purged before the step, as station.purgeExisting says; never deleted"
		}
		parts := ""
		if d.partitions != st.Partitions {
			parts = fmt.Sprintf(" (it has %d partitions; station.partitions applies only to a topic the run creates)", d.partitions)
		}
		out = append(out, fmt.Sprintf("topic %q existed before the run: %s%s", st.Name, what, parts))
	}
	if t.Ack == scenarios.KafkaAckNone {
		out = append(out, "ack none: the broker acknowledges nothing; a message counts as acknowledged once the client has written "+
			"it to the broker, latency is the time to that write, and verification counts what the topic gained")
	}
	return out
}

// producerClient opens a producing client with the target's settings;
// faults records its connections' events.
func (d *driver) producerClient(clientID string, faults *connHooks) (*kgo.Client, error) {
	opts, err := baseOptions(d.cfg)
	if err != nil {
		return nil, err
	}
	opts = append(opts, producerOptions(d.cfg, clientID)...)
	opts = append(opts, kgo.WithHooks(faults))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, d.errorf("client %s: %w", clientID, err)
	}
	return cl, nil
}

// Close deletes the topic when the run created it and the scenario's
// cleanup says delete, and closes the control client.
func (d *driver) Close(ctx context.Context) error {
	if d.cl == nil {
		return nil
	}
	defer d.cl.Close()
	st := d.cfg.Station
	if d.origin != originCreated || st.Cleanup != "delete" {
		return nil
	}
	if _, err := d.adm.DeleteTopic(ctx, st.Name); err != nil && !errors.Is(err, kerr.UnknownTopicOrPartition) {
		return d.errorf("topic %q (created by this run) was left on the broker: delete topic: %w", st.Name, err)
	}
	return nil
}

// StationState reads the end offset of every partition of the topic: a
// partition's end offset is its last sequence (it grows by one per record
// stored, and purges leave it), and end minus start what it holds.
func (d *driver) StationState(ctx context.Context) (workers.StationState, error) {
	if d.adm == nil {
		return nil, d.errorf("not connected")
	}
	topic := d.cfg.Station.Name
	ends, err := d.adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, d.errorf("topic %q: end offsets: %w", topic, err)
	}
	starts, err := d.adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return nil, d.errorf("topic %q: start offsets: %w", topic, err)
	}
	out := workers.StationState{}
	var errs []error
	ends.Each(func(o kadm.ListedOffset) {
		if errors.Is(o.Err, kerr.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("topic %q: %w: %w", topic, workers.ErrStationGone, o.Err))
			return
		}
		if o.Err != nil {
			errs = append(errs, fmt.Errorf("topic %q partition %d: %w", topic, o.Partition, o.Err))
			return
		}
		held := o.Offset
		if s, ok := starts.Lookup(o.Topic, o.Partition); ok && s.Err == nil {
			held -= s.Offset
		}
		out[partitionName(topic, o.Partition)] = workers.StreamState{Msgs: uint64(max(held, 0)), LastSeq: uint64(max(o.Offset, 0))}
	})
	if len(errs) > 0 {
		return nil, d.errorf("%w", errors.Join(errs...))
	}
	if len(out) == 0 {
		return nil, d.errorf("topic %q: %w: no partitions listed", topic, workers.ErrStationGone)
	}
	return out, nil
}

// partitionName names one partition of the topic in a station's state.
func partitionName(topic string, p int32) string { return fmt.Sprintf("%s[%d]", topic, p) }
