package workers

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// stampSize is the head of a payload that carries the intended and the
// actual send time, so a receiver can time the delivery.
const stampSize = 16

// stamp writes the send times into the head of payload (when it has room).
func stamp(payload []byte, intended, sent int64) {
	if len(payload) >= stampSize {
		binary.LittleEndian.PutUint64(payload[0:8], uint64(intended))
		binary.LittleEndian.PutUint64(payload[8:16], uint64(sent))
	}
}

// readStamp reads the send times from a payload.
func readStamp(payload []byte) (intended, sent int64, ok bool) {
	if len(payload) < stampSize {
		return 0, 0, false
	}
	return int64(binary.LittleEndian.Uint64(payload[0:8])), int64(binary.LittleEndian.Uint64(payload[8:16])), true
}

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

// deliveryReceiver subscribes to a station and records every delivery's
// latency from the send times stamped in its payload.
type deliveryReceiver struct {
	nc    *nats.Conn
	sub   *nats.Subscription
	clock *Clock
	// stats is published by start, before any message is sent, so the
	// subscription's goroutine sees it through the atomic.
	stats     atomic.Pointer[deliveryStats]
	gate      gate
	drain     time.Duration
	producers int

	mu sync.Mutex
	// subjects maps the subject each producer publishes to to its index
	// (1-based), as the step opened them; -1 marks a subject more than one
	// producer shares (a station.subject), which names none of them.
	subjects map[string]int
}

// deliveryStats is what the receiver records: per producer, known by the
// subject the step opened for it (never by the text of a name), and the
// rest (a shared station.subject names no producer).
type deliveryStats struct {
	byProducer []*AckStats // index N-1
	bySubject  map[string]*AckStats
	other      *AckStats
}

// of returns the record of the producer that published on subject. A map
// lookup by the message's own subject string: no allocation.
func (d *deliveryStats) of(subject string) *AckStats {
	if st, ok := d.bySubject[subject]; ok {
		return st
	}
	return d.other
}

// producer tells the receiver that producer index (1-based) publishes to
// subject. Called as the step opens its producers, before start.
func (r *deliveryReceiver) producer(subject string, index int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, seen := r.subjects[subject]; seen && k != index {
		index = -1
	}
	r.subjects[subject] = index
}

func startReceiver(ctx context.Context, c Config, spec StepSpec) (*deliveryReceiver, error) {
	nc, err := connect(ctx, c, "stationbench-subscriber")
	if err != nil {
		return nil, err
	}
	r := &deliveryReceiver{
		nc:        nc,
		clock:     spec.Clock,
		drain:     spec.Drain,
		producers: spec.Producers,
		subjects:  map[string]int{},
	}
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

// start begins recording deliveries for the measured window w.
func (r *deliveryReceiver) start(w Window) {
	n := seriesLen(w, r.drain)
	d := &deliveryStats{byProducer: make([]*AckStats, r.producers), bySubject: map[string]*AckStats{}, other: newAckStats(w, n)}
	for i := range d.byProducer {
		d.byProducer[i] = newAckStats(w, n)
	}
	r.mu.Lock()
	for subject, k := range r.subjects {
		if k >= 1 && k <= len(d.byProducer) {
			d.bySubject[subject] = d.byProducer[k-1]
		}
	}
	r.mu.Unlock()
	r.stats.Store(d)
}

func (r *deliveryReceiver) onMsg(m *nats.Msg) {
	now := r.clock.Now()
	intended, sent, ok := readStamp(m.Data)
	if !ok || !r.gate.enter() {
		return
	}
	if d := r.stats.Load(); d != nil {
		d.of(m.Subject).record(intended, sent, now, true)
	}
	r.gate.exit()
}

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
	r.gate.close()
	_ = r.sub.Unsubscribe()
	r.nc.Close()
	d := r.stats.Load()
	if d == nil {
		return nil, nil
	}
	for _, st := range d.byProducer {
		st.finish()
	}
	d.other.finish()
	return d.byProducer, d.other
}
