package workers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// EventType names one kind of trace event.
type EventType uint8

// Trace event types.
const (
	EventPublish   EventType = iota + 1 // a message left (sampled)
	EventAck                            // its acknowledgement came back (sampled)
	EventError                          // a publish failed, an ack was negative or timed out (always)
	EventReconnect                      // the producer's connection came back (always)
	EventPause                          // a phase paused the producer (always)
	EventResume                         // a phase resumed it (always)
)

var eventNames = [...]string{"", "publish", "ack", "error", "reconnect", "pause", "resume"}

// String is the name used in scenarios and in trace.jsonl.
func (t EventType) String() string {
	if int(t) < len(eventNames) {
		return eventNames[t]
	}
	return fmt.Sprintf("event(%d)", t)
}

// ParseEventType reads an event type name.
func ParseEventType(s string) (EventType, bool) {
	for i, n := range eventNames {
		if i > 0 && n == s {
			return EventType(i), true
		}
	}
	return 0, false
}

// Event is one traced event. It holds no pointers to per-message data, so
// it travels through a producer's buffer by value, without allocating.
type Event struct {
	AtNs      int64 // offset on the step clock
	Seq       uint64
	LatencyNs int64 // acks: corrected latency
	Type      EventType
	In        bool   // direction: true for what came back from the server
	Err       string // errors: a constant describing what failed
}

// TraceOptions say what a trace records.
type TraceOptions struct {
	Types []EventType
	// Sample is the fraction of messages whose publish and ack are traced
	// (every round(1/Sample)-th sequence number); 0 traces none.
	Sample float64
	// Buffer is the per-producer event buffer (default 1024); events that
	// find it full are dropped and counted.
	Buffer int
	// FlushEvery is how often the writer drains the buffers (default 20ms).
	FlushEvery time.Duration
}

// TraceStats says what a trace wrote.
type TraceStats struct {
	Written int64
	Dropped int64
}

// TraceWriter writes trace events as JSON lines. Each producer emits into
// its own bounded buffer (a Tracer); one goroutine drains them all.
type TraceWriter struct {
	opts  TraceOptions
	mask  uint16
	every uint64
	out   *bufio.Writer
	dst   io.Writer

	mu      sync.Mutex // guards tracers; never taken by a producer
	tracers []*Tracer

	stop    chan struct{}
	once    sync.Once
	done    chan struct{}
	written int64 // writer goroutine only
	dropped int64 // writer goroutine only: drops of removed tracers
	err     error // writer goroutine only
}

// NewTraceWriter starts a writer that writes to dst until Close.
func NewTraceWriter(dst io.Writer, o TraceOptions) *TraceWriter {
	if o.Buffer <= 0 {
		o.Buffer = 1024
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 20 * time.Millisecond
	}
	tw := &TraceWriter{opts: o, dst: dst, out: bufio.NewWriterSize(dst, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	for _, t := range o.Types {
		tw.mask |= 1 << t
	}
	if o.Sample > 0 {
		tw.every = uint64(max(1, math.Round(1/o.Sample)))
	}
	go tw.loop()
	return tw
}

// Tracer is one producer's event buffer.
type Tracer struct {
	name     string
	step     int
	clock    *Clock
	ch       chan Event
	dropped  atomic.Int64
	closed   atomic.Bool
	mask     uint16
	pubEvery uint64 // 0: publishes are not traced
	ackEvery uint64 // 0: acks are not traced
}

// Producer makes the tracer of one producer of step (a 1-based index of the
// run's steps), whose events are timed on clock.
func (tw *TraceWriter) Producer(name string, step int, clock *Clock) *Tracer {
	t := &Tracer{name: name, step: step, clock: clock, ch: make(chan Event, tw.opts.Buffer), mask: tw.mask}
	if tw.mask&(1<<EventPublish) != 0 {
		t.pubEvery = tw.every
	}
	if tw.mask&(1<<EventAck) != 0 {
		t.ackEvery = tw.every
	}
	tw.mu.Lock()
	tw.tracers = append(tw.tracers, t)
	tw.mu.Unlock()
	return t
}

// wants reports whether events of type e are recorded.
func (t *Tracer) wants(e EventType) bool { return t != nil && t.mask&(1<<e) != 0 }

// emit queues ev, or counts it dropped when the buffer is full.
func (t *Tracer) emit(ev Event) {
	select {
	case t.ch <- ev:
	default:
		t.dropped.Add(1)
	}
}

// lifecycle queues an event that is always traced when its type is on.
func (t *Tracer) lifecycle(e EventType, in bool, seq uint64, errText string) {
	if t.wants(e) {
		t.emit(Event{AtNs: t.clock.Now(), Type: e, In: in, Seq: seq, Err: errText})
	}
}

// Close says the producer is done; the writer drains what is left and
// forgets the tracer.
func (t *Tracer) Close() {
	if t != nil {
		t.closed.Store(true)
	}
}

func (tw *TraceWriter) loop() {
	defer close(tw.done)
	tick := time.NewTicker(tw.opts.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tw.stop:
			tw.drainAll(true)
			if err := tw.out.Flush(); err != nil && tw.err == nil {
				tw.err = fmt.Errorf("trace: %w", err)
			}
			return
		case <-tick.C:
			tw.drainAll(false)
		}
	}
}

// drainAll writes what every buffer holds and drops closed tracers.
func (tw *TraceWriter) drainAll(final bool) {
	tw.mu.Lock()
	ts := append([]*Tracer(nil), tw.tracers...)
	tw.mu.Unlock()
	var gone []*Tracer
	for _, t := range ts {
		closed := t.closed.Load() // before draining: nothing comes after
		tw.drain(t)
		if closed || final {
			gone = append(gone, t)
			tw.dropped += t.dropped.Load()
		}
	}
	if len(gone) == 0 {
		return
	}
	tw.mu.Lock()
	kept := tw.tracers[:0]
	for _, t := range tw.tracers {
		if !contains(gone, t) {
			kept = append(kept, t)
		}
	}
	tw.tracers = kept
	tw.mu.Unlock()
}

func contains(ts []*Tracer, t *Tracer) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// traceLine is one line of trace.jsonl.
type traceLine struct {
	Timestamp time.Time      `json:"timestamp"`
	Producer  string         `json:"producer"`
	Type      string         `json:"type"`
	Direction string         `json:"direction"`
	Step      int            `json:"step"`
	Info      map[string]any `json:"info,omitempty"`
}

func (tw *TraceWriter) drain(t *Tracer) {
	for {
		select {
		case ev := <-t.ch:
			tw.write(t, ev)
		default:
			return
		}
	}
}

func (tw *TraceWriter) write(t *Tracer, ev Event) {
	if tw.err != nil {
		return
	}
	l := traceLine{Timestamp: t.clock.Start().Add(time.Duration(ev.AtNs)).UTC(), Producer: t.name,
		Type: ev.Type.String(), Direction: "out", Step: t.step, Info: map[string]any{}}
	if ev.In {
		l.Direction = "in"
	}
	if ev.Seq != 0 {
		l.Info["seq"] = ev.Seq
	}
	if ev.Type == EventAck {
		l.Info["latency_us"] = float64(ev.LatencyNs) / 1e3
	}
	if ev.Err != "" {
		l.Info["error"] = ev.Err
	}
	b, err := json.Marshal(l)
	if err == nil {
		b = append(b, '\n')
		_, err = tw.out.Write(b)
	}
	if err != nil {
		tw.err = fmt.Errorf("trace: %w", err)
		return
	}
	tw.written++
}

// Close drains every buffer, flushes, stops the writer and says how many
// events were written and dropped. It does not close the destination.
func (tw *TraceWriter) Close() (TraceStats, error) {
	tw.once.Do(func() { close(tw.stop) })
	<-tw.done
	return TraceStats{Written: tw.written, Dropped: tw.dropped}, tw.err
}
