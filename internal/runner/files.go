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
	most := 0
	for _, e := range pt.Entries {
		switch {
		case e.Step != nil:
			most = max(most, e.Step.Producers)
		case e.Search != nil:
			most = max(most, e.Search.Closed.Producers)
		}
	}
	conns = most
	if pt.Driver.SharedConnection {
		conns = min(most, 1)
	}
	ends := uint64(1)
	if pt.Target.IsEmbedded() {
		ends = 2
	}
	return uint64(conns)*ends + filesReserve, conns
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
		return fmt.Errorf("the largest step needs about %d open files (%s, and %d for the rest), "+
			"but the open-file limit is %d (hard limit %d) and could not be raised: %w; "+
			"raise it (ulimit -n %d), use fewer producers or producers.connections: shared: no load was sent",
			need, what, filesReserve, soft, hard, err, need)
	}
	// The hard limit is enough: raising the soft limit alone is allowed.
	if err := lim.set(need, hard); err != nil {
		return fmt.Errorf("open-file limit %d (hard limit %d): raising it to the %d files the largest step needs: %w: no load was sent",
			soft, hard, need, err)
	}
	return nil
}
