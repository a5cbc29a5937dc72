package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// connSet is the Step of the NATS-protocol kinds: it opens one connection
// per producer, or one shared by all (producers.connections), and makes the
// producers on them.
type connSet struct {
	cfg      Config
	acked    bool
	shared   *nats.Conn
	receiver *deliveryReceiver // nats kind with its subscriber on
	notes    []string          // said in the step's result (StepResult.Notes)
}

func newConnSet(ctx context.Context, c Config, acked bool, recv *deliveryReceiver) (*connSet, error) {
	s := &connSet{cfg: c, acked: acked, receiver: recv}
	if c.SharedConnection {
		nc, err := connect(ctx, c, "stationbench-shared")
		if err != nil {
			return nil, err
		}
		s.shared = nc
	}
	return s, nil
}

func (s *connSet) Acked() bool { return s.acked }

func (s *connSet) Start(w Window) {
	if s.receiver != nil {
		s.receiver.Start(w)
	}
}

func (s *connSet) NewProducer(ctx context.Context, p ProducerSpec, acks Acker) (Producer, error) {
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
		return &corePublisher{nc: nc, own: own, subject: subject}, nil
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

func (s *connSet) Finish(ctx context.Context) (StepResult, error) {
	var errs []error
	if s.shared != nil {
		if err := s.shared.FlushWithContext(ctx); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, fmt.Errorf("flush shared connection: %w", err))
		}
		s.shared.Close()
	}
	res := StepResult{Notes: s.notes}
	if s.receiver != nil {
		res.DeliveriesByProducer, res.Deliveries = s.receiver.finish()
	}
	return res, errors.Join(errs...)
}

// corePublisher publishes core NATS messages: no acknowledgement.
type corePublisher struct {
	nc      *nats.Conn
	own     bool
	subject string
}

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
