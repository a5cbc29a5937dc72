package workers

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestOpenLoopPace checks the open loop's arithmetic: the wait is to the
// absolute time of the next message from the load's start, whatever time
// has passed, and the loop stops at the window's end.
func TestOpenLoopPace(t *testing.T) {
	ms := time.Millisecond
	p := &openLoop{sched: ConstantRate{PerSec: 1000, Phase: ms / 2}, start: int64(10 * ms), end: int64(20 * ms)}
	tests := []struct {
		elapsed  time.Duration
		hits     uint64
		wait     time.Duration
		stop     bool
		scenario string
	}{
		{0, 0, ms / 2, false, "the first message at its phase"},
		{0, 3, 3*ms + ms/2, false, "ahead of the schedule: wait for the absolute time"},
		{ms, 3, 2*ms + ms/2, false, "time passed: the wait shrinks, the time does not move"},
		{5 * ms, 3, -(ms + ms/2), false, "behind: overdue, send at once"},
		{0, 9, 9*ms + ms/2, false, "the last message before the end"},
		{0, 10, 0, true, "past the window's end"},
	}
	for _, tt := range tests {
		wait, stop := p.pace(tt.elapsed, tt.hits)
		if wait != tt.wait || stop != tt.stop {
			t.Errorf("%s: pace(%s, %d) = %s, %v; want %s, %v", tt.scenario, tt.elapsed, tt.hits, wait, stop, tt.wait, tt.stop)
		}
	}
}

// TestCoarseWaitLeavesTheLastStretchToTheFineSleep: the timer, which may
// wake a millisecond late, never sleeps into the last coarseSlack before a
// send.
func TestCoarseWaitLeavesTheLastStretchToTheFineSleep(t *testing.T) {
	for _, tt := range []struct{ wait, want time.Duration }{
		{-time.Millisecond, 0},
		{0, 0},
		{coarseSlack / 2, 0},
		{coarseSlack, 0},
		{coarseSlack + time.Microsecond, time.Microsecond},
		{100 * time.Millisecond, 100*time.Millisecond - coarseSlack},
	} {
		if got := coarseWait(tt.wait); got != tt.want {
			t.Errorf("coarseWait(%s) = %s, want %s", tt.wait, got, tt.want)
		}
	}
}

// TestCalibrateFollowsTheOvershoot: the active wait's budget rises quickly
// towards a fine sleep's overshoot that exceeded it, falls slowly when the
// sleep woke in time, and stays within its bounds whatever happens.
func TestCalibrateFollowsTheOvershoot(t *testing.T) {
	us := time.Microsecond
	if got := calibrate(100*us, 180*us); got != 140*us {
		t.Errorf("overshoot above the budget: %s, want 140µs (half the way up)", got)
	}
	if got := calibrate(100*us, 36*us); got != 99750*time.Nanosecond {
		t.Errorf("overshoot below the budget: %s, want 99.75µs (a 256th of the way down)", got)
	}
	if got := calibrate(100*us, time.Second); got != 100*us {
		t.Errorf("a one-second stall: %s, want 100µs unchanged (the machine's, not the sleep's)", got)
	}
	if got := calibrate(maxSlack-us, maxSlack); got != maxSlack-us+us/2 {
		t.Errorf("an overshoot at the bound: %s, want %s", got, maxSlack-us+us/2)
	}
	if got := calibrate(minSlack, 0); got != minSlack {
		t.Errorf("no overshoot: %s, want the bound %s", got, minSlack)
	}
	// A steady overshoot: the budget settles just above it, so the active
	// wait is short and the send is not late.
	s := initialSlack
	for range 2000 {
		s = calibrate(s, 60*us)
	}
	if s < 60*us || s > 62*us {
		t.Errorf("steady 60µs overshoot: budget %s, want 60-62µs", s)
	}
	// Overshoots of 40µs with one in fifty of 150µs (a sleep after a long
	// idle): the budget settles high in between, so the rare late wake-up
	// leaves at most a few tens of microseconds late, not 110µs.
	s = initialSlack
	var sum time.Duration
	for i := range 20000 {
		o := 40 * us
		if i%50 == 0 {
			o = 150 * us
		}
		s = calibrate(s, o)
		if i >= 10000 {
			sum += s
		}
	}
	if mean := sum / 10000; mean < 110*us || mean > 130*us {
		t.Errorf("a 2%% tail at 150µs: budget %s on average, want 110-130µs", mean)
	}
}

// TestFineSleepersBoundTheThreadsAsleep: once maxFineSleepers are in a
// fine sleep, the next producer is refused at once (it waits on the timer
// instead), and a sleep that was allowed gives its place back.
func TestFineSleepersBoundTheThreadsAsleep(t *testing.T) {
	f := NewFineSleepers()
	f.n.Store(maxFineSleepers)
	if f.sleep(time.Millisecond) { // short: a broken bound fails here, not after a long sleep
		t.Fatal("a fine sleep beyond the bound was allowed")
	}
	if got := f.n.Load(); got != maxFineSleepers {
		t.Errorf("a refused sleep left the count at %d, want %d", got, maxFineSleepers)
	}
	f.n.Store(maxFineSleepers - 1)
	if !f.sleep(time.Microsecond) {
		t.Fatal("a fine sleep within the bound was refused")
	}
	if got := f.n.Load(); got != maxFineSleepers-1 {
		t.Errorf("after a sleep the count is %d, want %d", got, maxFineSleepers-1)
	}
}

// TestActiveBudgetIsATenthOfTheGapAtMost: the active wait never takes
// more than a tenth of a producer's time, whatever its rate.
func TestActiveBudgetIsATenthOfTheGapAtMost(t *testing.T) {
	us := time.Microsecond
	for _, tt := range []struct{ slack, gap, want time.Duration }{
		{100 * us, 100 * time.Millisecond, 100 * us}, // 10 msgs/s: the slack
		{100 * us, time.Millisecond, 100 * us},       // 1000 msgs/s: a tenth exactly
		{150 * us, time.Millisecond, 100 * us},       // capped
		{100 * us, 50 * us, 5 * us},                  // 20,000 msgs/s
		{100 * us, 0, 0},                             // due together
		{100 * us, -us, 0},
	} {
		if got := activeBudget(tt.slack, tt.gap); got != tt.want {
			t.Errorf("activeBudget(%s, %s) = %s, want %s", tt.slack, tt.gap, got, tt.want)
		}
	}
}

// TestSpinPacerWaitsActivelyForTheRest: with load.pacer spin the active
// wait's budget is all that is left once the timer has woken, so the pacer
// never sleeps finely; sleeping, it is the calibrated slack.
func TestSpinPacerWaitsActivelyForTheRest(t *testing.T) {
	for _, spin := range []bool{false, true} {
		w := NewWorker(WorkerConfig{Clock: NewClock(), Schedule: ConstantRate{PerSec: 10}, Spin: spin}, false)
		p := newPacer(w, 0, int64(time.Hour)).(*openLoop)
		p.prev = 0
		intended, now := int64(100*time.Millisecond), int64(100*time.Millisecond-coarseSlack)
		got, want := p.budget(intended, now), initialSlack
		if spin {
			want = coarseSlack
		}
		if got != want {
			t.Errorf("spin %v: budget %s, want %s", spin, got, want)
		}
	}
}

// TestStepSharesTheActiveWait: a hundred producers of a step at 100
// msgs/s each wait actively no longer, together, than one at 10,000
// msgs/s would: each takes its hundredth of the bound.
func TestStepSharesTheActiveWait(t *testing.T) {
	us := time.Microsecond
	for _, tt := range []struct {
		spin        bool
		peers       int
		gap, rest   time.Duration
		want        time.Duration
		description string
	}{
		{false, 1, 10 * time.Millisecond, 5 * time.Millisecond, initialSlack, "alone, sleeping: the slack"},
		{false, 100, 10 * time.Millisecond, 5 * time.Millisecond, 10 * us, "100 sleeping: a tenth of 10 ms / 100"},
		{true, 100, 10 * time.Millisecond, 5 * time.Millisecond, 100 * us * time.Duration(max(runtime.GOMAXPROCS(0)/2, 1)), "100 spinning: 10 ms / 100 per half processor"},
		{true, 10000, time.Second, 5 * time.Millisecond, 100 * us * time.Duration(max(runtime.GOMAXPROCS(0)/2, 1)), "10,000 spinning at 1 msg/s each"},
	} {
		w := NewWorker(WorkerConfig{Clock: NewClock(), Schedule: ConstantRate{PerSec: 100}, Spin: tt.spin, Peers: tt.peers}, false)
		p := newPacer(w, 0, int64(time.Hour)).(*openLoop)
		intended := int64(tt.gap)
		p.prev = 0
		if got := p.budget(intended, intended-int64(tt.rest)); got != tt.want {
			t.Errorf("%s: budget %s, want %s", tt.description, got, tt.want)
		}
	}
}

// punctual is a Producer without acks that checks, as each message is
// handed to it, that the pacer did not let it go before its intended time
// (stamped in the payload), and stops its worker after n.
type punctual struct {
	clock *Clock
	n     int
	early int
	stop  func()
}

func (p *punctual) Publish(_ uint64, payload []byte) error {
	now := p.clock.Now()
	if intended, _, ok := readStamp(payload); ok && now < intended {
		p.early++
	}
	if p.n--; p.n == 0 {
		p.stop()
	}
	return nil
}

func (p *punctual) Close(context.Context) error { return nil }

// TestOpenLoopNeverSendsEarlyAndRecordsItsLag runs an open-loop worker at
// rates where it sleeps (timer and fine sleep) and where it only waits
// actively, sleeping or spinning (load.pacer), and checks that no message
// left before its intended time and that every measured message has its
// pacer lag recorded, none negative.
func TestOpenLoopNeverSendsEarlyAndRecordsItsLag(t *testing.T) {
	for _, tt := range []struct {
		rate float64
		spin bool
	}{{400, false}, {20_000, false}, {400, true}} {
		rate, clock := tt.rate, NewClock()
		w := NewWorker(WorkerConfig{Clock: clock, Schedule: ConstantRate{PerSec: rate}, LateAfter: time.Millisecond, Drain: time.Second, PayloadSize: 128, Spin: tt.spin}, false)
		p := &punctual{clock: clock, n: 200, stop: w.Stop}
		w.Attach(p)
		w.Run(Window{From: 0, To: time.Hour}, 0)
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p.early > 0 {
			t.Errorf("%g/s: %d of 200 messages left before their intended time", rate, p.early)
		}
		lag := w.PacerLag()
		if lag == nil {
			t.Fatalf("%g/s: no pacer lag recorded", rate)
		}
		if lag.TotalCount() != w.Send.Sent || w.Send.Sent != 200 {
			t.Errorf("%g/s: %d lag samples for %d measured sends, want 200 of each", rate, lag.TotalCount(), w.Send.Sent)
		}
	}
}

// TestClosedLoopHasNoPacerLag: a closed loop has no schedule to lag behind.
func TestClosedLoopHasNoPacerLag(t *testing.T) {
	w := NewWorker(WorkerConfig{Clock: NewClock(), Drain: time.Second, PayloadSize: 128}, false)
	w.Attach(&sinkProducer{n: 10, stop: w.Stop})
	w.Run(Window{From: 0, To: time.Hour}, 0)
	if w.PacerLag() != nil {
		t.Error("closed loop recorded a pacer lag")
	}
}

// TestClosedLoopReadsTheClockEveryFewMessagesWhenUntimed: only a closed
// loop whose messages nobody times (no acks, an Untimed producer, no trace)
// sends in batches on one clock reading.
func TestClosedLoopReadsTheClockEveryFewMessagesWhenUntimed(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sched   Schedule
		acked   bool
		untimed bool
		traced  bool
		want    uint64
	}{
		{"closed loop, untimed", nil, false, true, false, clockEvery},
		{"closed loop, timed by a receiver", nil, false, false, false, 1},
		{"closed loop, acknowledged", nil, true, true, false, 1},
		{"closed loop, untimed, publishes traced", nil, false, true, true, 1},
		{"open loop, untimed", ConstantRate{PerSec: 1000}, false, true, false, 1},
	} {
		w := NewWorker(WorkerConfig{Clock: NewClock(), Schedule: tt.sched, MaxPending: 4, Drain: time.Second, PayloadSize: 128}, tt.acked)
		w.Attach(&untimedCount{untimed: tt.untimed})
		if tt.traced {
			w.pubEvery = 10
		}
		if got := w.batch(); got != tt.want {
			t.Errorf("%s: batches of %d, want %d", tt.name, got, tt.want)
		}
	}
}

// failEvery is an untimed Producer without acks that refuses every k-th
// message, and stops its worker after n attempts.
type failEvery struct {
	k, n, tried, failed int
	stop                func()
}

func (f *failEvery) Publish(uint64, []byte) error {
	f.tried++
	if f.tried == f.n {
		f.stop()
	}
	if f.tried%f.k == 0 {
		f.failed++
		return errors.New("refused")
	}
	return nil
}

func (f *failEvery) Close(context.Context) error { return nil }
func (f *failEvery) Untimed() bool               { return true }

// TestUntimedBatchesCountEveryMessage: sent in batches, every message is
// still offered once, and sent or counted as an error.
func TestUntimedBatchesCountEveryMessage(t *testing.T) {
	w := NewWorker(WorkerConfig{Clock: NewClock(), Drain: time.Second, PayloadSize: 128}, false)
	f := &failEvery{k: 50, n: 3*clockEvery + 5, stop: w.Stop}
	w.Attach(f)
	w.Run(Window{From: 0, To: time.Hour}, 0)
	if f.tried < f.n || f.failed == 0 {
		t.Fatalf("%d published, %d refused; the test needs %d and some refused", f.tried, f.failed, f.n)
	}
	s := w.Send
	if s.Offered != int64(f.tried) || s.Sent != int64(f.tried-f.failed) || s.Errors != int64(f.failed) || s.Warmup+s.Drain != 0 {
		t.Errorf("offered %d, sent %d, errors %d (warmup %d, drain %d); want %d offered, %d sent, %d errors",
			s.Offered, s.Sent, s.Errors, s.Warmup, s.Drain, f.tried, f.tried-f.failed, f.failed)
	}
	var offered, sent, errs int64
	for _, sec := range s.Series {
		offered, sent, errs = offered+sec.Offered, sent+sec.Sent, errs+sec.Errors
	}
	if offered != s.Offered || sent != s.Sent || errs != s.Errors {
		t.Errorf("the series adds up to offered %d, sent %d, errors %d; the totals say %d, %d, %d", offered, sent, errs, s.Offered, s.Sent, s.Errors)
	}
}

// TestSendSecondFollowsTheIntendedTime: the send series' second kept
// between messages is the one each intended time falls in, across second
// boundaries and in the drain seconds clamped at the series' end.
func TestSendSecondFollowsTheIntendedTime(t *testing.T) {
	s := int64(time.Second)
	w := NewWorker(WorkerConfig{Clock: NewClock(), Drain: time.Second, PayloadSize: 128}, false)
	w.begin(Window{From: time.Second, To: 4 * time.Second}, 0)
	n := len(w.Send.Series)
	for _, tt := range []struct {
		at   int64
		want int
	}{
		{s, 0}, {s + s/2, 0}, {2*s - 1, 0}, {2 * s, 1}, {3*s + s/3, 2}, {4*s - 1, 2},
		{4 * s, 3}, {int64(n+5) * s, n - 1}, {int64(n+6) * s, n - 1},
	} {
		if got := w.sendSecond(tt.at); got != &w.Send.Series[tt.want] {
			t.Errorf("intended at %s: not second %d of %d", time.Duration(tt.at), tt.want, n)
		}
	}
}
