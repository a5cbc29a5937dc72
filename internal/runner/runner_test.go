package runner

import (
	"context"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

func TestRunJetStreamEndToEnd(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, `
name: e2e
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: e2e, storage: memory, reset: false, cleanup: keep}
producers: {counts: [1, 2], maxPending: 64}
message: {size: 64}
load: {duration: 1s, warmup: 200ms, drain: 2s}
`)
	res := Run(context.Background(), sc, Options{Version: "test"})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if len(res.Runs) != 2 {
		t.Fatalf("got %d runs, want 2", len(res.Runs))
	}

	// The stream holds exactly what was acknowledged, warmup included.
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, err := js.Stream(context.Background(), "e2e")
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	info, err := stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var acked int64
	for i, r := range res.Runs {
		if r.Producers != sc.Producers.Counts[i] || r.Errors != 0 || r.Acked == 0 {
			t.Errorf("run %d: producers %d errors %d acked %d", i, r.Producers, r.Errors, r.Acked)
		}
		acked += r.Acked + r.WarmupAcked
		checkPercentiles(t, r)
		checkHistogram(t, r)
		if r.Sent != r.Acked {
			t.Errorf("run %d: sent %d, acked %d", i, r.Sent, r.Acked)
		}
		if r.DurationS < 0.9 || r.DurationS > 1.1 {
			t.Errorf("run %d: measured %.3fs, want about 1s", i, r.DurationS)
		}
		if r.WarmupSent == 0 {
			t.Errorf("run %d: no warmup traffic", i)
		}
	}
	if int64(info.State.Msgs) != acked {
		t.Errorf("stream holds %d messages, runs acked %d", info.State.Msgs, acked)
	}
	if res.Env.Targets[0].ServerVersion == "" || res.Env.GOMAXPROCS == 0 || res.Env.PeakRSSBytes == 0 {
		t.Errorf("env incomplete: %+v", res.Env)
	}

	// result.json round-trips and both charts decode.
	dir := t.TempDir()
	if err := report.WriteAll(dir, res); err != nil {
		t.Fatalf("write: %v", err)
	}
	back, err := result.ReadJSON(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(roundTrip(t, res), back) {
		t.Errorf("result.json does not round-trip")
	}
	for _, f := range []string{"throughput.png", "latency.png"} {
		decodePNG(t, filepath.Join(dir, f))
	}
}

// roundTrip normalizes a result the way JSON does (times lose their
// monotonic reading).
func roundTrip(t *testing.T, r *result.Result) *result.Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.json")
	if err := result.WriteJSON(p, r); err != nil {
		t.Fatal(err)
	}
	back, err := result.ReadJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func checkPercentiles(t *testing.T, r result.Run) {
	t.Helper()
	for _, l := range []result.Percentiles{r.LatencyUs, r.LatencyUncorrectedUs} {
		if !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
			t.Errorf("%d producers: percentiles not ordered and positive: %+v", r.Producers, l)
		}
	}
}

func checkHistogram(t *testing.T, r result.Run) {
	t.Helper()
	h, err := result.DecodeHistogram(r.Histogram)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if h.TotalCount() != r.Acked {
		t.Errorf("histogram holds %d values, run acked %d", h.TotalCount(), r.Acked)
	}
	if got := float64(h.ValueAtQuantile(99)) / 1e3; got != r.LatencyUs.P99 {
		t.Errorf("decoded p99 %.1fµs, result says %.1fµs", got, r.LatencyUs.P99)
	}
	var perSecond int64
	for _, s := range r.Series {
		perSecond += s.Acked
	}
	if perSecond != r.Acked {
		t.Errorf("series acked %d, run acked %d", perSecond, r.Acked)
	}
}

func decodePNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil || format != "png" || img.Bounds().Dx() < 100 {
		t.Errorf("%s: not a PNG chart: %v", path, err)
	}
}

func TestRunCoreNATSDelivery(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, `
name: core
targets:
  - {name: core, kind: nats, url: `+srv.URL()+`}
station: {name: core}
producers: {counts: [2]}
message: {size: 32}
load: {duration: 500ms, warmup: 100ms, rate: 2000, drain: 2s}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	if r.Delivered == nil || r.Lost == nil {
		t.Fatalf("delivered/lost not reported: %+v", r)
	}
	// At a low rate on loopback nothing is lost: every measured message is
	// delivered and timed.
	if *r.Delivered != r.Sent || *r.Lost != 0 || r.Sent == 0 {
		t.Errorf("sent %d, delivered %d, lost %d", r.Sent, *r.Delivered, *r.Lost)
	}
	// Deliveries are attributed to the producer that sent them.
	var perProducer int64
	for _, p := range r.ProducerStats {
		if p.Acked == 0 || p.Acked != p.Sent {
			t.Errorf("producer %s: sent %d, delivered %d", p.Name, p.Sent, p.Acked)
		}
		perProducer += p.Acked
	}
	if perProducer != *r.Delivered || len(r.ProducerStats) != 2 {
		t.Errorf("producers' deliveries add up to %d, run delivered %d", perProducer, *r.Delivered)
	}
	// 2000 msgs/s for 0.5 s is 1000 messages offered.
	if r.Offered != 1000 {
		t.Errorf("offered %d, want 1000", r.Offered)
	}
	checkPercentiles(t, r)
	checkHistogram(t, r)
}

func TestRunUnreachableFailsWithinTimeout(t *testing.T) {
	sc := scenario(t, `
name: down
targets:
  - {name: nowhere, kind: jetstream, url: "nats://127.0.0.1:1", timeoutMs: 1500}
load: {duration: 1s}
`)
	start := time.Now()
	res := Run(context.Background(), sc, Options{})
	took := time.Since(start)
	if res.Status != result.StatusFailed {
		t.Fatalf("status %s, want failed", res.Status)
	}
	if !strings.Contains(res.Error, `"nowhere"`) {
		t.Errorf("error does not name the target: %s", res.Error)
	}
	if took > 1500*time.Millisecond+time.Second {
		t.Errorf("took %s to fail, timeout is 1.5s", took)
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, `
name: stop
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: stop, storage: memory}
producers: {counts: [1, 2]}
load: {duration: 30s, warmup: 100ms}
`)
	ctx, cancel := context.WithCancel(context.Background())
	measured := &onMeasured{do: cancel} // the partial run must have measured acks
	res := Run(ctx, sc, measured.options())
	if res.Status != result.StatusInterrupted {
		t.Fatalf("status %s, want interrupted", res.Status)
	}
	if len(res.Runs) != 1 || res.Runs[0].Status != result.StatusInterrupted {
		t.Fatalf("runs: %+v", res.Runs)
	}
	r := res.Runs[0]
	if r.Acked == 0 || r.DurationS <= 0 || r.DurationS > 5 {
		t.Errorf("partial run: acked %d over %.2fs", r.Acked, r.DurationS)
	}
}

// TestRunStationSubjectWritesIntoExistingStream: with station.subject, a
// jetstream target publishes into a stream it did not create (as into a
// Memphis station's "orders$1.final"), leaves it in place, and verifies
// against it.
func TestRunStationSubjectWritesIntoExistingStream(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "orders$1", Subjects: []string{"orders$1.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	sc := scenario(t, `
name: subject
targets: [{name: compat, kind: jetstream, url: "`+srv.URL()+`"}]
station: {name: orders, subject: "orders$1.final", cleanup: delete}
producers: {counts: [2]}
load: {duration: 300ms, warmup: 100ms}
`)
	res := Run(ctx, sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	s, err := js.Stream(ctx, "orders$1")
	if err != nil {
		t.Fatalf("the existing stream was removed: %v", err)
	}
	info, _ := s.Info(ctx)
	if got := int64(info.State.Msgs); got != r.Acked+r.WarmupAcked || got == 0 {
		t.Errorf("stream holds %d, run acked %d + %d warmup", got, r.Acked, r.WarmupAcked)
	}
	if r.Stored == nil || *r.Stored != int64(info.State.Msgs) {
		t.Errorf("verify did not read the subject's stream: stored %v", r.Stored)
	}
	if _, err := js.Stream(ctx, "orders"); err == nil {
		t.Error("a stream named after the station was created")
	}
}
