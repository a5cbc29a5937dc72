//go:build linux

package runner

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stationbench/stationbench/result"
)

// touch maps n bytes of anonymous memory and writes to every page of
// them, so that they are resident, until release is called. Not from the
// Go heap, whose own bookkeeping would move the quiet step's figure by a
// few pages.
func touch(t *testing.T, n int) (release func()) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(b); i += os.Getpagesize() {
		b[i] = 1
	}
	return func() {
		if err := syscall.Munmap(b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRSSMeterPeakPerStep: a step that makes 64 MiB resident records a
// peak at least that much above the quiet step after it, with the exact
// (reset) meter and with the sampling one used where the reset is
// refused. The busy step comes first, so a meter that does not start each
// step afresh (the kernel's peak not reset, a sampler's maximum kept)
// fails. Not parallel: it measures this process's memory.
func TestRSSMeterPeakPerStep(t *testing.T) {
	const size = 64 << 20
	// slack: the kernel's resident-set counters are per-CPU sums read
	// without a lock (Linux 6.2 and later), off by up to a few hundred KiB
	// from one read to the next.
	const slack = 1 << 20
	exact := newRSSMeter()
	sampled := exact
	sampled.clear = filepath.Join(t.TempDir(), "no-such-dir", "clear_refs") // the reset is refused
	sampled.every = 10 * time.Millisecond
	for _, tc := range []struct {
		name      string
		m         rssMeter
		wantNoted bool
	}{{"exact", exact, false}, {"sampled", sampled, true}} {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.start().end() // the first window's own code and files made resident, so that they count in neither step
			w := tc.m.start()
			release := touch(t, size)
			busy, _, note := w.end()
			release()
			if (note != "") != tc.wantNoted || (tc.wantNoted && !strings.Contains(note, "sampled every 10ms")) {
				t.Errorf("note %q, want one: %v", note, tc.wantNoted)
			}
			w = tc.m.start()
			quiet, before, _ := w.end()
			t.Logf("busy step %d MiB, quiet step %d MiB, peak before the quiet step %d MiB", busy>>20, quiet>>20, before>>20)
			if quiet <= 0 || busy-quiet < size-slack {
				t.Errorf("busy step's peak %d is not %d bytes above the quiet step's %d", busy, size, quiet)
			}
			if before < busy-slack {
				t.Errorf("the process's peak before the quiet step %d is below the busy step's %d: lost in the reset", before, busy)
			}
		})
	}
}

// TestRunRecordsPeakRSSPerStep: every run of a result holds its own peak,
// and the environment's peak is the whole run's, at least the largest of
// them.
func TestRunRecordsPeakRSSPerStep(t *testing.T) {
	sc := scenario(t, `
name: rss
targets:
  - {name: core, kind: nats, url: embedded}
station: {name: rss}
producers: {counts: [1, 20]}
message: {size: 32}
load: {duration: 200ms, warmup: 0s, rate: 200, drain: 1s}
`)
	res := Run(t.Context(), sc, Options{})
	if res.Status != result.StatusComplete || len(res.Runs) != 2 {
		t.Fatalf("run %s (%d runs): %s", res.Status, len(res.Runs), res.Error)
	}
	for _, run := range res.Runs {
		if run.PeakRSSBytes <= 0 || run.PeakRSSBytes > res.Env.PeakRSSBytes {
			t.Errorf("%d producers: peak rss %d, want above 0 and at most the whole run's %d", run.Producers, run.PeakRSSBytes,
				res.Env.PeakRSSBytes)
		}
	}
}
