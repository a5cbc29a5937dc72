package jetstream

import (
	"context"
	"fmt"

	"github.com/stationbench/stationbench/workers"
)

// StationState reads the station's stream.
func (d *jetStreamDriver) StationState(ctx context.Context) (workers.StationState, error) {
	if d.js == nil {
		return nil, fmt.Errorf("target %q: not connected", d.cfg.Target.Name)
	}
	name := d.stream
	if name == "" {
		name = d.cfg.Station.Name
	}
	st, err := workers.StreamStates(ctx, d.js, []string{name})
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", d.cfg.Target.Name, err)
	}
	return st, nil
}
