package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/scenarios"
)

// jetStreamDriver publishes to a JetStream stream and times each PubAck.
type jetStreamDriver struct {
	cfg     Config
	nc      *nats.Conn // control connection: stream management
	js      jetstream.JetStream
	created bool   // the run created the stream
	stream  string // the stream the station maps to
}

func newJetStream(c Config) *jetStreamDriver { return &jetStreamDriver{cfg: c} }

// jetStreamOn is the JetStream API on a control connection; it closes nc
// when that fails.
func jetStreamOn(nc *nats.Conn, t scenarios.Target) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("target %q: %w", t.Name, err)
	}
	return js, nil
}

func (d *jetStreamDriver) Connect(ctx context.Context) (ServerInfo, error) {
	nc, err := connect(ctx, d.cfg, "stationbench-control")
	if err != nil {
		return ServerInfo{}, err
	}
	js, err := jetStreamOn(nc, d.cfg.Target)
	if err != nil {
		return ServerInfo{}, err
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		return ServerInfo{}, fmt.Errorf("target %q: JetStream is not available: %w", d.cfg.Target.Name, err)
	}
	d.nc, d.js = nc, js
	return ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName()}, nil
}

// StreamConfig is the stream a station maps to.
func StreamConfig(st scenarios.Station) jetstream.StreamConfig {
	storage := jetstream.FileStorage
	if st.Storage == "memory" {
		storage = jetstream.MemoryStorage
	}
	return jetstream.StreamConfig{
		Name:      st.Name,
		Subjects:  []string{stationSubjects(st)},
		Storage:   storage,
		Replicas:  st.Replicas,
		Retention: jetstream.LimitsPolicy,
		Discard:   jetstream.DiscardOld,
	}
}

func (d *jetStreamDriver) BeginStep(ctx context.Context, spec StepSpec) (Step, error) {
	st := d.cfg.Scenario.Station
	if st.Subject != "" {
		// An existing stream, found by the subject, used as it is.
		name, err := d.js.StreamNameBySubject(ctx, st.Subject)
		if err != nil {
			return nil, fmt.Errorf("target %q: no stream captures station.subject %q: %w", d.cfg.Target.Name, st.Subject, err)
		}
		d.stream = name
		return newConnSet(ctx, d.cfg, true, nil)
	}
	d.stream = st.Name
	stream, err := d.js.Stream(ctx, st.Name)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		if _, err := d.js.CreateStream(ctx, StreamConfig(st)); err != nil {
			return nil, fmt.Errorf("target %q: create stream %q: %w", d.cfg.Target.Name, st.Name, err)
		}
		d.created = true
	case err != nil:
		return nil, fmt.Errorf("target %q: stream %q: %w", d.cfg.Target.Name, st.Name, err)
	case st.ResetEnabled():
		if err := stream.Purge(ctx); err != nil {
			return nil, fmt.Errorf("target %q: purge stream %q: %w", d.cfg.Target.Name, st.Name, err)
		}
	}
	return newConnSet(ctx, d.cfg, true, nil)
}

func (d *jetStreamDriver) Close(ctx context.Context) error {
	if d.nc == nil {
		return nil
	}
	defer d.nc.Close()
	st := d.cfg.Scenario.Station
	if d.created && st.Cleanup == "delete" {
		if err := d.js.DeleteStream(ctx, st.Name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("target %q: delete stream %q: %w", d.cfg.Target.Name, st.Name, err)
		}
	}
	return nil
}
