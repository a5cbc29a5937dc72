package runner

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/embedded"
	"github.com/stationbench/stationbench/result"
)

// startServer starts an embedded server on port (0: any) with its store in
// dir; the caller shuts it down.
func startServer(t *testing.T, port int, dir string) *embedded.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Options{Port: port, StoreDir: dir})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	return srv
}

// awaitReconnect holds the port of a stopped server until a client tries
// to reconnect to it, and turns that client away: the outage ends only
// once the run has seen it.
func awaitReconnect(t *testing.T, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("hold the stopped server's port: %v", err)
	}
	defer ln.Close()
	if err := ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("no reconnect attempt: %v", err)
	}
	c.Close()
}

func TestRunSurvivesBrokerRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, 0, dir)
	port := srv.Port()
	defer func() { srv.Shutdown() }()
	sc := scenario(t, fmt.Sprintf(`
name: restart
targets:
  - {name: flaky, kind: jetstream, url: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: restart, storage: file}
producers: {counts: [2], maxPending: 32}
message: {size: 64}
load: {duration: 4s, warmup: 200ms, drain: 3s}
`, srv.URL()))
	loaded, done := runInBackground(sc, 500*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	awaitReconnect(t, port) // the outage lasts until the run tries to reconnect
	srv = startServer(t, port, dir)

	res := waitFor(t, done, 60*time.Second, "the run")
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	if r.Disconnects < 1 || r.Reconnects < 1 || r.DisconnectedS <= 0 {
		t.Errorf("disconnects %d, reconnects %d, disconnected %.3fs: want the outage counted", r.Disconnects, r.Reconnects, r.DisconnectedS)
	}
	var producerReconnects int64
	for _, p := range r.ProducerStats {
		producerReconnects += p.Reconnects
	}
	if producerReconnects < 1 {
		t.Errorf("no producer counted its reconnect: %+v", r.ProducerStats)
	}
	if r.DisconnectedS > r.DurationS {
		t.Errorf("disconnected %.3fs of a %.3fs window", r.DisconnectedS, r.DurationS)
	}
	var perSecond float64
	for _, s := range r.Series {
		perSecond += s.DisconnectedS
	}
	if d := perSecond - r.DisconnectedS; d > 0.001 || d < -0.001 {
		t.Errorf("per-second disconnected time sums to %.3fs, run says %.3fs", perSecond, r.DisconnectedS)
	}
	if r.Lost == nil || *r.Lost != 0 || r.Stored == nil || *r.Stored < r.Acked+r.WarmupAcked {
		t.Errorf("verify: lost %v, stored %v, acked %d+%d", deref(r.Lost), deref(r.Stored), r.Acked, r.WarmupAcked)
	}
	if r.Acked == 0 {
		t.Error("nothing acknowledged")
	}
	t.Logf("sent %d acked %d errors %d disconnects %d reconnects %d disconnected %.3fs stored %d",
		r.Sent, r.Acked, r.Errors, r.Disconnects, r.Reconnects, r.DisconnectedS, deref(r.Stored))
}

func TestRunFailsWhenBrokerDoesNotComeBack(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 0, t.TempDir())
	defer srv.Shutdown()
	sc := scenario(t, fmt.Sprintf(`
name: gone
targets:
  - {name: doomed, kind: jetstream, url: %q, maxReconnect: 2, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: gone, storage: file}
producers: {counts: [1, 2], maxPending: 32}
message: {size: 64}
load: {duration: 60s, warmup: 100ms, drain: 1s}
`, srv.URL()))
	// Stop the broker once acks are measured: with a warmup, acks seen are
	// not yet acks measured, and the step must have measured some.
	measured, done := runMeasuredInBackground(sc)
	waitFor(t, measured, 20*time.Second, "measured acks")
	srv.Shutdown()
	stopped := time.Now()
	// The step is 60 s long; the run must end once the reconnects are spent.
	res := waitFor(t, done, 20*time.Second, "the run to fail")
	t.Logf("ended %s after the broker stopped: %s", time.Since(stopped).Round(time.Millisecond), res.Error)
	if res.Status != result.StatusFailed {
		t.Fatalf("status %s, want failed", res.Status)
	}
	if len(res.Runs) != 1 {
		t.Fatalf("got %d runs, want 1: the lost target's later steps are not run", len(res.Runs))
	}
	r := res.Runs[0]
	if r.Status != result.StatusFailed || !strings.Contains(r.Error, "lost") || !strings.Contains(r.Error, `"doomed"`) {
		t.Errorf("run status %s, error %q: want failed, naming the target and the lost connection", r.Status, r.Error)
	}
	if !strings.Contains(r.Error, "the broker was unreachable from") || !strings.Contains(r.Error, "(maxReconnect exhausted)") {
		t.Errorf("error %q: want the cause, the broker unreachable from a time", r.Error)
	}
	if strings.Contains(res.Error, "delete stream") {
		t.Errorf("run error %q blames the cleanup", res.Error)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "cleanup not done") || !strings.Contains(notes, `stream "gone"`) {
		t.Errorf("notes %q: want the cleanup that could not be done, naming the stream left", res.Notes)
	}
	if r.Sent == 0 || r.Acked == 0 || r.DurationS <= 0 || r.DurationS > 30 {
		t.Errorf("sent %d acked %d over %.3fs: want what was measured before the broker went", r.Sent, r.Acked, r.DurationS)
	}
	if r.Disconnects < 1 {
		t.Errorf("disconnects %d", r.Disconnects)
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestRunFailsWhenBrokerGoneWhileReconnecting: with endless reconnects,
// a broker gone for good leaves the step to end on its own; it must be
// failed with the broker named as the cause, not complete with the
// cleanup blamed.
func TestRunFailsWhenBrokerGoneWhileReconnecting(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 0, t.TempDir())
	defer srv.Shutdown()
	sc := scenario(t, fmt.Sprintf(`
name: limbo
targets:
  - {name: limbo, kind: jetstream, url: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 500}
station: {name: limbo, storage: memory, cleanup: delete}
producers: {counts: [1], maxPending: 32}
message: {size: 64}
load: {duration: 3s, warmup: 0s, drain: 500ms}
`, srv.URL()))
	// The step must still run when acks are first seen (after 64 of them),
	// however slowly a loaded machine sends: 3 s leaves room.
	loaded, done := runInBackground(sc, 300*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	res := waitFor(t, done, 30*time.Second, "the run")
	r := res.Runs[0]
	t.Logf("run %s: %s; notes %q", r.Status, r.Error, res.Notes)
	if res.Status != result.StatusFailed || r.Status != result.StatusFailed {
		t.Fatalf("status %s / %s: want failed", res.Status, r.Status)
	}
	if !strings.Contains(r.Error, "the broker was unreachable from") {
		t.Errorf("error %q: want the unreachable broker as the cause", r.Error)
	}
	if strings.Contains(res.Error, "delete stream") {
		t.Errorf("run error %q blames the cleanup", res.Error)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, `stream "limbo"`) {
		t.Errorf("notes %q: want the stream left on the server named", res.Notes)
	}
}
