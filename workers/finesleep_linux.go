package workers

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fineSleep blocks the calling thread for d with nanosleep(2). Go's timers
// wake up to a millisecond late on Linux when the process is idle (the
// runtime waits for them in whole milliseconds), while the kernel's own
// sleep overshoots by tens of microseconds; the pacer uses it for the last
// stretch before a send, never for long waits (a sleeping goroutine holds
// a thread here). An interrupted sleep simply returns early.
//
// Linux lets a thread's sleep end as late as the thread's timer slack
// (50 µs by default) so that it can batch wake-ups; fineSleep sets the
// slack of the thread it runs on to 1 ns first, which halves the
// overshoot (about 85 µs to 40 µs at the median on this project's VM).
// The setting stays with the thread, so the runtime's other waits on it
// get no slack either: a load generator wants its wake-ups on time, not
// batched. It is set on every call because a goroutine moves between
// threads; the call costs well under a microsecond.
func fineSleep(d time.Duration) {
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0) // best effort: a refusal leaves the default slack
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
