package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// ConnSet is the Step of the NATS-protocol kinds: it opens one connection
// per producer, or one shared by all (producers.connections), and makes the
// producers on them: acknowledged (AckPublisher) or not.
type ConnSet struct {
	cfg      Config
	acked    bool
	shared   *nats.Conn
	receiver Receiver // nats kind with its subscriber on
	// Notes are said in the step's result (StepResult.Notes).
	Notes []string
}

// Receiver is a delivery receiver a ConnSet feeds: it is told the subject
// of each producer it opens, started with the measured window, and
// finished with the step (see DeliveryRecorder).
type Receiver interface {
	Producer(subject string, index int)
	Start(w Window)
	Finish() (byProducer []*AckStats, other *AckStats)
}

// NewConnSet begins a step of a NATS-protocol kind: acked says whether the
// producers' messages are acknowledged; recv, when not nil, receives the
// deliveries.
func NewConnSet(ctx context.Context, c Config, acked bool, recv Receiver) (*ConnSet, error) {
	s := &ConnSet{cfg: c, acked: acked, receiver: recv}
	if c.SharedConnection {
		nc, err := Connect(ctx, c, "stationbench-shared")
		if err != nil {
			return nil, err
		}
		s.shared = nc
	}
	return s, nil
}

func (s *ConnSet) Acked() bool { return s.acked }

func (s *ConnSet) Start(w Window) {
	if s.receiver != nil {
		s.receiver.Start(w)
	}
}

func (s *ConnSet) NewProducer(ctx context.Context, p ProducerSpec, acks Acker) (Producer, error) {
	nc, own := s.shared, false
	if nc == nil {
		var onReconnect func()
		if r, ok := acks.(interface{ Reconnected() }); ok {
			onReconnect = r.Reconnected // counted per producer on its own connection
		}
		c, err := ConnectProducer(ctx, s.cfg, p.Name, onReconnect)
		if err != nil {
			return nil, err
		}
		nc, own = c, true
	}
	subject := producerSubject(s.cfg.Station, p)
	if s.receiver != nil {
		s.receiver.Producer(subject, p.Index)
	}
	if !s.acked {
		return &corePublisher{nc: nc, own: own, subject: subject, untimed: s.receiver == nil}, nil
	}
	ap, err := NewAckPublisher(nc, own, subject, acks)
	if err != nil {
		if own {
			nc.Close()
		}
		return nil, fmt.Errorf("target %q: producer %s: %w", s.cfg.Target.Name, p.Name, err)
	}
	return ap, nil
}

func (s *ConnSet) Finish(ctx context.Context) (StepResult, error) {
	var errs []error
	if s.shared != nil {
		if err := s.shared.FlushWithContext(ctx); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, fmt.Errorf("flush shared connection: %w", err))
		}
		s.shared.Close()
	}
	res := StepResult{Notes: s.Notes}
	if s.receiver != nil {
		res.DeliveriesByProducer, res.Deliveries = s.receiver.Finish()
	}
	return res, errors.Join(errs...)
}

// corePublisher publishes core NATS messages: no acknowledgement.
type corePublisher struct {
	nc      *nats.Conn
	own     bool
	subject string
	untimed bool // no receiver reads the send times (Untimed)
}

// Untimed implements Untimed: true when the step has no delivery receiver.
func (p *corePublisher) Untimed() bool { return p.untimed }

func (p *corePublisher) Publish(_ uint64, payload []byte) error {
	return p.nc.Publish(p.subject, payload)
}

// Close flushes what is buffered, so every sent message leaves, and closes
// the connection if it is the producer's own.
func (p *corePublisher) Close(ctx context.Context) error {
	err := p.nc.FlushWithContext(ctx)
	if p.own {
		p.nc.Close()
	}
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}
