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

// ring holds one producer's messages in flight: it bounds how many there
// are (MaxPending) and remembers when each was meant to leave and when it
// did. It takes no lock and allocates nothing per message: the publisher
// blocks on the wake channel only when the ring is full, and the receiver
// signals only when the ring has drained to its low-water mark. (Not to be
// confused with Window, the measured part of a step.)
type ring struct {
	slots    []slot
	inflight atomic.Int64
	waiting  atomic.Bool
	wake     chan struct{}
	low      int64 // wake a waiting publisher at this many in flight
	timer    *time.Timer
}

func newRing(size int) *ring {
	low := int64(size) * 3 / 4
	if size < 4 {
		low = int64(size) - 1
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &ring{
		slots: make([]slot, size),
		wake:  make(chan struct{}, 1),
		low:   low,
		timer: t,
	}
}

func (r *ring) slotOf(seq uint64) *slot { return &r.slots[seq%uint64(len(r.slots))] }

// put records a message as in flight. The caller has made sure its slot is
// free (acquire).
func (r *ring) put(seq uint64, intended, sent int64) {
	s := r.slotOf(seq)
	s.intended.Store(intended)
	s.sent.Store(sent)
	r.inflight.Add(1)
	s.seq.Store(seq)
}

// claim takes the slot of seq back, once: it returns false when the slot was
// already claimed (an ack after a timeout, or a duplicate).
func (r *ring) claim(seq uint64) (intended, sent int64, ok bool) {
	s := r.slotOf(seq)
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
// the ring has room enough.
func (r *ring) release() {
	n := r.inflight.Add(-1)
	if n <= r.low && r.waiting.Load() && r.waiting.CompareAndSwap(true, false) {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// expired is called for a message whose ack did not come in time.
type expired func(seq uint64, intended, sent int64)

// acquire waits until the slot for seq is free. A message occupying it
// whose ack is overdue (sent more than timeout before now) is claimed and
// passed to onExpired. It returns false when stop closes first.
func (r *ring) acquire(seq uint64, timeout time.Duration, now func() int64, onExpired expired, stop <-chan struct{}) bool {
	s := r.slotOf(seq)
	for {
		old := s.seq.Load()
		if old == free {
			return true
		}
		deadline := s.sent.Load() + int64(timeout)
		wait := time.Duration(deadline - now())
		if wait <= 0 {
			if intended, sent, ok := r.claim(old); ok {
				r.release()
				onExpired(old, intended, sent)
			}
			continue
		}
		r.waiting.Store(true)
		if s.seq.Load() != old { // freed between the check and the flag
			r.waiting.Store(false)
			continue
		}
		r.timer.Reset(wait)
		select {
		case <-r.wake:
		case <-r.timer.C:
		case <-stop:
			r.timer.Stop()
			r.waiting.Store(false)
			return false
		}
		r.timer.Stop()
	}
}

// stopGrace is how long a drain still waits for acks once the step was
// stopped (interrupted, or the target lost for good).
const stopGrace = time.Second

// drain waits until nothing is in flight or the deadline passes, then claims
// whatever is still outstanding and passes it to onExpired. Once stop is
// closed it waits at most stopGrace more.
func (r *ring) drain(deadline time.Time, stop <-chan struct{}, onExpired expired) {
	for r.inflight.Load() > 0 {
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		r.waiting.Store(true)
		if r.inflight.Load() == 0 {
			r.waiting.Store(false)
			break
		}
		r.timer.Reset(min(wait, 10*time.Millisecond))
		select {
		case <-r.wake:
		case <-r.timer.C:
		case <-stop:
			if grace := time.Now().Add(stopGrace); grace.Before(deadline) {
				deadline = grace
			}
			stop = nil
		}
		r.timer.Stop()
	}
	r.waiting.Store(false)
	for i := range r.slots {
		s := &r.slots[i]
		if seq := s.seq.Load(); seq != free {
			if intended, sent, ok := r.claim(seq); ok {
				r.release()
				onExpired(seq, intended, sent)
			}
		}
	}
}
