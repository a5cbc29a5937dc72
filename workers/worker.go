package workers

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/stationbench/stationbench/result"
)

// WorkerConfig is what one producer worker runs with.
type WorkerConfig struct {
	Spec  ProducerSpec
	Clock *Clock
	// Schedule gives intended send times for open-loop load, relative to
	// the load's start; nil is closed loop: each message is sent as soon as
	// the in-flight window allows.
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
	// PayloadSize is the message size in bytes.
	PayloadSize int
	// LiveLatency fills the live latency buckets (Live) once a second; off
	// unless live metrics are served, since filling them allocates.
	LiveLatency bool
}

// Worker is one producer: it paces, publishes, keeps its messages in flight
// and records what happened. The publishing goroutine owns Send; the ack
// receiver owns Acks; Progress may be read at any time.
type Worker struct {
	cfg     WorkerConfig
	window  Window // the measured window; set by Run
	start   int64  // the load's start; set by Run
	prod    Producer
	win     *window // nil when the kind has no acknowledgements
	payload []byte
	stop    chan struct{}
	stopped atomic.Bool

	Send SendStats
	// acks is published by Run before the first message, so the receiver
	// goroutine sees it through the atomic.
	acks  atomic.Pointer[AckStats]
	acked bool
	gate  gate

	// Progress counters for live display, updated every so many messages.
	sentProgress  atomic.Int64
	ackedProgress atomic.Int64
	errProgress   atomic.Int64 // every error, warmup included
	reconnects    atomic.Int64
	live          LiveLatency // measured ack latencies, a second at a time

	pause pauseState // see phases.go
	// trace is nil unless tracing is on; pubEvery and ackEvery sample its
	// message events by sequence number (0: not traced).
	trace              *Tracer
	pubEvery, ackEvery uint64

	// sendErrs is the publishing goroutine's table of error texts, ackErrs
	// the ack receiver's (errtexts.go); written only on the error path.
	sendErrs, ackErrs errTexts
	timeoutText       string
}

// NewWorker makes a worker. The caller connects it to a Producer with
// Attach before Run; acked says whether acks will come (Step.Acked).
func NewWorker(cfg WorkerConfig, acked bool) *Worker {
	w := &Worker{
		cfg:         cfg,
		payload:     make([]byte, cfg.PayloadSize),
		stop:        make(chan struct{}),
		acked:       acked,
		pause:       pauseState{resume: make(chan struct{}, 1)},
		timeoutText: fmt.Sprintf("no acknowledgement within %s (the target's timeoutMs)", cfg.AckTimeout),
	}
	for i := range w.payload[min(stampSize, len(w.payload)):] {
		w.payload[stampSize+i] = byte('a' + i%26)
	}
	if acked {
		w.win = newWindow(max(cfg.MaxPending, 1))
	}
	return w
}

// Acks is what the ack receiver recorded; nil for kinds without acks.
// Final after Finish.
func (w *Worker) Acks() *AckStats { return w.acks.Load() }

// AdoptDeliveries gives a worker of a kind without acks the deliveries of
// its messages that a step's receiver recorded, so they count as its own.
// Call after Close.
func (w *Worker) AdoptDeliveries(st *AckStats) {
	if !w.acked && st != nil {
		w.acks.Store(st)
	}
}

// Attach sets the producer the worker publishes with.
func (w *Worker) Attach(p Producer) { w.prod = p }

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
	intended, sent, mine := w.win.claim(seq)
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
	w.win.release()
	w.gate.exit()
}

// expire counts a message whose ack did not come in time.
func (w *Worker) expire(seq uint64, intended, _ int64) {
	w.sendErrs.add(w.timeoutText)
	w.errProgress.Add(1)
	w.trace.lifecycle(EventError, true, seq, "ack timeout")
	if w.window.contains(intended) {
		w.Send.Errors++
		w.Send.Series[w.window.second(intended, len(w.Send.Series))].Errors++
	}
}

// Run sends load from loadStart (an offset on the worker's clock) until the
// measured window ends or Stop is called, then waits (up to Drain) for
// outstanding acks. Messages intended before window.From are warmup. It
// returns the offset at which sending ended.
func (w *Worker) Run(window Window, loadStart time.Duration) (endedAt int64) {
	n := seriesLen(window, w.cfg.Drain)
	w.window, w.start = window, int64(loadStart)
	w.Send = newSendStats(n)
	if w.acked {
		st := newAckStats(window, n)
		if w.cfg.LiveLatency {
			st.live = &w.live
		}
		w.acks.Store(st)
	}
	clock, win, sched := w.cfg.Clock, w.win, w.cfg.Schedule
	end := int64(window.To)
	start := w.start
	lateAfter := int64(w.cfg.LateAfter)
	var sleeper *time.Timer
	if sched != nil {
		sleeper = time.NewTimer(time.Hour)
		sleeper.Stop()
	}
	if sched == nil { // closed loop: the first message leaves at the load's start
		if wait := time.Duration(start - clock.Now()); wait > 0 {
			lead := time.NewTimer(wait)
			w.sleep(lead, wait)
		}
	}
	var i uint64 // index into the schedule
	seq := uint64(0)
	for !w.stopped.Load() {
		var intended int64
		if sched != nil {
			intended = start + int64(sched.At(i))
			if intended >= end {
				break
			}
			if wait := intended - clock.Now(); wait > 0 && !w.sleep(sleeper, time.Duration(wait)) {
				break
			}
		}
		if w.pause.paused.Load() {
			// Paused: send nothing; in open loop the schedule of the
			// pause is skipped, so it is neither sent nor offered.
			ok := w.holdPaused(end)
			if sched != nil {
				i = max(i, sched.Before(time.Duration(min(clock.Now(), end)-start)))
			}
			if !ok {
				break
			}
			continue
		}
		if sched == nil && win != nil {
			// Closed loop: a message is due when the window has room, so
			// its intended time is taken after that wait, not before.
			if !win.acquire(seq+1, w.cfg.AckTimeout, clock.Now, w.expire, w.stop) {
				break
			}
		}
		now := clock.Now()
		if now >= end {
			break
		}
		if sched == nil {
			intended = now
		}
		i++
		seq++
		measured := w.window.contains(intended)
		var sec *SendSecond
		if measured {
			sec = &w.Send.Series[w.window.second(intended, len(w.Send.Series))]
			w.Send.Offered++
			sec.Offered++
		}
		sent := now
		if win != nil {
			if sched != nil { // open loop: the window may hold this send back
				if !win.acquire(seq, w.cfg.AckTimeout, clock.Now, w.expire, w.stop) {
					break
				}
				sent = clock.Now()
			} // closed loop: acquired above, before now was read
			win.put(seq, intended, sent)
		}
		stamp(w.payload, intended, sent)
		if err := w.prod.Publish(seq, w.payload); err != nil {
			w.publishFailed(seq, intended, err)
			continue
		}
		if w.pubEvery != 0 && seq%w.pubEvery == 0 {
			w.trace.emit(Event{AtNs: sent, Seq: seq, Type: EventPublish})
		}
		if !measured {
			if intended >= end {
				w.Send.Drain++ // after the window: not warmup
			} else {
				w.Send.Warmup++
			}
			continue
		}
		w.Send.Sent++
		sec.Sent++
		if sched != nil && sent-intended > lateAfter {
			w.Send.Late++
		}
		if seq&63 == 0 {
			w.sentProgress.Store(int64(seq))
		}
	}
	endedAt = min(clock.Now(), end)
	w.countUnsent(i, endedAt)
	w.sentProgress.Store(int64(seq))
	if win != nil {
		win.drain(time.Now().Add(w.cfg.Drain), w.stop, w.expire)
	}
	return endedAt
}

// publishFailed counts a publish the connection refused, takes its slot
// back, and backs off briefly so a broken connection is not spun on.
func (w *Worker) publishFailed(seq uint64, intended int64, err error) {
	w.sendErrs.add("publish: " + err.Error())
	w.errProgress.Add(1)
	w.trace.lifecycle(EventError, false, seq, "publish failed")
	if w.win != nil {
		if _, _, ok := w.win.claim(seq); ok {
			w.win.release()
		}
	}
	if w.window.contains(intended) {
		w.Send.Errors++
		w.Send.Series[w.window.second(intended, len(w.Send.Series))].Errors++
	}
	t := time.NewTimer(time.Millisecond)
	select {
	case <-t.C:
	case <-w.stop:
		t.Stop()
	}
}

// countUnsent adds to Offered the scheduled messages of the measured window
// that were never sent because the worker fell behind or was stopped early
// (open loop only; closed loop offers exactly what it sends). next is the
// first schedule index not sent.
func (w *Worker) countUnsent(next uint64, endedAt int64) {
	sched := w.cfg.Schedule
	if sched == nil {
		return
	}
	to := time.Duration(min(int64(w.window.To), endedAt))
	start := time.Duration(w.start)
	for sec := range w.Send.Series {
		lo := w.window.From + time.Duration(sec)*time.Second
		hi := min(lo+time.Second, to)
		if lo >= hi {
			return
		}
		first := max(next, sched.Before(lo-start))
		if last := sched.Before(hi - start); last > first {
			n := int64(last - first)
			w.Send.Offered += n
			w.Send.Series[sec].Offered += n
		}
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
