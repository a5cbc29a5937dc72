package mqtt

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/workers"
)

// receiver is the harness's subscriber of a QoS 0 step: it subscribes to
// the station's subjects over NATS, on a connection of its own, and files
// every delivery in a DeliveryRecorder by its subject (the topic
// <station>/<producer> arrives as <station>.<producer>).
//
// It subscribes over NATS rather than over MQTT (<station>/#) so that a
// QoS 0 step is measured exactly as a nats step is, by the same receiver
// with the same bounded buffer, and the two differ only in the producers'
// protocol; an MQTT subscriber would add paho's own per-message work and
// an MQTT session on the server to what is measured.
type receiver struct {
	nc    *nats.Conn
	sub   *nats.Subscription
	drain time.Duration
	// seen counts every delivery, warmup included (the subscription's
	// callback is its only writer).
	seen atomic.Int64
	*workers.DeliveryRecorder
}

func startReceiver(ctx context.Context, c workers.Config, spec workers.StepSpec) (*receiver, error) {
	nc, err := workers.Connect(ctx, c, "stationbench-subscriber")
	if err != nil {
		return nil, fmt.Errorf("natsUrl: %w", err)
	}
	r := &receiver{nc: nc, drain: spec.Drain, DeliveryRecorder: workers.NewDeliveryRecorder(spec)}
	sub, err := nc.Subscribe(c.Station.Name+".>", func(m *nats.Msg) {
		r.seen.Add(1)
		r.Record(m.Subject, m.Data)
	})
	if err == nil {
		// Bounded, but far above what one second of traffic needs: a
		// receiver that falls this far behind is reported as loss.
		err = sub.SetPendingLimits(4<<20, 1<<30)
	}
	if err == nil {
		err = nc.FlushTimeout(c.Target.Timeout()) // live before anyone publishes
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("target %q: subscribe to station: %w", c.Target.Name, err)
	}
	r.sub = sub
	return r, nil
}

// Finish waits, up to the drain time, until the receiver has seen as many
// deliveries as the producers wrote (an MQTT client has no round trip
// that would tell when the server has handled its last QoS 0 message),
// then stops the receiver and returns what it recorded: per producer
// (index N-1), and deliveries it could not attribute.
func (r *receiver) Finish(written int64) (byProducer []*workers.AckStats, other *workers.AckStats) {
	deadline := time.Now().Add(r.drain)
	for r.seen.Load() < written && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	_ = r.nc.FlushTimeout(r.drain)
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
