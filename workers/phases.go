package workers

import (
	"sync"
	"sync/atomic"
	"time"
)

// pauseState is the control side of pausing: the runner's phase goroutine
// writes it; the publishing goroutine only loads paused (one atomic load
// per message) and waits on resume while paused.
type pauseState struct {
	paused atomic.Bool
	resume chan struct{} // capacity 1: a pending wake-up
	timer  *time.Timer   // the publisher's; made on the first pause

	mu    sync.Mutex // control path only; never taken by the publisher
	since int64      // clock offset the current pause began
	spans []span     // finished pauses
}

// span is one pause, as offsets on the step clock.
type span struct{ from, to int64 }

// Pause stops the worker sending from its next message on; its connection
// and its messages in flight stay as they are. It returns false when the
// worker was already paused.
func (w *Worker) Pause() bool {
	p := &w.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused.Load() {
		return false
	}
	p.since = w.cfg.Clock.Now()
	p.paused.Store(true)
	w.trace.lifecycle(EventPause, false, 0, "")
	return true
}

// Resume lets a paused worker send again. It returns false when the worker
// was not paused.
func (w *Worker) Resume() bool {
	p := &w.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused.Load() {
		return false
	}
	p.spans = append(p.spans, span{p.since, w.cfg.Clock.Now()})
	p.paused.Store(false)
	select {
	case p.resume <- struct{}{}:
	default:
	}
	w.trace.lifecycle(EventResume, false, 0, "")
	return true
}

// Paused reports whether the worker is paused now.
func (w *Worker) Paused() bool { return w.pause.paused.Load() }

// PausedWithin is how long the worker was paused inside win; a pause still
// going on counts until now.
func (w *Worker) PausedWithin(win Window) time.Duration {
	p := &w.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	spans := p.spans
	if p.paused.Load() {
		spans = append(spans[:len(spans):len(spans)], span{p.since, w.cfg.Clock.Now()})
	}
	var total int64
	for _, s := range spans {
		lo, hi := max(s.from, int64(win.From)), min(s.to, int64(win.To))
		if hi > lo {
			total += hi - lo
		}
	}
	return time.Duration(total)
}

// holdPaused waits while the worker is paused. It returns false when the
// window ends (at end) or Stop is called first. Publisher goroutine only.
func (w *Worker) holdPaused(end int64) bool {
	p := &w.pause
	if p.timer == nil {
		p.timer = time.NewTimer(time.Hour)
		p.timer.Stop()
	}
	for p.paused.Load() {
		wait := end - w.cfg.Clock.Now()
		if wait <= 0 {
			return false
		}
		p.timer.Reset(time.Duration(wait))
		select {
		case <-p.resume:
			p.timer.Stop()
		case <-p.timer.C:
			return false
		case <-w.stop:
			p.timer.Stop()
			return false
		}
	}
	return true
}

// Reconnected counts a reconnection of the producer's connection (a
// driver's reconnect handler calls it) and traces it.
func (w *Worker) Reconnected() {
	w.reconnects.Add(1)
	w.trace.lifecycle(EventReconnect, true, 0, "")
}

// Reconnects is how many times the producer's connection came back.
func (w *Worker) Reconnects() int64 { return w.reconnects.Load() }

// Name is the producer's name.
func (w *Worker) Name() string { return w.cfg.Spec.Name }

// LiveBuckets is the number of finite live latency buckets.
const LiveBuckets = 17

// LiveBoundsNs returns the upper bounds of the live latency buckets.
func LiveBoundsNs() [LiveBuckets]int64 {
	return [LiveBuckets]int64{
		50e3, 100e3, 250e3, 500e3, 1e6, 2.5e6, 5e6, 10e6, 25e6, 50e6, 100e6, 250e6, 500e6, 1e9, 2.5e9, 5e9, 10e9,
	}
}

// LiveLatency is a bucketed latency distribution that the ack receiver
// adds its latencies to a buffer at a time (off the per-message path) and
// that may be read at any time.
type LiveLatency struct {
	counts [LiveBuckets + 1]atomic.Int64 // the last is +Inf
	sumNs  atomic.Int64
}

// LiveSnapshot is a reading of a worker's progress counters.
type LiveSnapshot struct {
	Sent, Acked, Errors int64 // warmup included; exact to within a few dozen
	InFlight            int64
	Paused              bool
	// Buckets counts acknowledged measured messages by latency: Buckets[i]
	// holds those at most LiveBoundsNs()[i] (and above the bound before); the
	// last holds the rest. Filled a second at a time.
	Buckets [LiveBuckets + 1]int64
	SumNs   int64
}

// Live reads the worker's progress counters; safe at any time.
func (w *Worker) Live() LiveSnapshot {
	s := LiveSnapshot{Errors: w.errProgress.Load(), Paused: w.Paused()}
	s.Sent, s.Acked = w.Progress()
	if w.ring != nil {
		s.InFlight = w.ring.inflight.Load()
	}
	for i := range s.Buckets {
		s.Buckets[i] = w.live.counts[i].Load()
	}
	s.SumNs = w.live.sumNs.Load()
	return s
}
