package workers

import (
	"syscall"
	"time"
)

// fineSleep blocks the calling thread for d with nanosleep(2). Go's timers
// wake up to a millisecond late on Linux when the process is idle (the
// runtime waits for them in whole milliseconds), while the kernel's own
// sleep overshoots by tens of microseconds; the pacer uses it for the last
// stretch before a send, never for long waits (a sleeping goroutine holds
// a thread here). An interrupted sleep simply returns early.
func fineSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
