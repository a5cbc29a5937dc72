package kafka

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// step opens a step's producers: each on its own client, whose client id
// is the producer's name, or all on the step's shared client.
type step struct {
	d      *driver
	topic  string
	shared *kgo.Client // producers.connections: shared
	hooks  *connHooks  // the shared client's connection events
	notes  []string
	drain  time.Duration
}

func (s *step) Acked() bool { return true }

func (s *step) Start(workers.Window) {}

func (s *step) NewProducer(ctx context.Context, spec workers.ProducerSpec, acks workers.Acker) (workers.Producer, error) {
	p := &producer{topic: s.topic, acks: acks, cl: s.shared}
	p.nak, _ = acks.(naker)
	if p.cl == nil {
		var up func()
		if r, ok := acks.(interface{ Reconnected() }); ok {
			up = r.Reconnected // counted per producer on its own client
		}
		hooks := newConnHooks(s.d.cfg, spec.Name, up)
		cl, err := s.d.producerClient(spec.Name, hooks)
		if err != nil {
			return nil, err
		}
		p.cl, p.hooks = cl, hooks
	}
	return p, nil
}

// Finish closes the shared client; each producer closed its own. With
// ack none a message counts once written, before the broker has appended
// it, so Finish then waits (at most the drain) until the topic's end
// offsets stop moving: verification reads what the broker stored, not
// what it had not yet read off the socket.
func (s *step) Finish(ctx context.Context) (workers.StepResult, error) {
	if s.shared != nil {
		s.hooks.closing()
		s.shared.Close()
	}
	if s.d.cfg.Target.Ack == scenarios.KafkaAckNone {
		s.settle(ctx)
	}
	return workers.StepResult{Notes: s.notes}, nil
}

// settle waits until two readings of the topic's end offsets, settleEvery
// apart, agree, or the drain is over.
func (s *step) settle(ctx context.Context) {
	const settleEvery = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(ctx, max(s.drain, settleEvery))
	defer cancel()
	prev := int64(-1)
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for {
		st, err := s.d.StationState(ctx)
		if err != nil {
			return // verification reads again and reports it
		}
		var sum int64
		for _, v := range st {
			sum += int64(v.LastSeq)
		}
		if sum == prev {
			return
		}
		prev = sum
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// naker is an Acker that keeps the reason of a failed message
// (workers.Worker is one).
type naker interface {
	Nak(seq uint64, reason string)
}

// producer produces one worker's messages as records of the topic. Each
// record lives in a slot that is reused once its promise has run, so that
// publishing allocates nothing of ours once the slots in flight exist:
// the payload is copied into the slot's own buffer (the worker reuses its
// payload) and the promise is made once per slot.
//
// franz-go calls all promises of a client one after another, never
// concurrently (kgo.Client.Produce: "All promises are called serially"),
// so workers.Acker's rule that one producer's calls never overlap holds,
// on a shared client as well.
type producer struct {
	cl    *kgo.Client
	hooks *connHooks // nil on a shared client: the client is not this producer's
	topic string
	acks  workers.Acker
	nak   naker
	// free is a stack of slots whose records are done. Only Publish pops
	// and promises only push, so a compare-and-swap stack is safe here
	// (with one popper, a popped slot cannot come back meanwhile).
	free atomic.Pointer[slot]
}

// slot is one record in flight, with what its promise needs.
type slot struct {
	rec  kgo.Record
	buf  []byte
	seq  uint64
	next *slot
	done func(*kgo.Record, error)
}

// Publish copies payload into a free slot's record and hands it to the
// client, which calls the slot's promise when the broker has answered (or
// with ack none, once the request is written). TryProduce never blocks:
// a client holding maxBuffered records fails the record at once.
func (p *producer) Publish(seq uint64, payload []byte) error {
	s := p.pop()
	if s == nil {
		s = p.newSlot()
	}
	s.seq = seq
	s.buf = append(s.buf[:0], payload...)
	s.rec = kgo.Record{Topic: p.topic, Value: s.buf}
	p.cl.TryProduce(context.Background(), &s.rec, s.done)
	return nil
}

// newSlot makes a slot and its promise; it runs only until enough slots
// exist for what is in flight.
func (p *producer) newSlot() *slot {
	s := &slot{}
	s.done = func(_ *kgo.Record, err error) {
		seq := s.seq // before the slot is reused
		p.push(s)
		switch {
		case err == nil:
			p.acks.Ack(seq, true)
		case p.nak != nil:
			p.nak.Nak(seq, "produce: "+err.Error()) // the error path only
		default:
			p.acks.Ack(seq, false)
		}
	}
	return s
}

func (p *producer) pop() *slot {
	for {
		s := p.free.Load()
		if s == nil || p.free.CompareAndSwap(s, s.next) {
			return s
		}
	}
}

func (p *producer) push(s *slot) {
	for {
		s.next = p.free.Load()
		if p.free.CompareAndSwap(s.next, s) {
			return
		}
	}
}

// Close closes the producer's own client: records it still holds (their
// acknowledgements already counted as timed out by the worker's drain)
// fail with kgo.ErrClientClosed.
func (p *producer) Close(context.Context) error {
	if p.hooks == nil {
		return nil
	}
	p.hooks.closing()
	p.cl.Close()
	return nil
}
