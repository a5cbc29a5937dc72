package workers

import (
	"sync/atomic"
	"time"
)

// FineSleepers bounds how many of a step's producers may be in a fine
// sleep (fineSleep) at once. A fine sleep holds an OS thread for its
// length, so without a bound ten thousand open-loop producers at high
// rates would each hold one (and Go's runtime dies at 10,000 threads).
// A producer that finds the bound reached waits on the Go timer instead:
// a little less precise, and by then the process is busy enough for the
// timer to be close. One per step, shared by its workers; the count is an
// atomic, taken only when a message is early enough to wait for.
type FineSleepers struct {
	n atomic.Int32
}

// NewFineSleepers makes a bound for one step's workers.
func NewFineSleepers() *FineSleepers { return &FineSleepers{} }

// maxFineSleepers is how many threads fine sleeps may hold at once.
const maxFineSleepers = 64

// sleep sleeps d with fineSleep unless maxFineSleepers others already
// are; false: it did not sleep.
func (f *FineSleepers) sleep(d time.Duration) bool {
	if f.n.Add(1) > maxFineSleepers {
		f.n.Add(-1)
		return false
	}
	fineSleep(d)
	f.n.Add(-1)
	return true
}
