//go:build linux

package runner

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// rssMeter measures the process's peak resident set over one step
// (result.Run.PeakRSSBytes). Exact where the kernel lets its peak (VmHWM)
// be reset: writing "5" to /proc/self/clear_refs (Linux 4.0 and later)
// sets it to the current resident set, and VmHWM read at the step's end
// is then the step's own peak. Where the reset is refused (an older
// kernel, a locked-down /proc), VmRSS is sampled every `every` instead,
// which misses a peak shorter than that; the run's notes then say so.
type rssMeter struct {
	status string // /proc/self/status
	clear  string // /proc/self/clear_refs
	every  time.Duration
}

func newRSSMeter() rssMeter {
	return rssMeter{status: "/proc/self/status", clear: "/proc/self/clear_refs", every: 100 * time.Millisecond}
}

// rssWindow is one step's measurement, from rssMeter.start to end.
type rssWindow struct {
	m rssMeter
	// before is the process's peak until the window began (VmHWM before
	// the reset), so that the whole run's peak survives the resets.
	before int64
	// sampled: the reset was refused (why says why) and a goroutine
	// samples VmRSS into peak until stop is closed; end reads peak only
	// after that goroutine is done, so it needs no lock.
	sampled bool
	why     error
	stop    chan struct{}
	done    sync.WaitGroup
	peak    int64
}

// start begins a step's window. It first returns the memory the previous
// steps left to the OS (a GC), so that a step's peak does not include heap
// the Go runtime kept from the step before it.
func (m rssMeter) start() *rssWindow {
	w := &rssWindow{m: m, before: procStatusBytes(m.status, "VmHWM:")}
	debug.FreeOSMemory()
	err := resetPeak(m.clear)
	if err == nil {
		return w
	}
	w.sampled, w.why, w.stop = true, err, make(chan struct{})
	w.sample()
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(m.every)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				w.sample()
			}
		}
	}()
	return w
}

// sample folds the current resident set into the window's peak.
func (w *rssWindow) sample() {
	w.peak = max(w.peak, procStatusBytes(w.m.status, "VmRSS:"))
}

// end closes the window: peak is the step's peak resident set (0 when
// /proc cannot be read), before the process's peak until the window began,
// and note, when not empty, says the peak was sampled and why.
func (w *rssWindow) end() (peak, before int64, note string) {
	if !w.sampled {
		return procStatusBytes(w.m.status, "VmHWM:"), w.before, ""
	}
	close(w.stop)
	w.done.Wait()
	w.sample() // the resident set at the end, whatever the last tick saw
	return w.peak, w.before, fmt.Sprintf("peak_rss_bytes is the largest resident set sampled every %s, "+
		"not the kernel's exact peak: resetting it was refused (%v)", w.m.every, w.why)
}

// resetPeak writes "5" to the clear_refs file at path, which resets the
// process's VmHWM to its current resident set. It creates nothing.
func resetPeak(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write([]byte("5"))
	return errors.Join(err, f.Close())
}
