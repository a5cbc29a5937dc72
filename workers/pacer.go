package workers

import (
	"runtime"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// A pacer decides when a worker's messages leave. Run asks it for each
// message in turn; next waits until that message is due and may leave, and
// says when it was meant to leave and when it does. Both pacers wait for
// absolute times on the step clock, never for fixed intervals, so a late
// send does not push the messages after it back.
//
//   - closedLoop: a message is due as soon as the in-flight ring has room
//     for it; that moment is both its intended and its send time.
//   - openLoop: a message is due at its time on the schedule; the ring may
//     still hold it back, and its latency counts from the schedule's time
//     (no coordinated omission).
//
// While the worker is paused nothing is due. The pacer runs on the
// publishing goroutine only.
type pacer interface {
	// next waits until message seq is due and may leave. ok is false when
	// the measured window has ended or the worker was stopped first.
	next(seq uint64) (d departure, ok bool)
	// unsent adds to the worker's Offered what was due in the measured
	// window before endedAt but never sent.
	unsent(endedAt int64)
}

// departure is when one message was meant to leave and when it does
// (offsets on the step clock, ns), and whether that is late.
type departure struct {
	intended, sent int64
	late           bool
}

// newPacer makes the pacer of the worker's mode for a load starting at
// start (an offset on the step clock) whose measured window ends at end.
func newPacer(w *Worker, start, end int64) pacer {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	if w.cfg.Schedule == nil {
		return &closedLoop{w: w, start: start, end: end, timer: timer}
	}
	return &openLoop{w: w, sched: w.cfg.Schedule, start: start, end: end, lateAfter: int64(w.cfg.LateAfter), timer: timer,
		lag: w.pacerLag, slack: initialSlack, prev: start,
		peers: int64(max(w.cfg.Peers, 1)), spinners: int64(max(runtime.GOMAXPROCS(0)/2, 1))}
}

// closedLoop sends each message as soon as the ring has room for it, the
// first at the load's start. Without a ring (a kind without acks) every
// message is due at once.
//
// A message's intended time is the clock's reading when it is due. When
// nobody times the messages (no ring, a producer that is Untimed, no
// trace), Run sends them in batches of clockEvery on one reading
// (Worker.sendRest): a batch's second, and whether it is warmup or
// measured, are decided by its first message, at most clockEvery-1
// messages (tens of microseconds) leave after the window's end, and a
// pause or a stop takes effect at the next batch.
type closedLoop struct {
	w          *Worker
	start, end int64
	timer      *time.Timer
	begun      bool
}

// clockEvery is how many messages of an untimed closed loop share a clock
// reading.
const clockEvery = 64

func (p *closedLoop) next(seq uint64) (departure, bool) {
	w, clock := p.w, p.w.cfg.Clock
	if !p.begun { // the first message leaves at the load's start
		p.begun = true
		if wait := time.Duration(p.start - clock.Now()); wait > 0 && !w.sleep(p.timer, wait) {
			return departure{}, false
		}
	}
	for w.pause.paused.Load() {
		if !w.holdPaused(p.end) || w.stopped.Load() {
			return departure{}, false
		}
	}
	// The message is due when the ring has room, so its intended time is
	// taken after that wait, not before.
	if !w.room(seq) {
		return departure{}, false
	}
	now := clock.Now()
	if now >= p.end {
		return departure{}, false
	}
	return departure{intended: now, sent: now}, true
}

// unsent is nothing: a closed loop offers exactly what it sends.
func (p *closedLoop) unsent(int64) {}

// openLoop sends message i at start + sched.At(i), never before, and
// records how late it let each measured message go (lag).
//
// It waits in three stages, because Go's timer alone wakes up a
// millisecond late, and now and then several, when the process is idle,
// and that lateness would count as the broker's latency: the timer until
// coarseSlack before the send, then the kernel's finer sleep (fineSleep,
// bounded per step by FineSleepers) until slack before it, then an active
// wait (yielding the processor on each check) for the rest. slack is
// calibrated from the fine sleep's measured overshoot, bounded by maxSlack
// and by a tenth of the time between two messages (activeBudget): the
// active part spins for the budget less the overshoot, typically tens of
// microseconds a message, and never more than a tenth of the producer's
// time at any rate, a bound the step's producers share (budget). (A
// producer spinning all the time would starve the runtime's network poller
// of processors, and so delay the acks it times.)
//
// With WorkerConfig.Spin (load.pacer: spin) there is no fine sleep: once
// the timer has woken, coarseSlack or less before the send, the pacer
// waits actively for the rest. That leaves no sleeping thread for the
// machine to wake late, at the cost of up to coarseSlack of a core per
// message: all of a core for a producer at 200 msgs/s or more.
type openLoop struct {
	w          *Worker
	sched      Schedule
	start, end int64
	lateAfter  int64  // a send leaving later than this after its time is late
	i          uint64 // the schedule index of the next message
	timer      *time.Timer
	lag        *hdrhistogram.Histogram // the worker's pacer lag (ns)
	slack      time.Duration           // the active wait's budget (calibrate)
	prev       int64                   // the previous message's intended time
	peers      int64                   // the step's producers in this process (WorkerConfig.Peers)
	spinners   int64                   // the processors the step's spinning may take (half of them)
}

// The open loop's waiting stages (see openLoop).
const (
	// coarseSlack is how long before a send the timer's sleep ends: more
	// than the timer's lateness, so the fine sleep takes over. Against the
	// embedded server at 10 msgs/s the timer woke 0.6-0.9 ms late at the
	// median and up to 3.8 ms late (one in a hundred or so); a fine sleep
	// costs no CPU, only a thread while it lasts.
	coarseSlack = 5 * time.Millisecond
	// initialSlack, minSlack and maxSlack bound the active wait. The fine
	// sleep overshoots by 40 µs at the median on this project's VM, and by
	// 100-200 µs one time in a hundred after a long idle.
	initialSlack = 80 * time.Microsecond
	minSlack     = 20 * time.Microsecond
	maxSlack     = 300 * time.Microsecond
)

// coarseWait is how long the timer sleeps when a message is due in wait:
// until coarseSlack before it, or not at all when it is closer than that.
func coarseWait(wait time.Duration) time.Duration {
	return max(wait-coarseSlack, 0)
}

// activeBudget is the active wait's budget for a message due gap after
// the one before it: the calibrated slack, but at most a tenth of gap.
func activeBudget(slack, gap time.Duration) time.Duration {
	return max(min(slack, gap/10), 0)
}

// calibrate moves the active wait's budget after a fine sleep that woke
// overshoot late: quickly up when the sleep overshot the budget (half the
// way: the send was late), slowly down when it did not (a 256th of the
// way: the budget was spent spinning), so the budget settles near the
// overshoot's high percentiles, where a rare late wake-up costs a few
// microseconds of lag rather than its whole overshoot. An overshoot beyond
// maxSlack is the machine's (the thread waited for a CPU), not the
// sleep's, and no budget would absorb it: it moves nothing. The result is
// within [minSlack, maxSlack].
func calibrate(slack, overshoot time.Duration) time.Duration {
	switch {
	case overshoot > maxSlack:
	case overshoot > slack:
		slack += (overshoot - slack) / 2
	default:
		slack -= (slack - overshoot) / 256
	}
	return min(max(slack, minSlack), maxSlack)
}

// pace is the open loop's arithmetic, a pure function as in vegeta: given
// the time elapsed since the load's start and the messages already due
// (hits), it says how long until the next is due (zero or less: it is
// overdue, send at once) and whether none is due before the window's end.
func (p *openLoop) pace(elapsed time.Duration, hits uint64) (wait time.Duration, stop bool) {
	at := p.sched.At(hits)
	if p.start+int64(at) >= p.end {
		return 0, true
	}
	return at - elapsed, false
}

func (p *openLoop) next(seq uint64) (departure, bool) {
	w, clock := p.w, p.w.cfg.Clock
	var intended, sent int64 // sent: the clock's last reading
	var waited bool
	for {
		now := clock.Now()
		wait, stop := p.pace(time.Duration(now-p.start), p.i)
		if stop {
			return departure{}, false
		}
		intended, sent = now+int64(wait), now // intended: start + At(i)
		if waited = wait > 0; waited {
			var ok bool
			if sent, ok = p.waitUntil(intended, wait); !ok {
				return departure{}, false
			}
		}
		if !w.pause.paused.Load() {
			break
		}
		// Paused: the schedule of the pause is skipped, so it is neither
		// sent nor offered.
		ok := w.holdPaused(p.end)
		p.i = max(p.i, p.sched.Before(time.Duration(min(clock.Now(), p.end)-p.start)))
		if !ok || w.stopped.Load() {
			return departure{}, false
		}
	}
	if sent >= p.end {
		return departure{}, false
	}
	if w.measured.contains(intended) {
		p.recordLag(waited, sent-intended)
	}
	if w.ring != nil { // the ring may hold the message back: it leaves late
		if !w.room(seq) {
			return departure{}, false // not counted here: unsent offers it
		}
		sent = clock.Now()
	}
	p.i++
	p.prev = intended
	return departure{intended: intended, sent: sent, late: sent-intended > p.lateAfter}, true
}

// recordLag records the pacer's own lag for a message it released lag ns
// after its intended time. Only a wait is the pacer's: a message already
// overdue when the pacer came to it was held back by the sends before it
// (a slow publish, or no room in flight: backpressure, counted as late),
// and the pacer, releasing it at once, added nothing.
func (p *openLoop) recordLag(waited bool, lag int64) {
	if !waited {
		lag = 0
	}
	recordClamped(p.lag, lag)
}

// waitUntil waits until intended, due in wait from now, in the stages
// openLoop describes, and returns the clock's reading when it is over: never
// before intended unless stopped. False: stopped.
func (p *openLoop) waitUntil(intended int64, wait time.Duration) (now int64, ok bool) {
	w, clock := p.w, p.w.cfg.Clock
	if c := coarseWait(wait); c > 0 && !w.sleep(p.timer, c) {
		return 0, false
	}
	now = clock.Now()
	budget := p.budget(intended, now)
	if fine := time.Duration(intended-now) - budget; fine > 0 {
		slept := w.cfg.Sleepers.sleep(fine)
		if !slept && !w.sleep(p.timer, fine) { // too many threads asleep: the timer
			return 0, false
		}
		now = clock.Now()
		if slept { // the timer's lateness is not the fine sleep's: no calibration
			p.slack = calibrate(p.slack, time.Duration(now-(intended-int64(budget))))
		}
	}
	for now < intended { // at most the budget, unless the sleeps woke early
		runtime.Gosched()
		now = clock.Now()
	}
	return now, !w.stopped.Load()
}

// budget is how long before intended the active wait starts, now that
// the timer has woken. The step's producers share the bound, each taking
// its part of its own time (gap/peers), so that the step's active waiting
// stays within a bound whatever the count: a tenth of one processor
// sleeping, half the processors spinning. Sleeping, the budget is the
// calibrated slack within that share (activeBudget); spinning, all that is
// left, within it (100 producers at 100 msgs/s each may spin 100 µs a
// message on 2 processors, and sleep finely before).
func (p *openLoop) budget(intended, now int64) time.Duration {
	share := (intended - p.prev) / p.peers
	if p.w.cfg.Spin {
		return time.Duration(max(min(intended-now, share*p.spinners), 0))
	}
	return activeBudget(p.slack, time.Duration(share))
}

// unsent adds the scheduled messages of the measured window that were
// never sent because the worker fell behind or was stopped early.
func (p *openLoop) unsent(endedAt int64) {
	w := p.w
	to := time.Duration(min(int64(w.measured.To), endedAt))
	start := time.Duration(p.start)
	for sec := range w.Send.Series {
		lo := w.measured.From + time.Duration(sec)*time.Second
		hi := min(lo+time.Second, to)
		if lo >= hi {
			return
		}
		first := max(p.i, p.sched.Before(lo-start))
		if last := p.sched.Before(hi - start); last > first {
			n := int64(last - first)
			w.Send.Offered += n
			w.Send.Series[sec].Offered += n
		}
	}
}

// recordClamped records v into h, clamped to h's trackable range.
func recordClamped(h *hdrhistogram.Histogram, v int64) {
	_ = h.RecordValue(min(max(v, h.LowestTrackableValue()), h.HighestTrackableValue())) // in range: cannot fail
}
