package workers

import (
	"context"
	"testing"
	"time"
)

// asyncAcks is a Producer that acknowledges on a goroutine of its own, as a
// driver's receiver does, so that a small ring fills and the publisher
// waits on it. It isolates the worker loop; the drivers are tested against
// real servers in their own tests.
type asyncAcks struct {
	acks Acker
	ch   chan uint64
	done chan struct{}
	n    int
	stop func()
}

func newAsyncAcks(acks Acker, n int, stop func()) *asyncAcks {
	a := &asyncAcks{acks: acks, ch: make(chan uint64, 1024), done: make(chan struct{}), n: n, stop: stop}
	go func() {
		for seq := range a.ch {
			a.acks.Ack(seq, true)
		}
		close(a.done)
	}()
	return a
}

func (a *asyncAcks) Publish(seq uint64, _ []byte) error {
	a.ch <- seq
	if a.n--; a.n == 0 {
		a.stop()
	}
	return nil
}

func (a *asyncAcks) Close(context.Context) error {
	close(a.ch)
	<-a.done
	return nil
}

// sinkProducer is a Producer of a kind without acks: it takes each message
// and stops its worker after n.
type sinkProducer struct {
	n    int
	stop func()
}

func (s *sinkProducer) Publish(uint64, []byte) error {
	if s.n--; s.n == 0 {
		s.stop()
	}
	return nil
}

func (s *sinkProducer) Close(context.Context) error { return nil }

// TestWorkerLoopAllocatesNothingPerMessage runs whole workers of n and of
// n+10,000 messages, in each mode of the loop, and checks that the extra
// messages allocate nothing: setting a worker up allocates, its messages
// must not. (A closed second's merge may allocate once a second; a run
// here lasts far less, and the bound tolerates it.)
func TestWorkerLoopAllocatesNothingPerMessage(t *testing.T) {
	tests := []struct {
		name    string
		sched   Schedule
		pending int
		acks    string // "sync", "async" or "none"
	}{
		{"closed loop, acks in the publishing goroutine", nil, 256, "sync"},
		{"closed loop, async acks, the ring fills", nil, 4, "async"},
		{"closed loop, no acks", nil, 0, "none"},
		{"open loop, async acks, sleeping to the schedule", ConstantRate{PerSec: 200_000}, 64, "async"},
		{"open loop, behind the schedule", ConstantRate{PerSec: 1e12}, 256, "sync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(n int) {
				w := NewWorker(WorkerConfig{Clock: NewClock(), Schedule: tt.sched, MaxPending: tt.pending,
					AckTimeout: time.Minute, Drain: time.Second, LateAfter: time.Millisecond, PayloadSize: 128}, tt.acks != "none")
				switch tt.acks {
				case "sync":
					w.Attach(&loopback{acks: w, n: n, stop: w.Stop})
				case "async":
					w.Attach(newAsyncAcks(w, n, w.Stop))
				default:
					w.Attach(&sinkProducer{n: n, stop: w.Stop})
				}
				w.Run(Window{From: 0, To: time.Hour}, 0)
				if err := w.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				if w.Send.Sent != int64(n) {
					t.Fatalf("sent %d, want %d", w.Send.Sent, n)
				}
				if a := w.Acks(); a != nil && a.Acked != int64(n) {
					t.Fatalf("acked %d, want %d", a.Acked, n)
				}
			}
			const small, extra = 1000, 10_000
			base := testing.AllocsPerRun(3, func() { run(small) })
			more := testing.AllocsPerRun(3, func() { run(small + extra) })
			perMsg := (more - base) / extra
			t.Logf("%.0f allocations for a worker of %d messages, %.0f for %d: %.4f per message", base, small, more, small+extra, perMsg)
			if perMsg > 0.01 {
				t.Errorf("%.4f allocations per message (%.0f for %d messages, %.0f for %d), want 0", perMsg, base, small, more, small+extra)
			}
		})
	}
}

// silent is a Producer whose messages are never acknowledged; it signals
// each publish on published.
type silent struct{ published chan uint64 }

func (s *silent) Publish(seq uint64, _ []byte) error { s.published <- seq; return nil }

func (s *silent) Close(context.Context) error { return nil }

// TestOpenLoopStoppedOnFullRingOffersWhatWasDue: an open-loop worker whose
// ring is full when it is stopped has offered exactly the messages due in
// the measured window before it ended, whether sent or not, and sent the
// ones the ring took.
func TestOpenLoopStoppedOnFullRingOffersWhatWasDue(t *testing.T) {
	sched := ConstantRate{PerSec: 1000}
	w := NewWorker(WorkerConfig{Clock: NewClock(), Schedule: sched, MaxPending: 2,
		AckTimeout: time.Hour, Drain: 10 * time.Millisecond, LateAfter: time.Millisecond, PayloadSize: 32}, true)
	p := &silent{published: make(chan uint64, 2)}
	w.Attach(p)
	ended := make(chan int64)
	go func() { ended <- w.Run(Window{From: 0, To: time.Hour}, 0) }()
	<-p.published
	<-p.published // the ring is full: the third message waits for room
	w.Stop()
	endedAt := <-ended
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := int64(sched.Before(time.Duration(endedAt))); w.Send.Offered != want || w.Send.Sent != 2 {
		t.Errorf("offered %d, sent %d; want %d due before %s, 2 sent", w.Send.Offered, w.Send.Sent, want, time.Duration(endedAt))
	}
	var perSecond int64
	for _, s := range w.Send.Series {
		perSecond += s.Offered
	}
	if perSecond != w.Send.Offered {
		t.Errorf("offered %d in the series, %d in all", perSecond, w.Send.Offered)
	}
}
