// Package jetstream is the driver of kind jetstream: JetStream publish to
// a stream, timed to each PubAck, with the stream's own count for
// verification. (nats.go's package of the same name is imported as natsjs.)
package jetstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// jetStreamDriver publishes to a JetStream stream and times each PubAck.
type jetStreamDriver struct {
	cfg     workers.Config
	nc      *nats.Conn // control connection: stream management
	js      natsjs.JetStream
	created bool   // the run created the stream (or took over a leftover of an earlier run)
	stream  string // the stream the station maps to
	// origin says, once the stream was first looked at, whose it is.
	origin streamOrigin
	// leftoverOf is the run id of the earlier run that left the stream.
	leftoverOf string
}

// streamOrigin is whose a station's stream is.
type streamOrigin int

const (
	originUnknown  streamOrigin = iota
	originCreated               // created by this run
	originLeftover              // left by an earlier stationbench run
	originForeign               // the user's: existed, not stationbench's
)

// Stream metadata keys that mark a stream stationbench created.
const (
	MetaCreatedBy = "created_by"
	MetaRunID     = "stationbench_run_id"
)

// StreamMetadata marks a stream as created by stationbench in run runID.
func StreamMetadata(runID string) map[string]string {
	return map[string]string{MetaCreatedBy: "stationbench", MetaRunID: runID}
}

// New makes the driver of kind jetstream (see package protocols).
func New(c workers.Config) workers.Driver { return newJetStream(c) }

func newJetStream(c workers.Config) *jetStreamDriver { return &jetStreamDriver{cfg: c} }

func (d *jetStreamDriver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	nc, err := workers.Connect(ctx, d.cfg, "stationbench-control")
	if err != nil {
		return workers.ServerInfo{}, err
	}
	js, err := workers.JetStreamOn(nc, d.cfg.Target)
	if err != nil {
		return workers.ServerInfo{}, err
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		return workers.ServerInfo{}, fmt.Errorf("target %q: JetStream is not available: %w", d.cfg.Target.Name, err)
	}
	d.nc, d.js = nc, js
	return workers.ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName(), MaxPayload: nc.MaxPayload()}, nil
}

// StreamConfig is the stream a station maps to.
func StreamConfig(st scenarios.Station) natsjs.StreamConfig {
	storage := natsjs.FileStorage
	if st.Storage == "memory" {
		storage = natsjs.MemoryStorage
	}
	return natsjs.StreamConfig{
		Name:      st.Name,
		Subjects:  []string{workers.StationSubjects(st)},
		Storage:   storage,
		Replicas:  st.Replicas,
		Retention: natsjs.LimitsPolicy,
		Discard:   natsjs.DiscardOld,
	}
}

func (d *jetStreamDriver) BeginStep(ctx context.Context, spec workers.StepSpec) (workers.Step, error) {
	st := d.cfg.Station
	if st.Subject != "" {
		// An existing stream, found by the subject, used as it is.
		name, err := d.js.StreamNameBySubject(ctx, st.Subject)
		if err != nil {
			return nil, fmt.Errorf("target %q: no stream captures station.subject %q: %w", d.cfg.Target.Name, st.Subject, err)
		}
		d.stream = name
		s, err := workers.NewConnSet(ctx, d.cfg, true, nil)
		if err == nil {
			s.Notes = []string{fmt.Sprintf("stream %q captures station.subject %q: written into as it is, never purged or deleted", name, st.Subject)}
		}
		return s, err
	}
	d.stream = st.Name
	if d.cfg.LeaveStation { // segment 0 of a distributed run readies the stream
		return workers.NewConnSet(ctx, d.cfg, true, nil)
	}
	stream, err := d.js.Stream(ctx, st.Name)
	switch {
	case errors.Is(err, natsjs.ErrStreamNotFound):
		cfg := StreamConfig(st)
		cfg.Metadata = StreamMetadata(d.cfg.RunID)
		if _, err := d.js.CreateStream(ctx, cfg); err != nil {
			return nil, fmt.Errorf("target %q: create stream %q: %w", d.cfg.Target.Name, st.Name, err)
		}
		d.created, d.origin = true, originCreated
		return workers.NewConnSet(ctx, d.cfg, true, nil)
	case err != nil:
		return nil, fmt.Errorf("target %q: stream %q: %w", d.cfg.Target.Name, st.Name, err)
	}
	if d.origin == originUnknown {
		d.classify(stream)
	}
	purge := st.PurgeBeforeStep(d.origin == originForeign)
	if purge {
		if err := stream.Purge(ctx); err != nil {
			return nil, fmt.Errorf("target %q: purge stream %q: %w", d.cfg.Target.Name, st.Name, err)
		}
	}
	s, err := workers.NewConnSet(ctx, d.cfg, true, nil)
	if err == nil {
		s.Notes = d.originNotes(purge)
	}
	return s, err
}

// classify says whose an existing stream is, by its metadata: one that
// names stationbench and another run id is a leftover of that run, taken
// over as this run's own; any other existed before and is the user's.
func (d *jetStreamDriver) classify(stream natsjs.Stream) {
	md := stream.CachedInfo().Config.Metadata
	switch {
	case md[MetaCreatedBy] == "stationbench" && md[MetaRunID] == d.cfg.RunID && d.cfg.RunID != "":
		d.origin, d.created = originCreated, true
	case md[MetaCreatedBy] == "stationbench":
		d.origin, d.created, d.leftoverOf = originLeftover, true, md[MetaRunID]
	default:
		d.origin = originForeign
	}
}

// originNotes says, for a step's result, whose the stream is and what was
// done to it.
func (d *jetStreamDriver) originNotes(purged bool) []string {
	name := d.cfg.Station.Name
	switch d.origin {
	case originLeftover:
		what := "reused as it is"
		if purged {
			what = "reused, and purged before the step"
		}
		return []string{fmt.Sprintf("stream %q is a leftover of an earlier stationbench run (run id %q): %s", name, d.leftoverOf, what)}
	case originForeign:
		if purged {
			return []string{fmt.Sprintf("stream %q existed before the run and is not stationbench's: purged before the step, as station.purgeExisting says; never deleted", name)}
		}
		return []string{fmt.Sprintf("stream %q existed before the run and is not stationbench's: written into as it is, not purged (station.purgeExisting: true would) and never deleted", name)}
	}
	return nil
}

func (d *jetStreamDriver) Close(ctx context.Context) error {
	if d.nc == nil {
		return nil
	}
	defer d.nc.Close()
	st := d.cfg.Station
	if !d.created || st.Cleanup != "delete" {
		return nil
	}
	left := func(err error) error {
		return fmt.Errorf("target %q: stream %q (created by this run) was left on the server: delete stream: %w", d.cfg.Target.Name, st.Name, err)
	}
	if !d.nc.IsConnected() { // do not wait for a broker that is gone
		return left(fmt.Errorf("the connection is %s", d.nc.Status()))
	}
	if err := d.js.DeleteStream(ctx, st.Name); err != nil && !errors.Is(err, natsjs.ErrStreamNotFound) {
		return left(err)
	}
	return nil
}
