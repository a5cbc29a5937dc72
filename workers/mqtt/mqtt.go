// Package mqtt is the driver of kind mqtt: MQTT 3.1.1 publish with
// eclipse/paho.mqtt.golang, one client per producer whose client id is the
// producer's name, to the topic <station>/<producer>.
//
// At QoS 1 each message is timed from its intended send time to its
// PUBACK, and the station is the JetStream stream that captures the
// topics (nats-server maps the MQTT topic a/b to the subject a.b): the
// jetstream driver makes, purges, verifies and deletes it over NATS, at
// the target's natsUrl, by the same rules as for a jetstream target. At
// QoS 0 there is no acknowledgement: the harness subscribes to the
// station's subjects over NATS and times each delivery, as for the nats
// kind, so the two are measured alike and differ only in the producers'
// protocol.
package mqtt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/workers"
	"github.com/stationbench/stationbench/workers/jetstream"
)

// driver speaks MQTT to one target, and NATS to the same server for its
// station.
type driver struct {
	cfg workers.Config
	qos byte
	// natsCfg is cfg with the target's NATS address; its URL is empty when
	// the target has none (then the station is neither made nor read).
	natsCfg workers.Config
	// station is the jetstream driver that keeps the station's stream
	// (QoS 1 with a NATS address); nil otherwise.
	station workers.Driver
	// nc is a control connection for a QoS 0 target with a NATS address.
	nc *nats.Conn
}

// New makes the driver of kind mqtt (see package protocols).
func New(c workers.Config) workers.Driver {
	d := &driver{cfg: c, qos: byte(c.Target.QoSLevel())}
	d.natsCfg = c
	d.natsCfg.URL = c.Target.NATSURL
	d.natsCfg.SharedConnection = false // the stream's driver opens no producer connection
	if d.qos == 1 && d.natsCfg.URL != "" {
		d.station = jetstream.New(d.natsCfg)
	}
	return d
}

// Connect reaches the server over NATS (when the target names its NATS
// address) and over MQTT, with a client of its own that disconnects at
// once.
func (d *driver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	var info workers.ServerInfo
	switch {
	case d.station != nil:
		i, err := d.station.Connect(ctx)
		if err != nil {
			return info, fmt.Errorf("natsUrl: %w", err)
		}
		info = i
	case d.natsCfg.URL != "":
		nc, err := workers.Connect(ctx, d.natsCfg, "stationbench-control")
		if err != nil {
			return info, fmt.Errorf("natsUrl: %w", err)
		}
		d.nc = nc
		info = workers.ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName(), MaxPayload: nc.MaxPayload()}
	}
	probe := d.cfg
	clean := true
	probe.Target.CleanSession = &clean // leaves no session behind
	c, err := connectClient(ctx, probe, "stationbench-probe", nil)
	if err != nil {
		d.closeNATS(ctx)
		return workers.ServerInfo{}, err
	}
	c.client.Disconnect(0)
	return info, nil
}

// BeginStep readies the station: at QoS 1 its stream (made when missing,
// purged as the scenario says); at QoS 0 the harness's subscriber, when on.
func (d *driver) BeginStep(ctx context.Context, spec workers.StepSpec) (workers.Step, error) {
	s := &step{d: d, spec: spec}
	if d.cfg.SharedConnection { // allowed beside targets that share; refused when every target is mqtt
		s.notes = append(s.notes, "producers.connections: shared does not apply to an mqtt target: each producer is one MQTT client with its own connection")
	}
	if d.natsCfg.URL == "" {
		if d.qos == 1 {
			s.notes = append(s.notes, "the target has no natsUrl: its station's stream is neither made nor checked; latency is to each PUBACK")
		}
		return s, nil
	}
	if d.station != nil {
		js, err := d.station.BeginStep(ctx, spec)
		if err != nil {
			return nil, err
		}
		res, err := js.Finish(ctx) // no producer was opened there: only its notes
		if err != nil {
			return nil, err
		}
		s.notes = append(s.notes, res.Notes...)
		if d.cfg.Station.VerifyEnabled() {
			before, err := d.StationState(ctx)
			if err != nil {
				return nil, err
			}
			s.before = before
		}
		return s, nil
	}
	if d.cfg.Station.SubscribeEnabled() {
		r, err := startReceiver(ctx, d.natsCfg, spec)
		if err != nil {
			return nil, err
		}
		s.recv = r
	}
	return s, nil
}

// StationState reads the station's stream (QoS 1), through the jetstream
// driver's own verification.
func (d *driver) StationState(ctx context.Context) (workers.StationState, error) {
	v, ok := d.station.(workers.Verifier)
	if !ok {
		return nil, fmt.Errorf("target %q: verification needs the station's stream: a qos 1 target with a natsUrl", d.cfg.Target.Name)
	}
	return v.StationState(ctx)
}

// Close deletes the station's stream when the run made it and the scenario
// says so (the jetstream driver's rules), and closes the NATS connection.
func (d *driver) Close(ctx context.Context) error {
	var err error
	if d.station != nil {
		err = d.station.Close(ctx)
	}
	d.closeNATS(ctx)
	return err
}

func (d *driver) closeNATS(context.Context) {
	if d.nc != nil {
		d.nc.Close()
		d.nc = nil
	}
}

// step is one step's session: its producers and, at QoS 0, its receiver.
type step struct {
	d     *driver
	spec  workers.StepSpec
	recv  *receiver // QoS 0 with the subscriber on
	notes []string
	// before is the stream's state when the step began (QoS 1, verified).
	before workers.StationState
	// producers are the step's, for their acknowledgement counts.
	producers []*producer
}

func (s *step) Acked() bool { return s.d.qos == 1 }

func (s *step) NewProducer(ctx context.Context, p workers.ProducerSpec, acks workers.Acker) (workers.Producer, error) {
	topic := s.d.cfg.Station.Name + "/" + p.Name
	if s.recv != nil {
		s.recv.Producer(s.d.cfg.Station.Name+"."+p.Name, p.Index) // the subject nats-server maps the topic to
	}
	pr, err := newProducer(ctx, s.d.cfg, p, topic, s.d.qos, acks)
	if err != nil {
		return nil, err
	}
	s.producers = append(s.producers, pr)
	return pr, nil
}

func (s *step) Start(w workers.Window) {
	if s.recv != nil {
		s.recv.Start(w)
	}
}

// Finish waits, up to the drain time: at QoS 0, until the receiver has
// seen what the producers wrote (receiver.Finish); at QoS 1, until the
// stream holds as many messages as were acknowledged (nats-server sends a
// PUBACK once the message is in its own MQTT stream, and stores it in the
// station's stream on another path), so that verification reads the
// station after the last store.
func (s *step) Finish(ctx context.Context) (workers.StepResult, error) {
	res := workers.StepResult{Notes: s.notes}
	var acked, written int64
	for _, p := range s.producers {
		acked, written = acked+p.acked.Load(), written+p.written.Load()
	}
	if s.recv != nil {
		res.DeliveriesByProducer, res.Deliveries = s.recv.Finish(written)
		return res, nil
	}
	if s.before == nil {
		return res, nil
	}
	return res, s.awaitStored(ctx, acked)
}

// awaitStored polls the stream until it gained acked messages since the
// step began, or the drain time ran out (verification then reports what
// is missing).
func (s *step) awaitStored(ctx context.Context, acked int64) error {
	ctx, cancel := context.WithTimeout(ctx, s.spec.Drain)
	defer cancel()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		st, err := s.d.StationState(ctx)
		if err == nil && st.Gained(s.before) >= acked {
			return nil
		}
		if errors.Is(err, workers.ErrStationGone) {
			return nil // verification says so
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// errText names a target and its MQTT address in an error.
func errText(c workers.Config) string {
	return fmt.Sprintf("target %q (%s)", c.Target.Name, redact.URL(c.URL))
}
