package memphis

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// StationState reads the stream of every partition of the station (the
// station's own stream on brokers without partitions).
func (d *memphisDriver) StationState(ctx context.Context) (workers.StationState, error) {
	if d.js == nil {
		return nil, fmt.Errorf("target %q: not connected", d.cfg.Target.Name)
	}
	names, err := memphisStreams(ctx, d.js, d.internal, d.parts)
	if err == nil && len(names) == 0 {
		err = errors.New("the station has no streams")
	}
	if err == nil {
		var st workers.StationState
		if st, err = workers.StreamStates(ctx, d.js, names); err == nil {
			return st, nil
		}
	}
	return nil, fmt.Errorf("target %q: station %q: %w", d.cfg.Target.Name, d.cfg.Station.Name, err)
}

// StationState reads the station behind the gateway over a NATS connection
// to the same broker (see brokerConn). A station that does not exist yet
// (the gateway's first request creates it) holds nothing. When the broker
// cannot be reached, verification is impossible and the error says why.
func (d *memphisHTTPDriver) StationState(ctx context.Context) (workers.StationState, error) {
	js, err := d.brokerConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("target %q: verification impossible: %w", d.cfg.Target.Name, err)
	}
	names, err := memphisStreams(ctx, js, d.internal, 0)
	if err == nil {
		var st workers.StationState
		if st, err = workers.StreamStates(ctx, js, names); err == nil {
			return st, nil
		}
	}
	return nil, fmt.Errorf("target %q: station %q: %w", d.cfg.Target.Name, d.cfg.Station.Name, err)
}

// memphisStreams names a station's partition streams: parts of them when
// the number is known, else those found by looking; on a broker without
// partitions, the station's own stream. None when the station does not
// exist.
func memphisStreams(ctx context.Context, js jetstream.JetStream, internal string, parts int) ([]string, error) {
	var names []string
	if parts > 0 {
		for n := 1; n <= parts; n++ {
			names = append(names, Stream(internal, n))
		}
		return names, nil
	}
	for n := 1; n <= scenarios.MaxPartitions; n++ {
		name := Stream(internal, n)
		_, err := js.Stream(ctx, name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("partition stream %q: %w", name, err)
		}
		names = append(names, name)
	}
	if len(names) > 0 {
		return names, nil
	}
	switch _, err := js.Stream(ctx, internal); {
	case err == nil:
		return []string{internal}, nil // a station without partitions
	case errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, nil
	default:
		return nil, fmt.Errorf("stream %q: %w", internal, err)
	}
}
