package main

import "fmt"

// defaultMinFreeMiB is the free space (MiB) the output folder's file
// system must have before any load is sent: room for result.json, the
// charts and report.html of a large run, with margin.
const defaultMinFreeMiB = 64

// checkFreeSpace refuses to run when the file system holding dir has less
// than floor bytes free, so that a run is not measured only to lose its
// result to a full disk.
func checkFreeSpace(dir string, floor uint64) error {
	free, ok, err := freeBytes(dir)
	if err != nil {
		return fmt.Errorf("output folder %s: free space: %w", dir, err)
	}
	if ok && free < floor {
		return fmt.Errorf("output folder %s: only %s free, below the floor of %s (--min-free-mib): no load was sent",
			dir, mib(free), mib(floor))
	}
	return nil
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
