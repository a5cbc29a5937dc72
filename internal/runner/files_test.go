package runner

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/stationbench/stationbench/plan"
	"github.com/stationbench/stationbench/scenarios"
)

func TestFilesNeeded(t *testing.T) {
	step := func(n int) plan.Entry { return plan.Entry{Step: &plan.Step{Step: scenarios.Step{Producers: n}}} }
	tests := []struct {
		name     string
		url      string
		shared   bool
		want     uint64
		wantConn int
	}{
		{"per-producer, separate server", "nats://127.0.0.1:4222", false, 10000 + filesReserve, 10000},
		{"per-producer, embedded", "embedded", false, 20000 + filesReserve, 10000},
		{"shared, embedded", "embedded", true, 2 + filesReserve, 1},
	}
	for _, tt := range tests {
		pt := plan.Target{Target: scenarios.Target{URL: tt.url}, Driver: plan.Driver{SharedConnection: tt.shared},
			Entries: []plan.Entry{step(100), step(10000), step(1000)}}
		if got, conns := filesNeeded(pt); got != tt.want || conns != tt.wantConn {
			t.Errorf("%s: %d files for %d connections, want %d for %d", tt.name, got, conns, tt.want, tt.wantConn)
		}
	}
}

// fakeLimit is an open-file limit that allows raising the soft limit up
// to hard, and the hard limit only up to ceiling (what the OS allows).
type fakeLimit struct{ soft, hard, ceiling uint64 }

func (f *fakeLimit) limit() fileLimit {
	return fileLimit{
		get: func() (uint64, uint64, error) { return f.soft, f.hard, nil },
		set: func(soft, hard uint64) error {
			if hard > f.ceiling || soft > hard {
				return syscall.EPERM
			}
			f.soft, f.hard = soft, hard
			return nil
		},
	}
}

func TestEnsureOpenFilesRaisesOrRefuses(t *testing.T) {
	// Enough already: nothing changes.
	f := &fakeLimit{soft: 30000, hard: 30000, ceiling: 30000}
	if err := ensureOpenFiles(f.limit(), 20256, 10000, true); err != nil || f.soft != 30000 {
		t.Errorf("enough: %v, soft %d", err, f.soft)
	}
	// Soft below, hard enough: soft raised.
	f = &fakeLimit{soft: 1024, hard: 30000, ceiling: 30000}
	if err := ensureOpenFiles(f.limit(), 20256, 10000, true); err != nil || f.soft != 20256 || f.hard != 30000 {
		t.Errorf("soft raise: %v, soft %d hard %d", err, f.soft, f.hard)
	}
	// Hard below, the OS allows more (a privileged process): both raised.
	f = &fakeLimit{soft: 20000, hard: 20000, ceiling: 1 << 20}
	if err := ensureOpenFiles(f.limit(), 20256, 10000, true); err != nil || f.soft != 20256 || f.hard != 20256 {
		t.Errorf("hard raise: %v, soft %d hard %d", err, f.soft, f.hard)
	}
	// Hard below and the OS refuses: a clear error naming the figures.
	f = &fakeLimit{soft: 1024, hard: 4096, ceiling: 4096}
	err := ensureOpenFiles(f.limit(), 20256, 10000, true)
	if err == nil || !errors.Is(err, syscall.EPERM) || f.soft != 1024 {
		t.Fatalf("refused: %v, soft %d", err, f.soft)
	}
	for _, want := range []string{"20256 open files", "10000 connections", "embedded server", "open-file limit is 1024 (hard limit 4096)", "no load was sent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestCheckFilesRefusesOnlyTheStepsThatDoNotFit: when the OS will not
// raise the limit to what the largest step needs, the steps that fit under
// the hard limit still run and only the others are refused, with the
// figures; when not even the smallest fits, the whole target is refused.
func TestCheckFilesRefusesOnlyTheStepsThatDoNotFit(t *testing.T) {
	step := func(n int) plan.Entry { return plan.Entry{Step: &plan.Step{Step: scenarios.Step{Producers: n}}} }
	pt := plan.Target{Target: scenarios.Target{URL: "embedded"}, Entries: []plan.Entry{step(1), step(100), step(1000), step(10000)}}

	f := &fakeLimit{soft: 1024, hard: 4096, ceiling: 4096}
	files, err := checkFiles(f.limit(), pt)
	if err != nil {
		t.Fatalf("refused the target although its smaller steps fit: %v", err)
	}
	if f.soft != 4096 {
		t.Errorf("soft limit %d, want raised to the hard limit 4096", f.soft)
	}
	for _, n := range []int{1, 100, 1000} {
		if err := files.refuse(n); err != nil {
			t.Errorf("%d producers refused: %v", n, err)
		}
	}
	err = files.refuse(10000)
	if err == nil || !strings.Contains(err.Error(), "20256 open files") || !strings.Contains(err.Error(), "no load was sent") {
		t.Errorf("10000 producers: %v, want refused with the figures", err)
	}

	f = &fakeLimit{soft: 200, hard: 200, ceiling: 200}
	if _, err := checkFiles(f.limit(), pt); err == nil || !strings.Contains(err.Error(), "20256 open files") {
		t.Errorf("no step fits: %v, want the target refused", err)
	}
	f = &fakeLimit{soft: 1024, hard: 30000, ceiling: 30000}
	if files, err := checkFiles(f.limit(), pt); err != nil || files.refuse(10000) != nil || f.soft != 20256 {
		t.Errorf("every step fits: %v, soft %d", err, f.soft)
	}
}
