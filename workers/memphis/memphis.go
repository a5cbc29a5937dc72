// Package memphis holds the drivers of the two Memphis kinds: memphis (the
// producer protocol over NATS, timed to each PubAck) and memphis-http (the
// REST gateway, timed to each HTTP response), with the broker's control
// plane, names and station verification they share. They plug into the
// worker loop through the interfaces of package workers, and the table of
// protocols (package protocols) names their constructors, New and NewHTTP.
package memphis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unsafe"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// memphisDriver speaks the Memphis producer protocol over nats.go: it
// creates the station and registers producers through the broker's control
// plane, publishes each message to a partition's subject with the Memphis
// headers, and times every PubAck exactly as the jetstream kind does, so a
// comparison measures the broker rather than two clients.
type memphisDriver struct {
	cfg      workers.Config
	nc       *nats.Conn // control connection
	js       jetstream.JetStream
	internal string // the station's internal name
	ready    bool   // the station was made or found by an earlier step
	created  bool   // the run created the station
	existed  bool   // the station was there before the run and is used as it is
	parts    int    // the station's partitions, once known
}

// New makes the driver of kind memphis (see package protocols).
func New(c workers.Config) workers.Driver { return newMemphis(c) }

func newMemphis(c workers.Config) *memphisDriver {
	return &memphisDriver{cfg: c, internal: InternalName(c.Station.Name)}
}

// memphisConnect opens a connection the way the Memphis SDK does: named
// <connectionId>::<username>, with the raw connection token, or as the user
// <username>$<accountId> with the password. onReconnect, when set, is told
// each time the connection comes back.
func memphisConnect(ctx context.Context, c workers.Config, connID string, onReconnect func()) (*nats.Conn, error) {
	t := c.Target
	user := t.Username
	if t.ConnectionToken == "" {
		c.Target.Username = user + "$" + strconv.Itoa(t.AccountID)
	}
	return workers.ConnectProducer(ctx, c, connID+"::"+user, onReconnect)
}

func (d *memphisDriver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	id, err := newConnectionID()
	if err != nil {
		return workers.ServerInfo{}, fmt.Errorf("target %q: %w", d.cfg.Target.Name, err)
	}
	nc, err := memphisConnect(ctx, d.cfg, id, nil)
	if err != nil {
		return workers.ServerInfo{}, err
	}
	js, err := workers.JetStreamOn(nc, d.cfg.Target)
	if err != nil {
		return workers.ServerInfo{}, err
	}
	d.nc, d.js = nc, js
	return workers.ServerInfo{Version: nc.ConnectedServerVersion(), Name: nc.ConnectedServerName(), MaxPayload: nc.MaxPayload()}, nil
}

func (d *memphisDriver) BeginStep(ctx context.Context, spec workers.StepSpec) (workers.Step, error) {
	if err := d.readyStation(ctx); err != nil {
		return nil, fmt.Errorf("target %q: station %q: %w", d.cfg.Target.Name, d.cfg.Station.Name, err)
	}
	s := &memphisStep{d: d, live: map[*memphisPublisher]bool{}}
	if d.existed {
		s.notes = append(s.notes, existedNote(d.cfg.Station))
	}
	if d.cfg.SharedConnection {
		id, err := newConnectionID()
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", d.cfg.Target.Name, err)
		}
		nc, err := memphisConnect(ctx, d.cfg, id, nil)
		if err != nil {
			return nil, err
		}
		s.shared, s.sharedID = nc, id
	}
	return s, nil
}

// readyStation makes the station ready for a step. On the first step it
// looks for the station (the broker answers a create request for an
// existing station exactly as for a new one, so the reply cannot tell) and
// creates it only when missing. Before later steps, when the scenario asks,
// it empties the station: always one the run created, one that existed
// only with purgeExisting. A station that existed is never deleted (Close).
func (d *memphisDriver) readyStation(ctx context.Context) error {
	if d.cfg.LeaveStation { // segment 0 of a distributed run readies it
		return nil
	}
	st := d.cfg.Station
	if !d.ready {
		exists, err := d.stationExists(ctx)
		if err != nil {
			return fmt.Errorf("look for the station: %w", err)
		}
		if !exists {
			err = memphisRequest(ctx, d.nc, memphisStationCreations, stationRequest(st, d.cfg.Target.Username), nil)
		}
		switch {
		case exists || errors.Is(err, errAlreadyExists): // made by someone else since we looked
			d.existed = true
		case err != nil:
			return fmt.Errorf("create: %w", err)
		default:
			d.created, d.parts = true, st.Partitions
		}
		d.ready = true
		if d.created {
			return nil // new, so empty
		}
	}
	if !st.PurgeBeforeStep(d.existed) {
		return nil
	}
	return d.purge(ctx)
}

// stationExists reports whether the station's first partition's stream
// (or, on brokers without partitions, the station's own stream) exists.
func (d *memphisDriver) stationExists(ctx context.Context) (bool, error) {
	for _, name := range []string{Stream(d.internal, 1), d.internal} {
		_, err := d.js.Stream(ctx, name)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, jetstream.ErrStreamNotFound):
			return false, fmt.Errorf("stream %q: %w", name, err)
		}
	}
	return false, nil
}

// existedNote says what the run did with a station that existed before it.
func existedNote(st scenarios.Station) string {
	what := "written into as it is, never purged or deleted (reset: false)"
	switch {
	case st.ResetEnabled() && st.PurgeExisting:
		what = "purged before each step (purgeExisting: true), never deleted"
	case st.ResetEnabled():
		what = "written into as it is, never deleted, and not purged before steps, so it still holds " +
			"what it held (purgeExisting: true would allow purging it)"
	}
	return fmt.Sprintf("memphis station %q existed before the run: %s; its partitions, retention and storage "+
		"were not changed", st.Name, what)
}

// purge empties every partition's stream. For a station the run did not
// create, the partitions are found by looking for their streams.
func (d *memphisDriver) purge(ctx context.Context) error {
	for n := 1; d.parts == 0 || n <= d.parts; n++ {
		name := Stream(d.internal, n)
		stream, err := d.js.Stream(ctx, name)
		if errors.Is(err, jetstream.ErrStreamNotFound) && d.parts == 0 {
			d.parts = n - 1
			return nil
		}
		if err != nil {
			return fmt.Errorf("partition stream %q: %w", name, err)
		}
		if err := stream.Purge(ctx); err != nil {
			return fmt.Errorf("purge %q: %w", name, err)
		}
		if n == scenarios.MaxPartitions {
			d.parts = n
		}
	}
	return nil
}

func (d *memphisDriver) Close(ctx context.Context) error {
	if d.nc == nil {
		return nil
	}
	defer d.nc.Close()
	st := d.cfg.Station
	if d.created && st.Cleanup == "delete" {
		req := memphisDestroyStation{StationName: st.Name, Username: d.cfg.Target.Username}
		if err := memphisRequest(ctx, d.nc, memphisStationDestructions, req, nil); err != nil {
			return fmt.Errorf("target %q: destroy station %q: %w", d.cfg.Target.Name, st.Name, err)
		}
	}
	return nil
}

// memphisStep is one step's producers: each registers with the broker and
// is destroyed when closed, or at the latest when the step finishes.
type memphisStep struct {
	d        *memphisDriver
	shared   *nats.Conn
	sharedID string
	notes    []string

	mu   sync.Mutex
	live map[*memphisPublisher]bool // registered and not yet destroyed
}

func (s *memphisStep) Acked() bool          { return true }
func (s *memphisStep) Start(workers.Window) {}

func (s *memphisStep) NewProducer(ctx context.Context, p workers.ProducerSpec, acks workers.Acker) (workers.Producer, error) {
	c := s.d.cfg
	nc, id, own := s.shared, s.sharedID, false
	if nc == nil {
		var err error
		if id, err = newConnectionID(); err != nil {
			return nil, fmt.Errorf("target %q: producer %s: %w", c.Target.Name, p.Name, err)
		}
		var onReconnect func()
		if r, ok := acks.(interface{ Reconnected() }); ok {
			onReconnect = r.Reconnected // counted per producer on its own connection
		}
		if nc, err = memphisConnect(ctx, c, id, onReconnect); err != nil {
			return nil, err
		}
		own = true
	}
	pub, err := s.register(ctx, nc, own, id, memphisProducerName(p), acks)
	if err != nil {
		if own {
			nc.Close()
		}
		return nil, fmt.Errorf("target %q: producer %s: %w", c.Target.Name, p.Name, err)
	}
	return pub, nil
}

// register creates the producer on the broker and its publisher.
func (s *memphisStep) register(ctx context.Context, nc *nats.Conn, own bool, connID, name string, acks workers.Acker) (*memphisPublisher, error) {
	c := s.d.cfg
	req := memphisCreateProducer{Name: name, StationName: c.Station.Name, ConnectionID: connID,
		ProducerType: "application", RequestVersion: 4, Username: c.Target.Username, AppID: connID, SdkLang: "go"}
	var reply memphisCreateProducerReply
	if err := memphisRequest(ctx, nc, memphisProducerCreations, req, &reply); err != nil {
		return nil, fmt.Errorf("create producer: %w", err)
	}
	parts := reply.PartitionsUpdate.PartitionsList
	if len(parts) == 0 {
		parts = []int{0} // a broker without partitions
	}
	subjects := make([]string, len(parts))
	for i, n := range parts {
		subjects[i] = Subject(s.d.internal, n)
	}
	pub := &memphisPublisher{step: s, nc: nc, connID: connID, name: name, subjects: subjects}
	pub.msg = &nats.Msg{Header: nats.Header{
		memphisHeaderConnectionID: {connID},
		memphisHeaderProducedBy:   {name},
	}}
	if c.Dedup {
		pub.id = append(make([]byte, 0, len(connID)+len(name)+22), connID+"-"+name+"-"...)
		pub.idPrefix = len(pub.id)
		pub.idVal = []string{""}
		pub.msg.Header[memphisHeaderMsgID] = pub.idVal
	}
	ap, err := workers.NewAckPublisher(nc, own, "", acks)
	if err != nil {
		return nil, errors.Join(err, pub.destroy(ctx))
	}
	pub.ap = ap
	s.mu.Lock()
	s.live[pub] = true
	s.mu.Unlock()
	return pub, nil
}

// Finish destroys the producers that were not closed and closes the shared
// connection.
func (s *memphisStep) Finish(ctx context.Context) (workers.StepResult, error) {
	s.mu.Lock()
	left := make([]*memphisPublisher, 0, len(s.live))
	for p := range s.live {
		left = append(left, p)
	}
	s.mu.Unlock()
	var errs []error
	for _, p := range left {
		if err := p.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if s.shared != nil {
		s.shared.Close()
	}
	return workers.StepResult{Notes: s.notes}, errors.Join(errs...)
}

// memphisPublisher publishes one producer's messages round-robin over its
// partitions' subjects with the Memphis headers. Acks come back through
// AckPublisher's reply inbox (the sequence number is the reply subject's
// last token), so they are timed exactly as the jetstream kind's. Besides
// what nats.go allocates to write the headers, it allocates nothing per
// message: subjects and header values are made once, and the reply subject
// and msg-id are built in reused buffers.
type memphisPublisher struct {
	step     *memphisStep
	ap       *workers.AckPublisher // its reply inbox and, when own, the connection
	nc       *nats.Conn
	connID   string
	name     string
	subjects []string // one per partition, in the broker's order
	next     int
	msg      *nats.Msg // reused for every message
	id       []byte    // msg-id: connection id, producer name, then seq
	idPrefix int
	idVal    []string // the msg-id header's value
	closed   bool
}

// Publish sends payload to the next partition with the reply subject of
// seq. The strings viewed over reused buffers live only for the call:
// nats.go copies them into its write buffer.
func (p *memphisPublisher) Publish(seq uint64, payload []byte) error {
	m := p.msg
	m.Subject = p.subjects[p.next]
	if p.next++; p.next == len(p.subjects) {
		p.next = 0
	}
	r := p.ap.ReplyTo(seq)
	m.Reply = unsafe.String(&r[0], len(r))
	if p.idVal != nil {
		id := strconv.AppendUint(p.id[:p.idPrefix], seq, 10)
		p.idVal[0] = unsafe.String(&id[0], len(id))
	}
	m.Data = payload
	err := p.nc.PublishMsg(m)
	m.Data = nil
	return err
}

// destroy unregisters the producer from the broker, over its own
// connection or, when that is gone, the driver's.
func (p *memphisPublisher) destroy(ctx context.Context) error {
	c := p.step.d.cfg
	req := memphisDestroyProducer{Name: p.name, StationName: c.Station.Name, Username: c.Target.Username,
		ConnectionID: p.connID, RequestVersion: 1}
	nc := p.nc
	if !nc.IsConnected() {
		nc = p.step.d.nc
	}
	if err := memphisRequest(ctx, nc, memphisProducerDestructions, req, nil); err != nil {
		return fmt.Errorf("destroy producer %s: %w", p.name, err)
	}
	return nil
}

// Close destroys the producer on the broker, stops receiving acks and
// closes the connection if it is the producer's own. A second call does
// nothing.
func (p *memphisPublisher) Close(ctx context.Context) error {
	p.step.mu.Lock()
	if p.closed {
		p.step.mu.Unlock()
		return nil
	}
	p.closed = true
	delete(p.step.live, p)
	p.step.mu.Unlock()
	err := p.destroy(ctx)
	if cerr := p.ap.Close(ctx); cerr != nil {
		err = errors.Join(err, cerr)
	}
	return err
}
