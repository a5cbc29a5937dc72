package workers

import (
	"sync/atomic"
	"time"
)

// free marks an unused slot. Sequence numbers start at 1, so 0 is never a
// message.
const free = 0

// slot holds the send times of one in-flight message. The publisher fills a
// free slot; whoever claims it back (the ack receiver, or the publisher when
// the ack is overdue) frees it. Fields are atomic because two goroutines
// hand the slot to each other.
type slot struct {
	seq      atomic.Uint64
	intended atomic.Int64
	sent     atomic.Int64
}

// window bounds the messages in flight for one producer and remembers when
// each was meant to leave and when it did. It takes no lock and allocates
// nothing per message: the publisher blocks on the wake channel only when
// the window is full, and the receiver signals only when the window has
// drained to its low-water mark.
type window struct {
	slots    []slot
	inflight atomic.Int64
	waiting  atomic.Bool
	wake     chan struct{}
	low      int64 // wake a waiting publisher at this many in flight
	timer    *time.Timer
}

func newWindow(size int) *window {
	low := int64(size) * 3 / 4
	if size < 4 {
		low = int64(size) - 1
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &window{
		slots: make([]slot, size),
		wake:  make(chan struct{}, 1),
		low:   low,
		timer: t,
	}
}

func (w *window) slotOf(seq uint64) *slot { return &w.slots[seq%uint64(len(w.slots))] }

// put records a message as in flight. The caller has made sure its slot is
// free (acquire).
func (w *window) put(seq uint64, intended, sent int64) {
	s := w.slotOf(seq)
	s.intended.Store(intended)
	s.sent.Store(sent)
	w.inflight.Add(1)
	s.seq.Store(seq)
}

// claim takes the slot of seq back, once: it returns false when the slot was
// already claimed (an ack after a timeout, or a duplicate).
func (w *window) claim(seq uint64) (intended, sent int64, ok bool) {
	s := w.slotOf(seq)
	if s.seq.Load() != seq {
		return 0, 0, false
	}
	intended, sent = s.intended.Load(), s.sent.Load()
	if !s.seq.CompareAndSwap(seq, free) {
		return 0, 0, false
	}
	return intended, sent, true
}

// release counts a claimed message out and wakes a waiting publisher when
// the window has room enough.
func (w *window) release() {
	n := w.inflight.Add(-1)
	if n <= w.low && w.waiting.Load() && w.waiting.CompareAndSwap(true, false) {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// expired is called for a message whose ack did not come in time.
type expired func(seq uint64, intended, sent int64)

// acquire waits until the slot for seq is free. A message occupying it
// whose ack is overdue (sent more than timeout before now) is claimed and
// passed to onExpired. It returns false when stop closes first.
func (w *window) acquire(seq uint64, timeout time.Duration, now func() int64, onExpired expired, stop <-chan struct{}) bool {
	s := w.slotOf(seq)
	for {
		old := s.seq.Load()
		if old == free {
			return true
		}
		deadline := s.sent.Load() + int64(timeout)
		wait := time.Duration(deadline - now())
		if wait <= 0 {
			if intended, sent, ok := w.claim(old); ok {
				w.release()
				onExpired(old, intended, sent)
			}
			continue
		}
		w.waiting.Store(true)
		if s.seq.Load() != old { // freed between the check and the flag
			w.waiting.Store(false)
			continue
		}
		w.timer.Reset(wait)
		select {
		case <-w.wake:
		case <-w.timer.C:
		case <-stop:
			w.timer.Stop()
			w.waiting.Store(false)
			return false
		}
		w.timer.Stop()
	}
}

// stopGrace is how long a drain still waits for acks once the step was
// stopped (interrupted, or the target lost for good).
const stopGrace = time.Second

// drain waits until nothing is in flight or the deadline passes, then claims
// whatever is still outstanding and passes it to onExpired. Once stop is
// closed it waits at most stopGrace more.
func (w *window) drain(deadline time.Time, stop <-chan struct{}, onExpired expired) {
	for w.inflight.Load() > 0 {
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		w.waiting.Store(true)
		if w.inflight.Load() == 0 {
			w.waiting.Store(false)
			break
		}
		w.timer.Reset(min(wait, 10*time.Millisecond))
		select {
		case <-w.wake:
		case <-w.timer.C:
		case <-stop:
			if grace := time.Now().Add(stopGrace); grace.Before(deadline) {
				deadline = grace
			}
			stop = nil
		}
		w.timer.Stop()
	}
	w.waiting.Store(false)
	for i := range w.slots {
		s := &w.slots[i]
		if seq := s.seq.Load(); seq != free {
			if intended, sent, ok := w.claim(seq); ok {
				w.release()
				onExpired(seq, intended, sent)
			}
		}
	}
}
