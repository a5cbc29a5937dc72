package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// jsClient is a JetStream client of the test's own on url.
func jsClient(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestStreamDeletedMidStepFailsStep: a stream deleted from another client
// in the middle of a step cannot be verified; every acknowledged message is
// lost, and the step fails saying so.
func TestStreamDeletedMidStepFailsStep(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, fmt.Sprintf(`
name: vanished
targets: [{name: local, kind: jetstream, url: %q, timeoutMs: 1000}]
station: {name: vanished, storage: memory}
producers: {counts: [2], maxPending: 16}
message: {size: 64}
load: {duration: 1500ms, warmup: 0s, drain: 1s}
`, srv.URL()))
	loaded, done := runInBackground(sc, 300*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	if err := jsClient(t, srv.URL()).DeleteStream(testCtx(t), "vanished"); err != nil {
		t.Fatal(err)
	}
	res := waitFor(t, done, 30*time.Second, "the run")
	r := res.Runs[0]
	t.Logf("status %s error %q lost %v stored %v acked %d+%d notes %q", r.Status, r.Error, deref(r.Lost), deref(r.Stored), r.Acked, r.WarmupAcked, r.Notes)
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed {
		t.Fatalf("status %s / %s: want failed, the station vanished", res.Status, r.Status)
	}
	if !strings.Contains(r.Error, "gone") || !strings.Contains(r.Error, "lost") {
		t.Errorf("error %q: want it to say the stream is gone and what was lost", r.Error)
	}
	if r.Lost == nil || *r.Lost != r.Acked+r.WarmupAcked || *r.Lost == 0 {
		t.Errorf("lost %v, acked %d+%d: want everything acknowledged counted lost", deref(r.Lost), r.Acked, r.WarmupAcked)
	}
	assertEverywhere(t, res, "the station is gone") // summary, report.html, markdown say why
}

// TestMemoryStreamLostOnServerRestart: a memory stream does not survive
// its server's restart; the step must fail with everything acknowledged
// counted lost, not pass with "verify skipped".
func TestMemoryStreamLostOnServerRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, 0, dir)
	port := srv.Port()
	defer func() { srv.Shutdown() }()
	sc := scenario(t, fmt.Sprintf(`
name: amnesia
targets:
  - {name: flaky, kind: jetstream, url: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: amnesia, storage: memory}
producers: {counts: [2], maxPending: 32}
message: {size: 64}
load: {duration: 2s, warmup: 0s, drain: 1s}
`, srv.URL()))
	loaded, done := runInBackground(sc, 400*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	srv = startServer(t, port, dir)

	res := waitFor(t, done, 60*time.Second, "the run")
	r := res.Runs[0]
	t.Logf("status %s error %q lost %v stored %v acked %d+%d notes %q", r.Status, r.Error, deref(r.Lost), deref(r.Stored), r.Acked, r.WarmupAcked, r.Notes)
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed {
		t.Fatalf("status %s / %s: want failed", res.Status, r.Status)
	}
	if r.Lost == nil || *r.Lost < r.WarmupAcked+1 {
		t.Errorf("lost %v, acked %d+%d: want the acknowledged messages counted lost", deref(r.Lost), r.Acked, r.WarmupAcked)
	}
	if !strings.Contains(r.Error, "lost") {
		t.Errorf("error %q does not say what was lost", r.Error)
	}
}

// coreLossScenario is a core NATS step whose broker is restarted while
// load runs, which loses what was in flight.
func coreLossScenario(t *testing.T, url, extra string) string {
	return fmt.Sprintf(`
name: atmostonce
targets:
  - {name: core, kind: nats, url: %q, maxReconnect: -1, reconnectIntervalMs: 20, timeoutMs: 1000}
station: {name: amo}
producers: {counts: [2]}
message: {size: 64}
load: {duration: 1500ms, warmup: 0s, drain: 500ms}
%s`, url, extra)
}

// restartDuringLoad runs sc and restarts its broker once load flows.
func restartDuringLoad(t *testing.T, text func(url string) string) *result.Result {
	dir := t.TempDir()
	srv := startServer(t, 0, dir)
	port := srv.Port()
	defer func() { srv.Shutdown() }()
	sc := scenario(t, text(srv.URL()))
	loaded := make(chan struct{})
	done := make(chan *result.Result, 1)
	p := &onSent{at: 300 * time.Millisecond, do: func() { close(loaded) }}
	go func() { done <- Run(context.Background(), sc, Options{Progress: p, TickEvery: 50 * time.Millisecond}) }()
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	srv = startServer(t, port, dir)
	return waitFor(t, done, 60*time.Second, "the run")
}

// TestCoreNATSLossFailsRun: without a threshold on lost, loss fails.
func TestCoreNATSLossFailsRun(t *testing.T) {
	t.Parallel()
	res := restartDuringLoad(t, func(url string) string { return coreLossScenario(t, url, "") })
	r := res.Runs[0]
	t.Logf("status %s error %q lost %v delivered %v sent %d", r.Status, r.Error, deref(r.Lost), deref(r.Delivered), r.Sent)
	if r.Lost == nil || *r.Lost == 0 {
		t.Skipf("the restart lost nothing this time (lost %v); nothing to judge", deref(r.Lost))
	}
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed || !strings.Contains(r.Error, "lost") {
		t.Errorf("status %s / %s, error %q: want failed, naming the loss", res.Status, r.Status, r.Error)
	}
}

// TestCoreNATSLossAcceptedByThreshold: a threshold on lost says the loss
// is expected; the step completes and the threshold judges it.
func TestCoreNATSLossAcceptedByThreshold(t *testing.T) {
	t.Parallel()
	res := restartDuringLoad(t, func(url string) string {
		return coreLossScenario(t, url, "thresholds: [{metric: lost, max: 100000000}]")
	})
	r := res.Runs[0]
	if r.Status != result.StatusComplete {
		t.Errorf("status %s (%s): a threshold on lost accepts the loss", r.Status, r.Error)
	}
}

// TestEverySendErroredFails: a full stream with discard new refuses every
// message; the step is failed and names the server's reason.
func TestEverySendErroredFails(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	js := jsClient(t, srv.URL())
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "full", Subjects: []string{"full.>"},
		Storage: jetstream.MemoryStorage, MaxMsgs: 1, Discard: jetstream.DiscardNew}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "full.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	sc := scenario(t, fmt.Sprintf(`
name: refused
targets: [{name: local, kind: jetstream, url: %q, timeoutMs: 1000}]
station: {name: whatever, subject: full.x}
producers: {counts: [1], maxPending: 16}
message: {size: 64}
load: {duration: 500ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	r := res.Runs[0]
	t.Logf("status %s error %q sent %d acked %d errors %d", r.Status, r.Error, r.Sent, r.Acked, r.Errors)
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed {
		t.Fatalf("status %s / %s: want failed, every send errored", res.Status, r.Status)
	}
	if !strings.Contains(r.Error, "maximum messages exceeded") {
		t.Errorf("error %q: want the server's reason", r.Error)
	}
	if len(r.ErrorTexts) == 0 || !strings.Contains(r.ErrorTexts[0].Text, "maximum messages exceeded") || r.ErrorTexts[0].Count < r.Errors {
		t.Errorf("error texts %+v: want the server's reason counted", r.ErrorTexts)
	}
	assertEverywhere(t, res, "maximum messages exceeded")
}

// TestMessageLargerThanMaxPayloadRefused: the server's max_payload is
// checked before any load, and the error names both sizes.
func TestMessageLargerThanMaxPayloadRefused(t *testing.T) {
	srv := natstest.Start(t, func(o *server.Options) { o.MaxPayload = 4096 })
	sc := scenario(t, fmt.Sprintf(`
name: huge
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: huge, storage: memory}
message: {size: 8192}
load: {duration: 300ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	t.Logf("status %s error %q runs %d", res.Status, res.Error, len(res.Runs))
	if res.Status != result.StatusFailed || !strings.Contains(res.Error, "8192") || !strings.Contains(res.Error, "4096") {
		t.Errorf("status %s, error %q: want failed, naming 8192 and 4096", res.Status, res.Error)
	}
	if len(res.Runs) != 0 {
		t.Errorf("%d runs: want none, no load before the check", len(res.Runs))
	}
}

// TestWarmupZeroSendsNoWarmup: with warmup 0s, nothing counts as warmup.
func TestWarmupZeroSendsNoWarmup(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	sc := scenario(t, fmt.Sprintf(`
name: nowarmup
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: nowarmup, storage: memory}
producers: {counts: [2], maxPending: 64}
message: {size: 64}
load: {duration: 500ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	r := res.Runs[0]
	if r.WarmupSent != 0 || r.WarmupAcked != 0 || r.DrainSent != 0 {
		t.Errorf("warmup_sent %d warmup_acked %d with warmup 0s: want 0", r.WarmupSent, r.WarmupAcked)
	}
	if r.Sent == 0 || *r.Stored != r.Acked {
		t.Errorf("sent %d acked %d stored %v", r.Sent, r.Acked, deref(r.Stored))
	}
}

// onSent is onLoad for kinds without acks: it fires once messages were
// sent for at least at.
type onSent struct {
	nopProgress
	at   time.Duration
	do   func()
	once sync.Once
}

func (o *onSent) Tick(_ StepInfo, t Tick) {
	if t.Elapsed >= o.at && t.Sent > 0 {
		o.once.Do(o.do)
	}
}
