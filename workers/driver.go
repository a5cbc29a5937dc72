// Package workers holds the producer side of a benchmark: the small
// interface every protocol's driver implements (Driver, Step, Producer,
// Acker), the pacing schedules, the worker loop that publishes, keeps its
// messages in flight and owns its histograms, and what drivers share:
// protocol-neutral connection events (Faults), the delivery recorder
// (DeliveryRecorder), station counts for verification (StationState), and
// the NATS plumbing of the NATS-protocol kinds (Connect, ConnSet,
// AckPublisher, StreamStates).
//
// The drivers live in one package per protocol below this one
// (workers/natscore, workers/jetstream, workers/memphis), and the table of
// protocols (package protocols) names their constructors.
package workers

import (
	"context"
	"time"

	"github.com/stationbench/stationbench/scenarios"
)

// Acker receives the outcome of a published message. A driver calls it with
// the sequence number that was passed to Publish; for one producer, calls
// never overlap.
type Acker interface {
	Ack(seq uint64, ok bool)
}

// Producer publishes one worker's messages.
type Producer interface {
	// Publish sends one message. It must not keep payload after returning.
	Publish(seq uint64, payload []byte) error
	// Close releases what the producer holds (its connection, unless shared).
	Close(ctx context.Context) error
}

// Untimed is implemented by a Producer whose messages nobody times: no
// acknowledgement, and no delivery receiver reading the send times stamped
// in them (core NATS with the station's subscriber off). Its worker's
// closed loop then reads the clock once every few dozen messages instead
// of once per message, which a bare publishing loop does not do either.
// A Producer that does not implement it is timed.
type Untimed interface {
	Untimed() bool
}

// ProducerSpec names one producer worker of a step.
type ProducerSpec struct {
	Index int    // 1-based
	Name  string // unique in the station
}

// ServerInfo is what a target says about itself.
type ServerInfo struct {
	Version string
	Name    string
	// MaxPayload is the largest message the server takes (its max_payload,
	// from INFO); 0 when the driver does not know.
	MaxPayload int64
}

// StepSpec is what a driver needs to know to prepare one step.
type StepSpec struct {
	Producers int
	Clock     *Clock // the step's clock; delivery receivers time against it
	Drain     time.Duration
}

// Step is one step's session with a target: it opens the producers and,
// for kinds without acknowledgements, receives the deliveries.
type Step interface {
	NewProducer(ctx context.Context, p ProducerSpec, acks Acker) (Producer, error)
	// Acked reports whether producers' messages are acknowledged (and so
	// timed by the worker) rather than observed by a delivery receiver.
	Acked() bool
	// Start is called once every producer exists, just before load starts,
	// with the measured window.
	Start(w Window)
	// Finish closes what the step opened and returns what the driver
	// measured itself. Producers must be closed first.
	Finish(ctx context.Context) (StepResult, error)
}

// StepResult is what a driver measured about a step.
type StepResult struct {
	// Deliveries is the delivery receiver's record (nats kind with its
	// subscriber on); nil otherwise.
	Deliveries *AckStats
	// DeliveriesByProducer splits the deliveries by the producer that sent
	// them (index N-1); Deliveries then holds only those it could not
	// attribute.
	DeliveriesByProducer []*AckStats
	// Notes are things the driver wants said in the result, such as a
	// memphis station that existed and was used as it is.
	Notes []string
}

// Driver speaks one protocol to one target. The runner makes one per target.
type Driver interface {
	// Connect checks that the target is reachable and usable.
	Connect(ctx context.Context) (ServerInfo, error)
	// BeginStep readies the station (created when missing, emptied when the
	// scenario asks) and opens what the step shares.
	BeginStep(ctx context.Context, spec StepSpec) (Step, error)
	// Close ends the session: stations the run created are deleted when the
	// scenario's cleanup says so.
	Close(ctx context.Context) error
}

// Config is what a driver is made from: its target and the few settings
// of the scenario that drivers read, never the whole scenario.
type Config struct {
	Target scenarios.Target
	URL    string // resolved: never "embedded"
	// Station is where every step writes: its name or subject, storage,
	// replicas, cleanup, reset and purge, subscriber, verification and the
	// Memphis station options.
	Station scenarios.Station
	// SharedConnection: producers.connections is shared, so one connection
	// carries every producer of a step (else one each).
	SharedConnection bool
	// Dedup (memphis): each message carries a msg-id (message.dedup).
	Dedup bool
	// Batch (memphis-http): messages per request (message.batch); 0 or 1
	// sends them one at a time.
	Batch int
	// Faults, when set, is where the driver reports what happens to every
	// connection its producers use (ConnDown, ConnUp, ConnLost); the runner
	// makes one per target.
	Faults *Faults
	// RunID names the run; what a driver creates on the server is marked
	// with it (see StreamMetadata).
	RunID string
	// LeaveStation: another agent of a distributed run (segment 0)
	// creates, resets, verifies and deletes the station; this driver only
	// writes into it, and never creates, purges or deletes it.
	LeaveStation bool
}

// Clock measures a step's time as nanoseconds since the step began, on the
// monotonic clock. It is immutable, so every goroutine of a step may read it.
type Clock struct{ start time.Time }

// NewClock starts a clock now.
func NewClock() *Clock { return &Clock{start: time.Now()} }

// Now is the time since the clock started, in nanoseconds.
func (c *Clock) Now() int64 { return int64(time.Since(c.start)) }

// Start is when the clock started.
func (c *Clock) Start() time.Time { return c.start }
