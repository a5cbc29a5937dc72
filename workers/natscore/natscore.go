// Package natscore is the driver of kind nats: core NATS publish, with no
// acknowledgement; the harness's own subscriber times each delivery.
package natscore

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/workers"
)

// coreNATSDriver publishes core NATS messages. There is no acknowledgement;
// with the station's subscriber on, the harness subscribes to the station's
// subjects on a connection of its own and times each delivery.
type coreNATSDriver struct {
	cfg workers.Config
	nc  *nats.Conn
}

// New makes the driver of kind nats (see package protocols).
func New(c workers.Config) workers.Driver { return newCoreNATS(c) }

func newCoreNATS(c workers.Config) *coreNATSDriver { return &coreNATSDriver{cfg: c} }

func (d *coreNATSDriver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	nc, err := workers.Connect(ctx, d.cfg, "stationbench-control")
	if err != nil {
		return workers.ServerInfo{}, err
	}
	d.nc = nc
	return workers.ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName(), MaxPayload: nc.MaxPayload()}, nil
}

func (d *coreNATSDriver) BeginStep(ctx context.Context, spec workers.StepSpec) (workers.Step, error) {
	if !d.cfg.Station.SubscribeEnabled() {
		return workers.NewConnSet(ctx, d.cfg, false, nil)
	}
	recv, err := startReceiver(ctx, d.cfg, spec)
	if err != nil {
		return nil, err
	}
	s, err := workers.NewConnSet(ctx, d.cfg, false, recv)
	if err != nil {
		recv.Finish()
		return nil, err
	}
	return s, nil
}

func (d *coreNATSDriver) Close(context.Context) error {
	if d.nc != nil {
		d.nc.Close()
	}
	return nil
}

// deliveryReceiver subscribes to a station on a connection of its own
// and files every delivery in a DeliveryRecorder, by its subject.
type deliveryReceiver struct {
	nc    *nats.Conn
	sub   *nats.Subscription
	drain time.Duration
	*workers.DeliveryRecorder
}

func startReceiver(ctx context.Context, c workers.Config, spec workers.StepSpec) (*deliveryReceiver, error) {
	nc, err := workers.Connect(ctx, c, "stationbench-subscriber")
	if err != nil {
		return nil, err
	}
	r := &deliveryReceiver{nc: nc, drain: spec.Drain, DeliveryRecorder: workers.NewDeliveryRecorder(spec)}
	sub, err := nc.Subscribe(workers.StationSubjects(c.Station), r.onMsg)
	if err == nil {
		// Bounded, but far above what one second of traffic needs: a receiver
		// that falls this far behind is reported as loss.
		err = sub.SetPendingLimits(4<<20, 1<<30)
	}
	if err == nil {
		err = nc.FlushTimeout(c.Target.Timeout()) // the subscription is live before anyone publishes
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("target %q: subscribe to station: %w", c.Target.Name, err)
	}
	r.sub = sub
	return r, nil
}

func (r *deliveryReceiver) onMsg(m *nats.Msg) { r.Record(m.Subject, m.Data) }

// Finish waits (up to the drain time) for deliveries still queued, then
// stops the receiver and returns what it recorded: per producer (index
// N-1), and deliveries it could not attribute.
func (r *deliveryReceiver) Finish() (byProducer []*workers.AckStats, other *workers.AckStats) {
	// After the round trip the server has sent us every message it had for
	// us; wait until they are all handled.
	_ = r.nc.FlushTimeout(r.drain)
	deadline := time.Now().Add(r.drain)
	for time.Now().Before(deadline) {
		if n, _, err := r.sub.Pending(); err != nil || n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	byProducer, other = r.DeliveryRecorder.Finish()
	_ = r.sub.Unsubscribe()
	r.nc.Close()
	return byProducer, other
}
