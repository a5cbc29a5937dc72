// Package distributed keeps the agents of a distributed run together (run
// --segment i/N): they meet in a JetStream key-value bucket on a control
// NATS server, agree on one run id, measure their clocks against the
// server's, and, before every run of the plan, wait for each other and
// start the load at one absolute wall-clock time, so that their measured
// windows coincide. Segment 0 readies and verifies the station; the other
// agents only write into it. Each agent's result goes to a JetStream object
// store bucket of the run, where segment 0 (or `stationbench merge
// --control`) collects them.
//
// An Agent implements runner.Coordinator. Every wait is bounded by
// Config.Timeout and fails naming the agents that did not come; once an
// agent is missing, every later barrier fails at once, naming it.
package distributed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// Bucket is the key-value bucket the agents meet in. Every key of a run
// starts with its run id; keys expire after BucketTTL.
const Bucket = "stationbench-agents"

// BucketTTL is how long the control bucket keeps a key, and the results
// bucket an agent's result.
const BucketTTL = 24 * time.Hour

// Defaults of Config.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultMaxClockOffset = 50 * time.Millisecond
	DefaultStartMargin    = 300 * time.Millisecond
)

// Config is one agent's part in a distributed run.
type Config struct {
	// URL is the control server's (a NATS server with JetStream).
	URL string
	// Target, when set, is the scenario target whose URL the control URL
	// is: its credentials and TLS settings are used to connect.
	Target *scenarios.Target
	// Segment is this agent's.
	Segment plan.Segment
	// RunID is the run's id, the same on every agent. Empty: segment 0
	// makes one and announces it for the scenario and N (Join says how).
	RunID string
	// Scenario is the scenario's name; Digest identifies its content, so
	// that agents given different scenarios refuse to run together.
	Scenario, Digest string
	// Version is stationbench's.
	Version string
	// Timeout bounds every wait for another agent (default DefaultTimeout).
	Timeout time.Duration
	// MaxClockOffset is the largest offset of this agent's clock from the
	// control server's it runs with (default DefaultMaxClockOffset).
	MaxClockOffset time.Duration
	// StartMargin is the time from the last agent being ready to the start
	// of the load (default DefaultStartMargin).
	StartMargin time.Duration
	// ClockSkew is added to this machine's clock: a test hook that stands
	// for a clock that is off, without changing the clock.
	ClockSkew time.Duration
}

// runIDPattern is what a run id may hold: it names keys and a bucket.
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckRunID refuses a run id that cannot name the run's keys and bucket.
func CheckRunID(id string) error {
	if !runIDPattern.MatchString(id) {
		return fmt.Errorf("run id %q: want 1 to 64 letters, digits, '-' or '_'", id)
	}
	return nil
}

// Agent is this process's membership of a distributed run.
type Agent struct {
	cfg    Config
	nc     *nats.Conn
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	runID  string
	offset time.Duration // this agent's clock minus the server's
	rtt    time.Duration // the round trip the offset was measured over
	self   result.Agent
	// lost, once set, fails every later barrier: an agent did not come.
	lost error
}

// member is what an agent says of itself when it joins.
type member struct {
	Agent  result.Agent `json:"agent"`
	Digest string       `json:"digest"`
	// Error, when set, is why the agent refuses to run.
	Error string `json:"error,omitempty"`
}

// Join connects to the control server, agrees on the run id, measures this
// agent's clock offset, and waits until every agent has joined. An agent
// whose clock is too far off says so to the others and refuses; Join then
// fails on every agent, naming it.
func Join(ctx context.Context, cfg Config) (*Agent, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxClockOffset <= 0 {
		cfg.MaxClockOffset = DefaultMaxClockOffset
	}
	if cfg.StartMargin <= 0 {
		cfg.StartMargin = DefaultStartMargin
	}
	if cfg.RunID != "" {
		if err := CheckRunID(cfg.RunID); err != nil {
			return nil, err
		}
	}
	nc, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, nc: nc}
	if err := a.join(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("agent %s: %w", cfg.Segment, err)
	}
	return a, nil
}

func (a *Agent) join(ctx context.Context) error {
	js, err := jetstream.New(a.nc)
	if err != nil {
		return fmt.Errorf("control server: %w", err)
	}
	a.js = js
	if a.kv, err = ensureKV(ctx, js); err != nil {
		return err
	}
	if err := a.measureClock(ctx); err != nil { // clock.go
		return err
	}
	host, _ := os.Hostname()
	a.self = result.Agent{Segment: a.cfg.Segment.Index, Segments: a.cfg.Segment.Count, Host: host, Version: a.cfg.Version,
		ClockOffsetUs: float64(a.offset) / float64(time.Microsecond)}
	me := member{Agent: a.self, Digest: a.cfg.Digest}
	refused := a.clockRefusal()
	if refused != nil {
		me.Error = refused.Error()
	}
	if err := a.agreeRunID(ctx, me); err != nil { // runid.go
		return err
	}
	if refused != nil {
		return refused
	}
	return a.awaitMembers(ctx)
}

// awaitMembers waits until every agent has joined and checks that each
// runs the same scenario and none refused.
func (a *Agent) awaitMembers(ctx context.Context) error {
	vals, err := a.waitAll(ctx, "agent", "join the run", 0)
	if err != nil {
		return err
	}
	var errs []error
	for seg, v := range vals {
		var m member
		if err := json.Unmarshal(v, &m); err != nil {
			errs = append(errs, fmt.Errorf("agent %d/%d: unreadable: %w", seg, a.cfg.Segment.Count, err))
			continue
		}
		switch {
		case m.Error != "":
			errs = append(errs, fmt.Errorf("agent %d/%d (%s) refused to run: %s", seg, a.cfg.Segment.Count, m.Agent.Host, m.Error))
		case m.Digest != a.cfg.Digest:
			errs = append(errs, fmt.Errorf("agent %d/%d (%s) runs another scenario than this agent (its content differs): every agent needs the same file",
				seg, a.cfg.Segment.Count, m.Agent.Host))
		}
	}
	return errors.Join(errs...)
}

// connect opens the control connection: with the target's credentials
// when the control URL is a target's, else plainly.
func connect(ctx context.Context, cfg Config) (*nats.Conn, error) {
	if cfg.Target != nil {
		nc, err := workers.Connect(ctx, workers.Config{Target: *cfg.Target, URL: cfg.URL}, "stationbench-agent-"+cfg.Segment.String())
		if err != nil {
			return nil, fmt.Errorf("control server: %w", err)
		}
		return nc, nil
	}
	nc, err := nats.Connect(cfg.URL, nats.Name("stationbench-agent-"+cfg.Segment.String()), nats.Timeout(10*time.Second),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		return nil, fmt.Errorf("control server %s: connect: %w", cfg.URL, err)
	}
	return nc, nil
}

// ensureKV opens the control bucket, creating it when missing.
func ensureKV(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: Bucket, TTL: BucketTTL, Storage: jetstream.MemoryStorage,
			Description: "stationbench: agents of distributed runs meet here"})
		if errors.Is(err, jetstream.ErrBucketExists) { // another agent made it first
			kv, err = js.KeyValue(ctx, Bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("control server: key-value bucket %s (the server needs JetStream): %w", Bucket, err)
	}
	return kv, nil
}

// RunID is the run's id, agreed by every agent.
func (a *Agent) RunID() string { return a.runID }

// Segment is this agent's (runner.Coordinator).
func (a *Agent) Segment() plan.Segment { return a.cfg.Segment }

// Agent is this agent as the result lists it (runner.Coordinator).
func (a *Agent) Agent() result.Agent { return a.self }

// JetStream is the control connection's JetStream API.
func (a *Agent) JetStream() jetstream.JetStream { return a.js }

// Close closes the control connection.
func (a *Agent) Close() { a.nc.Close() }

var _ runner.Coordinator = (*Agent)(nil)
