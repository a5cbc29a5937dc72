package memphistest_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/result"
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
	t.Parallel()
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
	if res.Status != result.StatusComplete {
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
	t.Parallel()
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
	if res.Status != result.StatusFailed || !strings.Contains(res.Error, "unique per station") {
		t.Fatalf("status %s, error %q; want a failed step naming the duplicate producer", res.Status, res.Error)
	}
	if left := b.Producers("taken"); strings.Join(left, ",") != "bench-2" {
		t.Errorf("registered after the failed step: %v, want only the other client's bench-2", left)
	}
}

// TestMemphisCompareExample runs scenarios/examples/memphis-compare.yaml
// with its targets unchanged (MEMPHIS_HOST=127.0.0.1, the broker on its
// real port 6666 and the gateway on 4444) with 1, 2 and 4 producers per
// target and short steps: every step completes and is verified, and the
// gateway sees one login per producer for the whole run.
func TestMemphisCompareExample(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{Port: 6666})
	g := b.StartGateway(t, memphistest.GatewayOptions{Addr: "127.0.0.1:4444"})
	data, err := os.ReadFile("../../scenarios/examples/memphis-compare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MEMPHIS_HOST": "127.0.0.1"}
	s, err := scenarios.Parse("memphis-compare.yaml", data, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	s.Producers.Counts = []int{1, 2, 4}
	s.Load.Duration, s.Load.Warmup, s.Load.Drain = scenarios.Duration(300*time.Millisecond),
		scenarios.Duration(100*time.Millisecond), scenarios.Duration(2*time.Second)
	res := runner.Run(context.Background(), s, runner.Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if len(res.Runs) != 9 {
		t.Fatalf("%d runs, want 9 (3 targets x 3 steps)", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Status != result.StatusComplete || r.Acked == 0 || r.Errors != 0 {
			t.Errorf("%s, %d producers: %s (%s), acked %d, errors %d", r.Target, r.Producers, r.Status, r.Error, r.Acked, r.Errors)
		}
		if r.Stored == nil || r.Lost == nil || r.Duplicates == nil {
			t.Errorf("%s, %d producers: not verified (stored %v lost %v duplicates %v)", r.Target, r.Producers, r.Stored, r.Lost, r.Duplicates)
			continue
		}
		if *r.Lost != 0 || *r.Duplicates != 0 || *r.Stored != r.Acked+r.WarmupAcked {
			t.Errorf("%s, %d producers: stored %d lost %d duplicates %d, acked %d+%d", r.Target, r.Producers,
				*r.Stored, *r.Lost, *r.Duplicates, r.Acked, r.WarmupAcked)
		}
		t.Logf("%-13s %d producers: acked %6d stored %6d", r.Target, r.Producers, r.Acked+r.WarmupAcked, *r.Stored)
	}
	if st := g.Stats(); st.Logins != 4 || st.Unauthorized != 0 || st.HeaderJWTs != 0 {
		t.Errorf("gateway %+v: want 4 logins (one per producer for the run), no 401, no JWT in a header", st)
	}
	if c := g.Connections(); c != 4 {
		t.Errorf("the gateway holds %d broker connections, want 4", c)
	}
	if left := b.Producers("compare"); len(left) != 0 {
		t.Errorf("producers left registered: %v", left)
	}
	if _, err := b.JetStream().Stream(context.Background(), "compare$1"); err != nil {
		t.Errorf("cleanup: keep, yet the station is gone: %v", err)
	}
}

// TestRunKeepsExistingStation: a station made before the run, holding 500
// messages, survives a run with default settings (reset on, cleanup:
// delete) with its messages, and every step is verified.
func TestRunKeepsExistingStation(t *testing.T) {
	t.Parallel()
	b := memphistest.Start(t, memphistest.Options{})
	ctx := context.Background()
	msg, err := b.Conn().Request("$memphis_station_creations", []byte(`{"name":"theirs","partitions_number":1}`), 5*time.Second)
	if err != nil || len(msg.Data) != 0 {
		t.Fatalf("create: %v %q", err, msg.Data)
	}
	for range 500 {
		if _, err := b.JetStream().Publish(ctx, "theirs$1.x", []byte("theirs")); err != nil {
			t.Fatal(err)
		}
	}
	targets := fmt.Sprintf("  - kind: memphis\n    url: %s\n    password: %s\n", b.URL(), memphistest.DefaultPassword)
	s := scenario(t, targets, "station:\n  name: theirs\nproducers:\n  counts: [1, 2]\n")
	res := runner.Run(ctx, s, runner.Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	var acked int64
	for _, r := range res.Runs {
		if r.Stored == nil || *r.Lost != 0 {
			t.Errorf("%d producers: not verified or lost (stored %v lost %v)", r.Producers, r.Stored, r.Lost)
		}
		if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, `memphis station "theirs" existed before the run`) {
			t.Errorf("%d producers: the notes do not say the station existed:\n%s", r.Producers, notes)
		}
		acked += r.Acked + r.WarmupAcked
	}
	st, err := b.JetStream().Stream(ctx, "theirs$1")
	if err != nil {
		t.Fatalf("the station that existed before the run was deleted: %v", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != uint64(500+acked) {
		t.Errorf("the station holds %d messages, want its 500 and the run's %d", info.State.Msgs, acked)
	}
	first, err := st.GetMsg(ctx, 1)
	if err != nil || string(first.Data) != "theirs" {
		t.Errorf("its first message: %v %q", err, first.Data)
	}
}

// TestRunGatewayVerifyImpossible: a memphis-http step whose broker cannot
// be reached over NATS is not reported as verified, and the result says
// why. Not parallel: a parallel test's server could take the closed port.
func TestRunGatewayVerifyImpossible(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	targets := fmt.Sprintf("  - kind: memphis-http\n    url: %s\n    password: %s\n    natsPort: %d\n    timeoutMs: 1000\n",
		g.URL(), memphistest.DefaultPassword, port)
	s := scenario(t, targets, "station:\n  name: unseen\n")
	res := runner.Run(context.Background(), s, runner.Options{})
	if len(res.Runs) != 1 {
		t.Fatalf("%d runs, want 1 (%s)", len(res.Runs), res.Error)
	}
	r := res.Runs[0]
	said := r.Error + "\n" + strings.Join(r.Notes, "\n")
	if r.Stored != nil || r.Lost != nil || !strings.Contains(said, "verification impossible") ||
		!strings.Contains(said, fmt.Sprintf("natsPort %d", port)) {
		t.Errorf("stored %v lost %v; error and notes:\n%s\nwant no verdict and the reason", r.Stored, r.Lost, said)
	}
}
