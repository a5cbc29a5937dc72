package workers

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
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

// DeliveryRecorder records what a delivery receiver sees, for any protocol
// whose messages are not acknowledged: each delivered message's latency,
// read from the send times stamped at the head of its payload, per
// producer.
//
// A delivery is attributed by the address it was published to (a NATS
// subject, an MQTT topic), as the step opened it for each producer
// (Producer), never by the text of a name; an address several producers
// share names none of them. Record is lock-free and allocation-free; the
// client library may call it from its own goroutine until Finish.
type DeliveryRecorder struct {
	clock *Clock
	drain time.Duration
	// stats is published by Start, before any message is sent, so the
	// receiving goroutine sees it through the atomic.
	stats atomic.Pointer[deliveryStats]
	gate  gate
	// made holds the records, made with the recorder so that Start, which
	// runs once the measured window is fixed, only dates them: for a
	// thousand producers, making them takes longer than the lead the
	// window gives the step.
	made *deliveryStats

	mu sync.Mutex
	// addrs maps the address each producer publishes to to its index
	// (1-based); -1 marks an address more than one producer shares.
	addrs map[string]int
}

// deliveryStats is what a DeliveryRecorder records: per producer, and the rest.
type deliveryStats struct {
	byProducer []*AckStats // index N-1
	byAddr     map[string]*AckStats
	other      *AckStats
}

// of returns the record of the producer that published to addr. A map
// lookup by the message's own address: no allocation.
func (d *deliveryStats) of(addr string) *AckStats {
	if st, ok := d.byAddr[addr]; ok {
		return st
	}
	return d.other
}

// NewDeliveryRecorder makes the recorder of one step's deliveries.
func NewDeliveryRecorder(spec StepSpec) *DeliveryRecorder {
	seconds := NewSecondHistograms() // one per second for all the producers
	d := &deliveryStats{byProducer: make([]*AckStats, spec.Producers), byAddr: map[string]*AckStats{}, other: newAckStats(Window{}, 0, seconds)}
	for i := range d.byProducer {
		d.byProducer[i] = newAckStats(Window{}, 0, seconds)
	}
	return &DeliveryRecorder{clock: spec.Clock, drain: spec.Drain, addrs: map[string]int{}, made: d}
}

// Producer says that producer index (1-based, ProducerSpec.Index)
// publishes to addr. Called as the step opens its producers, before Start.
func (r *DeliveryRecorder) Producer(addr string, index int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, seen := r.addrs[addr]; seen && k != index {
		index = -1
	}
	r.addrs[addr] = index
}

// Start begins recording deliveries for the measured window w.
func (r *DeliveryRecorder) Start(w Window) {
	n := seriesLen(w, r.drain)
	d := r.made
	d.other.date(w, n)
	for _, st := range d.byProducer {
		st.date(w, n)
	}
	r.mu.Lock()
	for addr, k := range r.addrs {
		if k >= 1 && k <= len(d.byProducer) {
			d.byAddr[addr] = d.byProducer[k-1]
		}
	}
	r.mu.Unlock()
	r.stats.Store(d)
}

// Record files one delivery of payload, published to addr, received now.
// A payload without the send times, or one delivered before Start or after
// Finish, is not counted.
func (r *DeliveryRecorder) Record(addr string, payload []byte) {
	now := r.clock.Now()
	intended, sent, ok := readStamp(payload)
	if !ok || !r.gate.enter() {
		return
	}
	if d := r.stats.Load(); d != nil {
		d.of(addr).record(intended, sent, now, true)
	}
	r.gate.exit()
}

// Finish stops recording (waiting for a Record in progress) and returns
// what was recorded: per producer (index N-1), and deliveries no producer
// could be found for. Both are nil when Start was never called.
func (r *DeliveryRecorder) Finish() (byProducer []*AckStats, other *AckStats) {
	r.gate.close()
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
