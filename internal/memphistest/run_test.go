package memphistest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/scenarios"
)

// scenario parses a short scenario with the given targets and extra keys.
func scenario(t *testing.T, targets, extra string) scenarios.Scenario {
	t.Helper()
	doc := "name: e2e\ntargets:\n" + targets + extra +
		"load:\n  duration: 300ms\n  warmup: 100ms\n  drain: 1s\n"
	s, err := scenarios.Parse("e2e.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunMemphisAndGateway(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	targets := fmt.Sprintf(`  - name: proto
    kind: memphis
    host: 127.0.0.1
    port: %d
    connectionToken: %s
  - name: rest
    kind: memphis-http
    url: %s
    password: %s
    natsPort: %d
`, b.Port(), memphistest.DefaultToken, g.URL(), memphistest.DefaultPassword, b.Port())
	s := scenario(t, targets, `station:
  name: e2e.station
  partitions: 3
  storage: memory
  cleanup: keep
producers:
  counts: [1, 2]
  maxPending: 64
`)
	res := runner.Run(context.Background(), s, runner.Options{})
	if res.Status != report.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if len(res.Runs) != 4 {
		t.Fatalf("%d runs, want 4", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Acked == 0 || r.Errors != 0 || r.Acked != r.Sent {
			t.Errorf("%s, %d producers: sent %d acked %d errors %d", r.Target, r.Producers, r.Sent, r.Acked, r.Errors)
		}
	}
	created, destroyed := b.ProducerLog()
	want := []string{"e2e#station/bench-1", "e2e#station/bench-1", "e2e#station/bench-2"}
	if strings.Join(created, " ") != strings.Join(want, " ") || len(destroyed) != len(created) {
		t.Errorf("producers created %v, destroyed %v; want %v, each destroyed", created, destroyed, want)
	}
	if left := b.Producers("e2e.station"); len(left) != 0 {
		t.Errorf("producers left registered: %v", left)
	}
	// The memphis target's last step: 2 producers round-robin over 3
	// partitions, so the partitions differ by at most one message each.
	// The gateway (next target) wrote after it, round-robin too.
	var counts []uint64
	for n := 1; n <= 3; n++ {
		st, err := b.JetStream().Stream(context.Background(), memphistest.Stream("e2e.station", n))
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, info.State.Msgs)
	}
	lo, hi := min(counts[0], counts[1], counts[2]), max(counts[0], counts[1], counts[2])
	if hi-lo > 3 || lo == 0 {
		t.Errorf("partitions hold %v: not spread evenly", counts)
	}
}

func TestRunFailedStepDestroysProducers(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	targets := fmt.Sprintf("  - kind: memphis\n    url: %s\n    password: %s\n", b.URL(), memphistest.DefaultPassword)
	s := scenario(t, targets, "station:\n  name: taken\nproducers:\n  counts: [3]\n")
	// Someone else already holds the name bench-2 on the station.
	req := `{"name":"bench-2","station_name":"taken","connection_id":"other","producer_type":"application","req_version":4,"username":"root"}`
	msg, err := b.Conn().Request("$memphis_producer_creations", []byte(req), 5*time.Second)
	if err == nil && strings.Contains(string(msg.Data), `"error":"m`) {
		err = fmt.Errorf("%s", msg.Data)
	}
	if err != nil {
		t.Fatal(err)
	}
	res := runner.Run(context.Background(), s, runner.Options{})
	if res.Status != report.StatusFailed || !strings.Contains(res.Error, "unique per station") {
		t.Fatalf("status %s, error %q; want a failed step naming the duplicate producer", res.Status, res.Error)
	}
	if left := b.Producers("taken"); strings.Join(left, ",") != "bench-2" {
		t.Errorf("registered after the failed step: %v, want only the other client's bench-2", left)
	}
}
