package mqtt

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/stationbench/stationbench/workers"
)

// producer is one MQTT client that publishes one worker's messages.
//
// paho gives a Token per publish rather than calling back, and keeps the
// payload it is given until the token completes (written, at QoS 0; its
// PUBACK, at QoS 1). So Publish copies each message into a buffer of the
// producer's own and queues the token, in publish order, to a goroutine of
// the producer's that waits for each in turn: it tells the worker of each
// acknowledgement (the workers.Acker; one goroutine, so calls never
// overlap) and marks the buffer free. A message in flight when the
// connection is lost fails ("connection lost before its PUBACK"): paho
// keeps no store to resend it from (noStore).
//
// The buffers are a ring indexed by sequence number. The buffer of message
// seq is free again once the token of its last user has completed;
// tokens complete in order (one connection, PUBACKs in packet order), so
// that is once done, the last sequence number seen completed, reaches it.
// When it has not, as many messages as the ring holds are outstanding and
// the ring doubles. It grows only while the number in flight reaches a new
// high, so the publish path allocates nothing of its own once it is warm.
type producer struct {
	cn     *conn
	topic  string
	qos    byte
	retain bool
	acks   workers.Acker // QoS 1; nil at QoS 0 (no acknowledgement)

	// Owned by the publishing goroutine.
	ring      []slot
	ringEpoch uint64 // the connection's epoch when the ring was made
	queue     chan pending

	done     atomic.Uint64 // the last sequence number whose token completed, in order
	acked    atomic.Int64  // positive acknowledgements (QoS 1), for the step
	written  atomic.Int64  // messages paho wrote (QoS 0), for the step
	quit     chan struct{}
	finished chan struct{} // closed when the waiting goroutine has ended
}

// slot is one payload buffer, boxed once for paho's interface{} argument
// so that each publish need not box it again.
type slot struct {
	buf   []byte
	boxed any
	last  uint64 // the sequence number that last used it
}

// pending is a published message whose token is awaited. A pending with
// next set is no message: the queue continues in next (it grew).
type pending struct {
	seq    uint64
	tok    paho.Token
	failed bool          // Publish already returned its error
	lost   chan struct{} // closed if the connection is lost before the token completes
	next   chan pending
}

// initialRing is the number of buffers (and queue places) a producer
// starts with.
const initialRing = 8

func newProducer(ctx context.Context, c workers.Config, p workers.ProducerSpec, topic string, qos byte, acks workers.Acker) (*producer, error) {
	var onReconnect func()
	if r, ok := acks.(interface{ Reconnected() }); ok {
		onReconnect = r.Reconnected // counted per producer
	}
	cn, err := connectClient(ctx, c, p.Name, onReconnect)
	if err != nil {
		return nil, err
	}
	pr := &producer{cn: cn, topic: topic, qos: qos, retain: c.Target.Retain,
		queue: make(chan pending, initialRing), quit: make(chan struct{}), finished: make(chan struct{})}
	if qos == 1 {
		pr.acks = acks
	}
	go pr.wait(pr.queue)
	return pr, nil
}

// Publish copies payload into a free buffer and hands it to paho; the
// token is awaited by the producer's goroutine. A publish paho refuses at
// once (not connected) returns its error.
//
// While the connection is down, a QoS 1 publish fails at once: paho would
// hold it for a resend that its store (noStore) no longer makes. (At QoS 0
// paho drops it, and the subscriber counts it lost.)
func (p *producer) Publish(seq uint64, payload []byte) error {
	lost := *p.cn.lost.Load()
	if p.qos == 1 && p.cn.down.Load() {
		return errReconnecting
	}
	s := p.slotFor(seq, len(payload))
	copy(s.buf, payload)
	s.last = seq
	tok := p.cn.client.Publish(p.topic, p.qos, p.retain, s.boxed)
	var err error
	select {
	case <-tok.Done():
		err = tok.Error()
	default:
	}
	p.enqueue(pending{seq: seq, tok: tok, failed: err != nil, lost: lost})
	return err
}

var errReconnecting = errors.New("not connected: the client is reconnecting")

// errLost is why a message in flight when the connection was lost failed.
const errLost = "connection lost before its PUBACK"

// slotFor returns the buffer for seq: its place in the ring, once free;
// else the ring doubles (new buffers: the old ones stay with paho until
// their tokens complete).
//
// After a loss of the connection the ring is made anew: a buffer handed
// to paho before the loss may still be written by it, with no token left
// to say when it is done.
func (p *producer) slotFor(seq uint64, size int) *slot {
	if e := p.cn.epoch.Load(); e != p.ringEpoch {
		p.ring, p.ringEpoch = nil, e
	}
	if n := uint64(len(p.ring)); n > 0 {
		s := &p.ring[seq%n]
		if s.last <= p.done.Load() && len(s.buf) == size {
			return s
		}
	}
	n := max(initialRing, 2*len(p.ring))
	p.ring = make([]slot, n)
	for i := range p.ring {
		b := make([]byte, size)
		p.ring[i] = slot{buf: b, boxed: b}
	}
	return &p.ring[seq%uint64(n)]
}

// enqueue hands a published message to the waiting goroutine. When the
// queue is one place short of full, it continues in a queue twice as
// large (the last place takes the link), so Publish never blocks on it.
func (p *producer) enqueue(m pending) {
	if len(p.queue) >= cap(p.queue)-1 {
		next := make(chan pending, 2*cap(p.queue))
		p.queue <- pending{next: next}
		p.queue = next
	}
	p.queue <- m
}

// wait awaits each published message's token, in publish order, and tells
// the worker of each acknowledgement, until the queue is closed or quit.
func (p *producer) wait(q chan pending) {
	defer close(p.finished)
	for {
		var m pending
		var ok bool
		select {
		case m, ok = <-q:
		case <-p.quit:
			return
		}
		switch {
		case !ok:
			return
		case m.next != nil:
			q = m.next
			continue
		}
		lostFirst := false
		select {
		case <-m.tok.Done():
		case <-m.lost:
			select {
			case <-m.tok.Done(): // completed before the loss was seen
			default:
				lostFirst = true
			}
		case <-p.quit:
			return
		}
		good := !m.failed && !lostFirst && m.tok.Error() == nil
		switch {
		case p.acks != nil && !m.failed:
			if good {
				p.acked.Add(1)
				p.acks.Ack(m.seq, true)
			} else {
				p.nak(m.seq, lostFirst, m.tok)
			}
		case good:
			p.written.Add(1)
		}
		p.done.Store(m.seq)
	}
}

// nak tells the worker that message seq was not acknowledged, and why
// when the worker keeps reasons.
func (p *producer) nak(seq uint64, lost bool, tok paho.Token) {
	n, ok := p.acks.(interface {
		Nak(seq uint64, reason string)
	})
	switch {
	case !ok:
		p.acks.Ack(seq, false)
	case lost:
		n.Nak(seq, errLost)
	default:
		n.Nak(seq, tok.Error().Error())
	}
}

// Close disconnects the client (paho then completes every token still
// open) and ends the waiting goroutine, after the tokens already complete
// are told, or at once when the client is not connected (its tokens may
// never complete; the fault record has the outage).
func (p *producer) Close(ctx context.Context) error {
	connected := p.cn.client.IsConnectionOpen()
	p.cn.closed.Store(true)
	p.cn.client.Disconnect(quiesce)
	close(p.queue)
	if connected {
		t := time.NewTimer(quiesce * time.Millisecond)
		defer t.Stop()
		select {
		case <-p.finished:
			return nil
		case <-t.C:
		case <-ctx.Done():
		}
	}
	close(p.quit)
	<-p.finished
	return nil
}
