package workers

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/nats-io/nats.go"
)

// AckPublisher publishes on a NATS connection with a reply subject per
// message and hands each acknowledgement that comes back to an Acker. The
// reply subject is the producer's inbox prefix followed by the sequence
// number, so an ack names the message it acknowledges even when acks arrive
// out of order. It is the shared publish path of the acknowledged kinds.
type AckPublisher struct {
	nc      *nats.Conn
	own     bool // the connection is this producer's, closed with it
	subject string
	sub     *nats.Subscription
	prefix  int    // length of the inbox prefix in reply
	reply   []byte // inbox prefix, then room for the sequence number
}

// NewAckPublisher subscribes to a new inbox on nc for acks to acks; own
// says the connection is the producer's, closed with it. subject is where
// Publish sends (a driver with subjects of its own uses ReplyTo).
func NewAckPublisher(nc *nats.Conn, own bool, subject string, acks Acker) (*AckPublisher, error) {
	inbox := nc.NewInbox() + "."
	p := &AckPublisher{
		nc:      nc,
		own:     own,
		subject: subject,
		prefix:  len(inbox),
		reply:   append(make([]byte, 0, len(inbox)+20), inbox...),
	}
	nak, _ := acks.(naker)
	sub, err := nc.Subscribe(inbox+"*", func(m *nats.Msg) {
		seq, err := strconv.ParseUint(m.Subject[strings.LastIndexByte(m.Subject, '.')+1:], 10, 64)
		if err != nil {
			return // not one of ours
		}
		if ok := pubAckOK(m.Data); ok || nak == nil {
			acks.Ack(seq, ok)
		} else {
			nak.Nak(seq, nakText(m)) // the error path only
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to acks: %w", err)
	}
	// The window bounds what is in flight; the client must never drop acks.
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("ack subscription limits: %w", err)
	}
	p.sub = sub
	return p, nil
}

// Publish sends payload with the reply subject of seq. It allocates nothing:
// the reply subject is built in a reused buffer and viewed as a string for
// the duration of the call (nats.go copies it into its write buffer).
func (p *AckPublisher) Publish(seq uint64, payload []byte) error {
	b := p.ReplyTo(seq)
	return p.nc.PublishRequest(p.subject, unsafe.String(&b[0], len(b)), payload)
}

// ReplyTo is the reply subject of seq, built in the publisher's reused
// buffer: valid until the next call, and allocation-free.
func (p *AckPublisher) ReplyTo(seq uint64) []byte {
	return strconv.AppendUint(p.reply[:p.prefix], seq, 10)
}

// Close stops receiving acks and closes the connection if it is the
// producer's own.
func (p *AckPublisher) Close(ctx context.Context) error {
	err := p.sub.Unsubscribe()
	if p.own {
		p.nc.Close()
		return nil
	}
	if err != nil && p.nc.IsConnected() {
		return fmt.Errorf("unsubscribe acks: %w", err)
	}
	return nil
}

var errorKey = []byte(`"error"`)

// pubAckOK tells a JetStream PubAck ({"stream":"s","seq":1}) from an error
// reply ({"error":{...}}) or an empty status message (no responders),
// without decoding JSON on the hot path.
func pubAckOK(data []byte) bool {
	return len(data) > 0 && !bytes.Contains(data, errorKey)
}

// naker is an Acker that keeps the reason of a negative acknowledgement.
type naker interface {
	Nak(seq uint64, reason string)
}
