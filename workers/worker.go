package workers

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stationbench/stationbench/result"
)

// WorkerConfig is what one producer worker runs with.
type WorkerConfig struct {
	Spec  ProducerSpec
	Clock *Clock
	// Schedule gives intended send times for open-loop load, relative to
	// the load's start; nil is closed loop: each message is sent as soon as
	// the in-flight ring has room.
	Schedule Schedule
	// MaxPending bounds unacknowledged messages (1 is synchronous).
	MaxPending int
	// AckTimeout is how long an ack may take before the message counts as
	// an error.
	AckTimeout time.Duration
	// Drain bounds the wait for outstanding acks after the window ends.
	Drain time.Duration
	// LateAfter: open-loop sends leaving later than this after their
	// intended time are counted late.
	LateAfter time.Duration
	// Spin makes the open-loop pacer wait actively once its timer has
	// woken, with no fine sleep (scenarios.PacerSpin; see openLoop).
	Spin bool
	// Peers is how many producers of the step run in this process (0 is
	// taken as 1): the open-loop pacer shares its active wait among them,
	// so that the step's active waiting stays bounded whatever the count.
	Peers int
	// PayloadSize is the message size in bytes.
	PayloadSize int
	// LiveLatency fills the live latency buckets (Live) once a second; off
	// unless live metrics are served, since filling them allocates.
	LiveLatency bool
	// Seconds are the step's per-second latency histograms, shared by all
	// its workers (NewSecondHistograms, one per step); nil gives the worker
	// its own, for a worker run alone.
	Seconds *SecondHistograms
	// Sleepers bounds the step's producers' fine sleeps (NewFineSleepers,
	// one per step); nil gives the worker its own.
	Sleepers *FineSleepers
}

// Worker is one producer: it paces, publishes, keeps its messages in flight
// and records what happened. The publishing goroutine (Run) owns Send; the
// ack receiver owns Acks; Progress and Live may be read at any time.
type Worker struct {
	// Set up by NewWorker, Attach and SetTracer, before Run.
	cfg         WorkerConfig
	prod        Producer
	ring        *ring // messages in flight; nil when the kind has no acknowledgements
	payload     []byte
	timeoutText string
	// trace is nil unless tracing is on; pubEvery and ackEvery sample its
	// message events by sequence number (0: not traced).
	trace              *Tracer
	pubEvery, ackEvery uint64

	// Written by Run, on the publishing goroutine.
	measured Window // the step's measured window
	Send     SendStats
	sendErrs errTexts // error texts of publishing (errtexts.go)

	// pacerLag is the open-loop pacer's lag (pacer.go), written by Run.
	pacerLag *hdrhistogram.Histogram
	// untimed: nobody times this worker's messages (Untimed), set by Attach.
	untimed bool
	// sec is the send series' current second, [secFrom, secTo) on the
	// step clock (sendSecond); written by Run.
	sec            *SendSecond
	secFrom, secTo int64

	// Written by the ack receiver. acks is published by Run before the
	// first message, so the receiver goroutine sees it through the atomic.
	acks    atomic.Pointer[AckStats]
	gate    gate
	ackErrs errTexts

	// Control, from any goroutine.
	stop    chan struct{}
	stopped atomic.Bool
	pause   pauseState // see phases.go

	// Progress counters for live display, updated every so many messages.
	sentProgress  atomic.Int64
	ackedProgress atomic.Int64
	errProgress   atomic.Int64 // every error, warmup included
	reconnects    atomic.Int64
	live          LiveLatency // measured ack latencies, a second at a time
}

// NewWorker makes a worker. The caller connects it to a Producer with
// Attach before Run; acked says whether acks will come (Step.Acked).
func NewWorker(cfg WorkerConfig, acked bool) *Worker {
	if cfg.Seconds == nil {
		cfg.Seconds = NewSecondHistograms()
	}
	if cfg.Sleepers == nil {
		cfg.Sleepers = NewFineSleepers()
	}
	w := &Worker{
		cfg:         cfg,
		payload:     make([]byte, cfg.PayloadSize),
		stop:        make(chan struct{}),
		pause:       pauseState{resume: make(chan struct{}, 1)},
		timeoutText: fmt.Sprintf("no acknowledgement within %s (the target's timeoutMs)", cfg.AckTimeout),
	}
	for i := range w.payload[min(stampSize, len(w.payload)):] {
		w.payload[stampSize+i] = byte('a' + i%26)
	}
	if acked {
		w.ring = newRing(max(cfg.MaxPending, 1))
	}
	return w
}

// Acks is what the ack receiver recorded; nil for kinds without acks.
// Final after Finish.
func (w *Worker) Acks() *AckStats { return w.acks.Load() }

// PacerLag is how late the open-loop pacer let each measured message go
// (ns, see result.Run.PacerLagUs); nil in closed loop. Final after Run.
func (w *Worker) PacerLag() *hdrhistogram.Histogram { return w.pacerLag }

// AdoptDeliveries gives a worker of a kind without acks the deliveries of
// its messages that a step's receiver recorded, so they count as its own.
// Call after Close.
func (w *Worker) AdoptDeliveries(st *AckStats) {
	if w.ring == nil && st != nil {
		w.acks.Store(st)
	}
}

// Attach sets the producer the worker publishes with.
func (w *Worker) Attach(p Producer) {
	w.prod = p
	u, ok := p.(Untimed)
	w.untimed = ok && u.Untimed()
}

// SetTracer turns tracing on for the worker; call before Run.
func (w *Worker) SetTracer(t *Tracer) {
	w.trace = t
	if t != nil {
		w.pubEvery, w.ackEvery = t.pubEvery, t.ackEvery
	}
}

// Stop asks Run to end early (interrupt); it returns at once.
func (w *Worker) Stop() {
	if w.stopped.CompareAndSwap(false, true) {
		close(w.stop)
	}
}

// Progress returns how many messages were sent and acknowledged so far,
// warmup included; exact to within a few dozen.
func (w *Worker) Progress() (sent, acked int64) {
	return w.sentProgress.Load(), w.ackedProgress.Load()
}

// Ack implements Acker: the driver's receiver calls it for each ack.
func (w *Worker) Ack(seq uint64, ok bool) { w.ack(seq, ok, "") }

// Nak is Ack(seq, false) with the reason the server gave, kept among the
// worker's error texts. Drivers call it, when they know the reason,
// instead of Ack.
func (w *Worker) Nak(seq uint64, reason string) { w.ack(seq, false, reason) }

// ErrorTexts are the distinct error texts the worker saw, warmup included,
// most frequent first. Call after Close.
func (w *Worker) ErrorTexts() []result.ErrorText { return mergeErrorTexts(&w.sendErrs, &w.ackErrs) }

func (w *Worker) ack(seq uint64, ok bool, reason string) {
	if !w.gate.enter() {
		return
	}
	now := w.cfg.Clock.Now()
	st := w.acks.Load()
	intended, sent, mine := w.ring.claim(seq)
	if !mine || st == nil {
		if st != nil {
			st.Stale++
		}
		w.gate.exit()
		return
	}
	st.record(intended, sent, now, ok)
	if !ok {
		if reason == "" {
			reason = "negative acknowledgement"
		}
		w.ackErrs.add(reason)
		w.errProgress.Add(1)
		w.trace.lifecycle(EventError, true, seq, "negative acknowledgement")
	} else if w.ackEvery != 0 && seq%w.ackEvery == 0 {
		w.trace.emit(Event{AtNs: now, Seq: seq, LatencyNs: now - intended, Type: EventAck, In: true})
	}
	if seq&63 == 0 {
		w.ackedProgress.Store(int64(seq))
	}
	w.ring.release()
	w.gate.exit()
}

// expire counts a message whose ack did not come in time.
func (w *Worker) expire(seq uint64, intended, _ int64) {
	w.sendErrs.add(w.timeoutText)
	w.errProgress.Add(1)
	w.trace.lifecycle(EventError, true, seq, "ack timeout")
	if w.measured.contains(intended) {
		w.Send.Errors++
		w.Send.Series[w.measured.second(intended, len(w.Send.Series))].Errors++
	}
}

// Run sends load from loadStart (an offset on the worker's clock) until the
// measured window ends or Stop is called, then waits (up to Drain) for
// outstanding acks. Messages intended before window.From are warmup. It
// returns the offset at which sending ended.
func (w *Worker) Run(window Window, loadStart time.Duration) (endedAt int64) {
	pace := w.begin(window, loadStart)
	var seq uint64
	batch := w.batch()
	for !w.stopped.Load() {
		d, ok := pace.next(seq + 1) // waits until the message is due
		if !ok {
			break
		}
		seq++
		w.send(seq, d)
		if batch > 1 {
			seq = w.sendRest(seq, d, batch-1)
		}
	}
	endedAt = min(w.cfg.Clock.Now(), int64(window.To))
	pace.unsent(endedAt)
	w.sentProgress.Store(int64(seq))
	if w.ring != nil {
		w.ring.drain(time.Now().Add(w.cfg.Drain), w.stop, w.expire)
	}
	return endedAt
}

// begin sets up the records of a run over the measured window and returns
// its pacer.
func (w *Worker) begin(window Window, loadStart time.Duration) pacer {
	n := seriesLen(window, w.cfg.Drain)
	w.measured = window
	w.Send = newSendStats(n)
	w.sec = nil
	if w.cfg.Schedule != nil {
		w.pacerLag = result.NewPacerLagHistogram()
	}
	if w.ring != nil {
		st := newAckStats(window, n, w.cfg.Seconds)
		if w.cfg.LiveLatency {
			st.live = &w.live
		}
		w.acks.Store(st)
	}
	return newPacer(w, int64(loadStart), int64(window.To))
}

// send publishes message seq, which departs as d, and counts it.
func (w *Worker) send(seq uint64, d departure) {
	measured := w.measured.contains(d.intended)
	var sec *SendSecond
	if measured {
		sec = w.sendSecond(d.intended)
		w.Send.Offered++
		sec.Offered++
	}
	if w.ring != nil {
		w.ring.put(seq, d.intended, d.sent)
	}
	if !w.untimed { // nobody reads the times of an untimed producer's messages
		stamp(w.payload, d.intended, d.sent)
	}
	if err := w.prod.Publish(seq, w.payload); err != nil {
		w.publishFailed(seq, d.intended, err)
		return
	}
	if w.pubEvery != 0 && seq%w.pubEvery == 0 {
		w.trace.emit(Event{AtNs: d.sent, Seq: seq, Type: EventPublish})
	}
	if !measured {
		if d.intended >= int64(w.measured.To) {
			w.Send.Drain++ // after the window: not warmup
		} else {
			w.Send.Warmup++
		}
		return
	}
	w.Send.Sent++
	sec.Sent++
	if d.late {
		w.Send.Late++
	}
	if seq&63 == 0 {
		w.sentProgress.Store(int64(seq))
	}
}

// batch is how many messages leave on one clock reading: clockEvery for a
// closed loop that nobody times (no ring, an Untimed producer, no trace of
// its publishes; see closedLoop), else one.
func (w *Worker) batch() uint64 {
	if w.cfg.Schedule == nil && w.ring == nil && w.untimed && w.pubEvery == 0 {
		return clockEvery
	}
	return 1
}

// sendRest publishes the n messages after seq, which depart as d did (the
// rest of an untimed closed loop's batch), and counts them as send would
// have. It returns the last sequence number it published; it stops early
// when a publish fails and the worker is stopped.
func (w *Worker) sendRest(seq uint64, d departure, n uint64) uint64 {
	var tried, ok int64
	for last := seq + n; seq < last; tried++ {
		seq++
		if err := w.prod.Publish(seq, w.payload); err != nil {
			w.publishFailed(seq, d.intended, err) // counts the error, backs off
			if w.stopped.Load() {
				tried++
				break
			}
			continue
		}
		ok++
	}
	switch {
	case w.measured.contains(d.intended):
		sec := w.sendSecond(d.intended)
		w.Send.Offered += tried
		sec.Offered += tried
		w.Send.Sent += ok
		sec.Sent += ok
	case d.intended >= int64(w.measured.To):
		w.Send.Drain += ok
	default:
		w.Send.Warmup += ok
	}
	w.sentProgress.Store(int64(seq))
	return seq
}

// sendSecond is the second of the send series that holds a measured
// intended time. Intended times only grow, so the second found is kept
// with its bounds, and the division that finds one is done once a second,
// not per message.
func (w *Worker) sendSecond(intended int64) *SendSecond {
	if intended < w.secFrom || intended >= w.secTo || w.sec == nil {
		i := w.measured.second(intended, len(w.Send.Series))
		w.sec = &w.Send.Series[i]
		w.secFrom = int64(w.measured.From) + int64(i)*int64(time.Second)
		w.secTo = w.secFrom + int64(time.Second)
	}
	return w.sec
}

// room waits until the ring has a free slot for message seq, expiring a
// message there whose ack is overdue; true without a ring. False: stopped.
func (w *Worker) room(seq uint64) bool {
	return w.ring == nil || w.ring.acquire(seq, w.cfg.AckTimeout, w.cfg.Clock.Now, w.expire, w.stop)
}

// publishFailed counts a publish the connection refused, takes its slot
// back, and backs off briefly so a broken connection is not spun on.
func (w *Worker) publishFailed(seq uint64, intended int64, err error) {
	w.sendErrs.add("publish: " + err.Error())
	w.errProgress.Add(1)
	w.trace.lifecycle(EventError, false, seq, "publish failed")
	if w.ring != nil {
		if _, _, ok := w.ring.claim(seq); ok {
			w.ring.release()
		}
	}
	if w.measured.contains(intended) {
		w.Send.Errors++
		w.Send.Series[w.measured.second(intended, len(w.Send.Series))].Errors++
	}
	t := time.NewTimer(time.Millisecond)
	select {
	case <-t.C:
	case <-w.stop:
		t.Stop()
	}
}

// sleep waits d or until Stop; false means stopped.
func (w *Worker) sleep(t *time.Timer, d time.Duration) bool {
	t.Reset(d)
	select {
	case <-t.C:
		return true
	case <-w.stop:
		t.Stop()
		return false
	}
}

// Close closes the producer, stops the ack receiver and closes its last
// second. Call after Run has returned; Send and Acks are final after.
func (w *Worker) Close(ctx context.Context) error {
	var err error
	if w.prod != nil {
		err = w.prod.Close(ctx)
	}
	w.gate.close()
	w.trace.Close()
	if st := w.acks.Load(); st != nil {
		st.finish()
	}
	if err != nil {
		return fmt.Errorf("producer %s: %w", w.cfg.Spec.Name, err)
	}
	return nil
}
