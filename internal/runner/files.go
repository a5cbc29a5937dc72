package runner

import (
	"fmt"

	"github.com/stationbench/stationbench/plan"
)

// filesReserve is the open files a run needs beyond its producers'
// connections: the process's own files, listeners, control and subscriber
// connections, the result and trace files.
const filesReserve = 256

// filesNeeded is how many open files the target's largest step needs: a
// connection per producer (one in all when they share it), and the
// embedded server's end of each when the broker runs in this process.
func filesNeeded(pt plan.Target) (need uint64, conns int) {
	most, _ := producerRange(pt)
	return stepFiles(pt, most)
}

// stepFiles is how many open files a step of the target with n producers
// needs, and for how many connections (filesNeeded).
func stepFiles(pt plan.Target, n int) (need uint64, conns int) {
	conns = n
	if pt.Driver.SharedConnection {
		conns = min(n, 1)
	}
	ends := uint64(1)
	if pt.Target.IsEmbedded() {
		ends = 2
	}
	return uint64(conns)*ends + filesReserve, conns
}

// producerRange is the most and the fewest producers of the target's
// steps and searches.
func producerRange(pt plan.Target) (most, fewest int) {
	fewest = -1
	for _, e := range pt.Entries {
		n := 0
		switch {
		case e.Step != nil:
			n = e.Step.Producers
		case e.Search != nil:
			n = e.Search.Closed.Producers
		default:
			continue
		}
		most = max(most, n)
		if fewest < 0 || n < fewest {
			fewest = n
		}
	}
	return most, max(fewest, 0)
}

// targetFiles is what the open-file limit allows a target's steps
// (checkFiles): every step, or only those that fit (refuse).
type targetFiles struct {
	pt  plan.Target
	lim fileLimit
	// some: the largest step does not fit; refuse checks each step.
	some bool
}

// checkFiles checks the open-file limit for a target before any load is
// sent (ensureOpenFiles): raised to what its largest step needs where the
// OS allows. Where it does not, the target is refused only when not even
// its smallest step fits; otherwise the limit is raised as far as the OS
// allows, the steps that fit run and the others are refused one by one,
// so that a sweep of counts still measures the counts this machine can
// hold (targetFiles.refuse).
func checkFiles(lim fileLimit, pt plan.Target) (targetFiles, error) {
	embedded := pt.Target.IsEmbedded()
	need, conns := filesNeeded(pt)
	err := ensureOpenFiles(lim, need, conns, embedded)
	if err == nil {
		return targetFiles{}, nil
	}
	_, fewest := producerRange(pt)
	least, leastConns := stepFiles(pt, fewest)
	if ensureOpenFiles(lim, least, leastConns, embedded) != nil {
		return targetFiles{}, err
	}
	if _, hard, gerr := lim.get(); gerr == nil {
		_ = lim.set(hard, hard) // as far as allowed: a step it does not hold is refused by refuse, with the figures
	}
	return targetFiles{pt: pt, lim: lim, some: true}, nil
}

// refuse says why a step of n producers cannot run under the open-file
// limit; nil when it can.
func (f targetFiles) refuse(n int) error {
	if !f.some {
		return nil
	}
	need, conns := stepFiles(f.pt, n)
	return ensureOpenFiles(f.lim, need, conns, f.pt.Target.IsEmbedded())
}

// fileLimit reads and sets the process's open-file limit (RLIMIT_NOFILE):
// soft is what the process may open, hard how far soft may be raised.
type fileLimit struct {
	get func() (soft, hard uint64, err error)
	set func(soft, hard uint64) error
}

// ensureOpenFiles makes sure the process may open need files for the
// target's conns connections: it raises the soft limit (and the hard limit,
// where the process is allowed to) when they are lower, and refuses, with
// the figures, when the OS does not allow it, so that no load is sent to
// fail half way.
func ensureOpenFiles(lim fileLimit, need uint64, conns int, embedded bool) error {
	soft, hard, err := lim.get()
	if err != nil {
		return fmt.Errorf("open-file limit: %w", err)
	}
	if soft >= need {
		return nil
	}
	if err := lim.set(need, max(hard, need)); err == nil {
		return nil
	} else if hard < need {
		what := fmt.Sprintf("%d connections", conns)
		if embedded {
			what += " and the embedded server's end of each"
		}
		return fmt.Errorf("a step needs about %d open files (%s, and %d for the rest), "+
			"but the open-file limit is %d (hard limit %d) and could not be raised: %w; "+
			"raise it (ulimit -n %d), use fewer producers or producers.connections: shared: no load was sent",
			need, what, filesReserve, soft, hard, err, need)
	}
	// The hard limit is enough: raising the soft limit alone is allowed.
	if err := lim.set(need, hard); err != nil {
		return fmt.Errorf("open-file limit %d (hard limit %d): raising it to the %d files a step needs: %w: no load was sent",
			soft, hard, need, err)
	}
	return nil
}
