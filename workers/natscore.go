package workers

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// coreNATSDriver publishes core NATS messages. There is no acknowledgement;
// with the station's subscriber on, the harness subscribes to the station's
// subjects on a connection of its own and times each delivery.
type coreNATSDriver struct {
	cfg Config
	nc  *nats.Conn
}

// NewCoreNATS makes the driver of kind nats (see package protocols).
func NewCoreNATS(c Config) Driver { return newCoreNATS(c) }

func newCoreNATS(c Config) *coreNATSDriver { return &coreNATSDriver{cfg: c} }

func (d *coreNATSDriver) Connect(ctx context.Context) (ServerInfo, error) {
	nc, err := connect(ctx, d.cfg, "stationbench-control")
	if err != nil {
		return ServerInfo{}, err
	}
	d.nc = nc
	return ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName(), MaxPayload: nc.MaxPayload()}, nil
}

func (d *coreNATSDriver) BeginStep(ctx context.Context, spec StepSpec) (Step, error) {
	var recv *deliveryReceiver
	if d.cfg.Station.SubscribeEnabled() {
		r, err := startReceiver(ctx, d.cfg, spec)
		if err != nil {
			return nil, err
		}
		recv = r
	}
	s, err := newConnSet(ctx, d.cfg, false, recv)
	if err != nil && recv != nil {
		recv.finish()
	}
	return s, err
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
	nc  *nats.Conn
	sub *nats.Subscription
	*DeliveryRecorder
}

func startReceiver(ctx context.Context, c Config, spec StepSpec) (*deliveryReceiver, error) {
	nc, err := connect(ctx, c, "stationbench-subscriber")
	if err != nil {
		return nil, err
	}
	r := &deliveryReceiver{nc: nc, DeliveryRecorder: NewDeliveryRecorder(spec)}
	sub, err := nc.Subscribe(stationSubjects(c.Station), r.onMsg)
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

// finish waits (up to the drain time) for deliveries still queued, then
// stops the receiver and returns what it recorded: per producer (index
// N-1), and deliveries it could not attribute.
func (r *deliveryReceiver) finish() (byProducer []*AckStats, other *AckStats) {
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
	byProducer, other = r.Finish()
	_ = r.sub.Unsubscribe()
	r.nc.Close()
	return byProducer, other
}
