package benchlimit

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
)

// TestRunComparesEveryCase runs a short comparison against a real server
// and checks that every case, the 4-connection one included, is measured
// on both sides and printed in bench-limit's line format.
func TestRunComparesEveryCase(t *testing.T) {
	srv := natstest.Start(t)
	var out bytes.Buffer
	cases, err := Run(context.Background(), Options{URL: srv.URL(), Duration: 150 * time.Millisecond, Size: 64, Rounds: 1, Window: 64}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := []string{"core-64B", "core-64B-4conn", "core-64B-subscribed", "jetstream-async-64B"}
	line := regexp.MustCompile(`^(\S+) ratio \d+\.\d\d  \(harness \d+ msgs/s, \d+ ns CPU/msg; bare \d+ msgs/s, \d+ ns CPU/msg\)$`)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(cases) != len(want) || len(lines) != len(want) {
		t.Fatalf("%d cases, %d lines, want %d:\n%s", len(cases), len(lines), len(want), out.String())
	}
	for i, c := range cases {
		m := line.FindStringSubmatch(lines[i])
		if c.Name != want[i] || m == nil || m[1] != want[i] {
			t.Errorf("case %d: %q printed as %q, want %q in bench-limit's format", i, c.Name, lines[i], want[i])
		}
		if c.BareRate <= 0 || c.HarnessRate <= 0 || c.BareCPUNs <= 0 || c.HarnessCPUNs <= 0 {
			t.Errorf("%s: a side measured nothing: %+v", c.Name, c)
		}
	}
}
