package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/embedded"
	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// TestRunJetStreamOverEmbeddedWebSocket: url embedded+ws needs no setup;
// the step's acks come over WebSocket, every one is verified in the
// stream, and the result names the transport.
func TestRunJetStreamOverEmbeddedWebSocket(t *testing.T) {
	t.Parallel()
	sc := scenario(t, `
name: ws
targets:
  - {name: websocket, kind: jetstream, url: embedded+ws}
station: {name: ws, storage: memory, verify: true}
producers: {counts: [2], ack: async, maxPending: 64}
message: {size: 128}
load: {duration: 1s, warmup: 200ms}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	env := res.Env.Targets[0]
	if env.Transport != "websocket" || !env.Embedded || !strings.Contains(env.URL, "(ws://127.0.0.1:") {
		t.Errorf("env %+v: want the embedded server over websocket, at its ws:// URL", env)
	}
	checkVerified(t, res.Runs[0])
}

// TestRunOverWebSocketURL: ws:// URLs reach a separately started
// nats-server's WebSocket listener for nats and jetstream targets, and a
// Memphis broker's for a memphis target; each is measured as over TCP and
// named websocket.
func TestRunOverWebSocketURL(t *testing.T) {
	t.Parallel()
	srv := natstest.StartWebSocket(t)
	broker := memphistest.Start(t, memphistest.Options{WebSocket: true})
	sc := scenario(t, fmt.Sprintf(`
name: ws
targets:
  - {name: core, kind: nats, url: %q}
  - {name: js, kind: jetstream, url: %q}
  - {name: memphis, kind: memphis, url: %q, password: %s}
station: {name: wsurl, storage: memory}
producers: {counts: [1], ack: async, maxPending: 64}
message: {size: 64}
load: {duration: 1s, warmup: 100ms}
`, srv.WebSocketURL(), srv.WebSocketURL(), broker.WebSocketURL(), memphistest.DefaultPassword))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	for _, env := range res.Env.Targets {
		if env.Transport != "websocket" || !strings.HasPrefix(env.URL, "ws://127.0.0.1:") {
			t.Errorf("target %s: transport %q at %q, want websocket at a ws:// URL", env.Name, env.Transport, env.URL)
		}
	}
	if len(res.Runs) != 3 {
		t.Fatalf("%d runs, want 3", len(res.Runs))
	}
	core := res.Runs[0]
	if core.Delivered == nil || core.Lost == nil || *core.Delivered == 0 || *core.Lost != 0 {
		t.Errorf("core over websocket: sent %d, delivered %v, lost %v", core.Sent, deref(core.Delivered), deref(core.Lost))
	}
	checkVerified(t, res.Runs[1])
	checkVerified(t, res.Runs[2])
}

// TestRunSurvivesBrokerRestartOverWebSocket: as TestRunSurvivesBrokerRestart,
// with the producers connected over WebSocket: the outage is counted, the
// producers reconnect to the same ws:// URL and nothing acknowledged is
// lost.
func TestRunSurvivesBrokerRestartOverWebSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startWebSocketServer(t, 0, dir)
	port := srv.WebSocketPort()
	defer func() { srv.Shutdown() }()
	sc := scenario(t, fmt.Sprintf(`
name: restart
targets:
  - {name: flaky, kind: jetstream, url: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: wsrestart, storage: file}
producers: {counts: [2], maxPending: 32}
message: {size: 64}
load: {duration: 3s, warmup: 200ms, drain: 3s}
`, srv.WebSocketURL()))
	loaded, done := runInBackground(sc, 500*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	awaitReconnect(t, port) // the outage lasts until the run tries to reconnect over WebSocket
	srv = startWebSocketServer(t, port, dir)

	res := waitFor(t, done, 60*time.Second, "the run")
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if tr := res.Env.Targets[0].Transport; tr != "websocket" {
		t.Errorf("transport %q, want websocket", tr)
	}
	r := res.Runs[0]
	if r.Disconnects < 1 || r.Reconnects < 1 || r.DisconnectedS <= 0 {
		t.Errorf("disconnects %d, reconnects %d, disconnected %.3fs: want the outage counted", r.Disconnects, r.Reconnects, r.DisconnectedS)
	}
	checkVerified(t, r)
	t.Logf("sent %d acked %d errors %d disconnects %d reconnects %d disconnected %.3fs stored %d",
		r.Sent, r.Acked, r.Errors, r.Disconnects, r.Reconnects, r.DisconnectedS, deref(r.Stored))
}

// startWebSocketServer starts an embedded server with its store in dir and
// a WebSocket listener on wsPort (0: any); the caller shuts it down.
func startWebSocketServer(t *testing.T, wsPort int, dir string) *embedded.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: dir, WebSocket: true, WebSocketPort: wsPort})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	return srv
}

// checkVerified fails unless the run acknowledged messages and the
// station holds every one of them.
func checkVerified(t *testing.T, r result.Run) {
	t.Helper()
	if r.Status != result.StatusComplete || r.Acked == 0 {
		t.Errorf("%s: status %s, acked %d: %s", r.Target, r.Status, r.Acked, r.Error)
	}
	if r.Lost == nil || *r.Lost != 0 || r.Stored == nil || *r.Stored < r.Acked+r.WarmupAcked {
		t.Errorf("%s: verify: lost %v, stored %v, acked %d+%d", r.Target, deref(r.Lost), deref(r.Stored), r.Acked, r.WarmupAcked)
	}
}
