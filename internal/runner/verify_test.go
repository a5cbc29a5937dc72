package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
	jsdriver "github.com/stationbench/stationbench/workers/jetstream"
)

func TestVerifyCountsWhatTheStationHolds(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, fmt.Sprintf(`
name: verified
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: verified, storage: memory, reset: false}
producers: {counts: [1, 3], maxPending: 64}
message: {size: 64}
load: {duration: 500ms, warmup: 100ms, drain: 2s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	for i, r := range res.Runs {
		if r.Lost == nil || r.Stored == nil || r.Duplicates == nil {
			t.Fatalf("run %d: verification missing: %+v", i, r)
		}
		if *r.Lost != 0 || *r.Duplicates != 0 || *r.Stored != r.Acked+r.WarmupAcked {
			t.Errorf("run %d: lost %d duplicates %d stored %d, acked %d+%d", i, *r.Lost, *r.Duplicates, *r.Stored, r.Acked, r.WarmupAcked)
		}
	}
}

func TestVerifyOff(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, fmt.Sprintf(`
name: unverified
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: unverified, storage: memory, verify: false}
load: {duration: 300ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete || res.Runs[0].Lost != nil || res.Runs[0].Stored != nil {
		t.Fatalf("status %s, lost %v, stored %v: want no verification", res.Status, deref(res.Runs[0].Lost), deref(res.Runs[0].Stored))
	}
}

// TestVerifyFindsLostMessages deletes and recreates the stream in the
// middle of a step: every message acknowledged before is gone, and the run
// must say so and fail.
func TestVerifyFindsLostMessages(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, fmt.Sprintf(`
name: lossy
targets: [{name: local, kind: jetstream, url: %q, timeoutMs: 1000}]
station: {name: lossy, storage: memory}
producers: {counts: [1], maxPending: 16}
message: {size: 64}
load: {duration: 2s, warmup: 0s, drain: 2s}
`, srv.URL()))
	loaded, done := runInBackground(sc, 300*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")

	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := js.DeleteStream(ctx, "lossy"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jsdriver.StreamConfig(sc.Station)); err != nil {
		t.Fatal(err)
	}

	res := waitFor(t, done, 30*time.Second, "the run")
	r := res.Runs[0]
	if r.Lost == nil || *r.Lost == 0 {
		t.Fatalf("lost %v (acked %d+%d, stored %v): want the deleted messages counted", deref(r.Lost), r.Acked, r.WarmupAcked, deref(r.Stored))
	}
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed || !strings.Contains(r.Error, "not in the station") {
		t.Errorf("status %s / %s, error %q: want failed for lost messages", res.Status, r.Status, r.Error)
	}
}
