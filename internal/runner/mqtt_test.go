package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/internal/embedded"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/tlstest"
	"github.com/stationbench/stationbench/result"
)

// An mqtt target at qos 1 against the embedded server (url: embedded, so
// the runner starts it through the table): every message is timed to its
// PUBACK, and the station's stream holds exactly what was acknowledged.
func TestRunMQTTQoS1AckedAndVerified(t *testing.T) {
	t.Parallel()
	sc := scenario(t, `
name: mqtt1
targets:
  - {name: m, kind: mqtt, qos: 1}
station: {name: mq1, storage: memory}
producers: {counts: [3], maxPending: 16}
message: {size: 64}
load: {duration: 1s, warmup: 100ms}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	if r.Acked == 0 || r.Acked != r.Sent {
		t.Errorf("sent %d, acked %d: want every message acknowledged", r.Sent, r.Acked)
	}
	if r.Stored == nil || *r.Stored != r.Acked+r.WarmupAcked || r.Lost == nil || *r.Lost != 0 {
		t.Errorf("stored %v, lost %v, acked %d+%d: want stored == acked", deref(r.Stored), deref(r.Lost), r.Acked, r.WarmupAcked)
	}
	if r.Delivered != nil {
		t.Errorf("delivered %d: a qos 1 step is timed by acknowledgements, not deliveries", *r.Delivered)
	}
	if len(r.ProducerStats) != 3 || r.ProducerStats[0].Name != "bench-1" {
		t.Errorf("producers: %+v", r.ProducerStats)
	}
	if rt := res.Scenario.Targets[0]; rt.QoS == nil || *rt.QoS != 1 || rt.CleanSession == nil || !*rt.CleanSession || rt.KeepAlive.D() != 30*time.Second {
		t.Errorf("the result's record of the target: %+v: want its qos, clean session and keep-alive", rt)
	}
	if !strings.HasPrefix(res.Env.Targets[0].URL, "embedded (mqtt://127.0.0.1:") {
		t.Errorf("target url %q: want the embedded MQTT address", res.Env.Targets[0].URL)
	}
}

// At qos 0 the harness's subscriber (over NATS) times each delivery and
// counts loss: with the broker up, every message is delivered.
func TestRunMQTTQoS0Delivery(t *testing.T) {
	t.Parallel()
	sc := scenario(t, `
name: mqtt0
targets:
  - {name: m, kind: mqtt, qos: 0}
station: {name: mq0, storage: memory}
producers: {counts: [2]}
message: {size: 64}
load: {duration: 1s, warmup: 100ms, rate: 2000}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	if r.Delivered == nil || r.Lost == nil || r.Sent == 0 || *r.Delivered != r.Sent || *r.Lost != 0 {
		t.Errorf("sent %d, delivered %v, lost %v: want every message delivered", r.Sent, deref(r.Delivered), deref(r.Lost))
	}
	if r.Stored != nil {
		t.Errorf("stored %d: a qos 0 step is not verified against a stream", *r.Stored)
	}
	if r.LatencyUs.P50 <= 0 {
		t.Errorf("p50 %v: want publish-to-delivery latency", r.LatencyUs.P50)
	}
}

// startMQTTServer starts an embedded server with its MQTT listener on
// mqttPort and its NATS port on natsPort (0: any), its store in dir.
func startMQTTServer(t *testing.T, natsPort, mqttPort int, dir string) *embedded.MQTTServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := embedded.StartMQTTWith(ctx, embedded.Options{Port: natsPort, StoreDir: dir,
		Configure: func(o *server.Options) { o.MQTT.Port = mqttPort }})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	return srv
}

// mqttRestart runs a scenario against a server it restarts once load
// flows, on the same ports and store.
func mqttRestart(t *testing.T, text func(mqttURL, natsURL string) string) *result.Result {
	dir := t.TempDir()
	srv := startMQTTServer(t, 0, 0, dir)
	natsPort, mqttPort := srv.Port(), srv.MQTTPort()
	defer func() { srv.Shutdown() }()
	sc := scenario(t, text(srv.URL(), srv.NATSURL()))
	loaded := make(chan struct{})
	done := make(chan *result.Result, 1)
	p := &onSent{at: 300 * time.Millisecond, do: func() { close(loaded) }}
	go func() { done <- Run(context.Background(), sc, Options{Progress: p, TickEvery: 50 * time.Millisecond}) }()
	waitFor(t, loaded, 20*time.Second, "load")
	srv.Shutdown()
	awaitReconnect(t, mqttPort) // the outage lasts until a producer tries to reconnect
	srv = startMQTTServer(t, natsPort, mqttPort, dir)
	return waitFor(t, done, 60*time.Second, "the run")
}

// A qos 1 run survives a broker restart: the outage is counted, every
// producer reconnects and is acknowledged again after it, and the station
// is verified. nats-server sends the PUBACK once a message is in its own
// MQTT stream and stores it in the station's stream on another path, so
// a restart may cost acknowledged messages there: then the step fails,
// naming them, and never passes.
func TestRunMQTTSurvivesBrokerRestart(t *testing.T) {
	t.Parallel()
	res := mqttRestart(t, func(mqttURL, natsURL string) string {
		return fmt.Sprintf(`
name: restart
targets:
  - {name: flaky, kind: mqtt, qos: 1, url: %q, natsUrl: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: mqrestart, storage: file}
producers: {counts: [2], maxPending: 32}
message: {size: 64}
load: {duration: 3s, warmup: 200ms, drain: 3s}
`, mqttURL, natsURL)
	})
	r := res.Runs[0]
	t.Logf("status %s error %q sent %d acked %d errors %d disconnects %d reconnects %d disconnected %.3fs stored %v lost %v",
		r.Status, r.Error, r.Sent, r.Acked, r.Errors, r.Disconnects, r.Reconnects, r.DisconnectedS, deref(r.Stored), deref(r.Lost))
	if r.Disconnects < 1 || r.Reconnects < 1 || r.DisconnectedS <= 0 {
		t.Errorf("disconnects %d, reconnects %d, disconnected %.3fs: want the outage counted", r.Disconnects, r.Reconnects, r.DisconnectedS)
	}
	for _, e := range r.ErrorTexts { // what the outage cost is said, never counted acknowledged
		t.Logf("error text: %d x %s", e.Count, e.Text)
		if !strings.Contains(e.Text, "connection") && !strings.Contains(e.Text, "reconnecting") &&
			!strings.Contains(e.Text, "broken pipe") && !strings.Contains(e.Text, "no acknowledgement within") {
			t.Errorf("error text %q: want the outage named", e.Text)
		}
	}
	var producerReconnects int64
	for _, p := range r.ProducerStats {
		producerReconnects += p.Reconnects
	}
	if producerReconnects < 2 {
		t.Errorf("producers counted %d reconnects: want each of the 2 to count its own", producerReconnects)
	}
	last := -1
	for i, sec := range r.Series {
		if sec.DisconnectedS > 0 {
			last = i
		}
	}
	var ackedAfter int64
	for _, sec := range r.Series[last+1:] {
		ackedAfter += sec.Acked
	}
	if last < 0 || ackedAfter == 0 {
		t.Errorf("acked %d in the seconds after the outage (last down in second %d): want load acknowledged again", ackedAfter, last)
	}
	switch {
	case r.Stored == nil || r.Lost == nil:
		t.Errorf("stored %v, lost %v: want the station verified", deref(r.Stored), deref(r.Lost))
	case *r.Lost > 0:
		if r.Status != result.StatusFailed || !strings.Contains(r.Error, "acknowledged messages are not in the station") {
			t.Errorf("lost %d acknowledged messages, but status %s, error %q: want failed, naming them", *r.Lost, r.Status, r.Error)
		}
	case r.Status != result.StatusComplete || *r.Stored < r.Acked+r.WarmupAcked:
		t.Errorf("status %s (%s), stored %d, acked %d+%d", r.Status, r.Error, *r.Stored, r.Acked, r.WarmupAcked)
	}
}

// At qos 0 what is published while the broker is away never arrives
// (paho drops qos 0 messages while it reconnects): the subscriber counts
// it lost, and a threshold on lost lets the step complete.
func TestRunMQTTQoS0CountsLoss(t *testing.T) {
	t.Parallel()
	res := mqttRestart(t, func(mqttURL, natsURL string) string {
		return fmt.Sprintf(`
name: loss
targets:
  - {name: flaky, kind: mqtt, qos: 0, url: %q, natsUrl: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: mqloss, storage: memory}
producers: {counts: [1]}
message: {size: 64}
load: {duration: 2s, warmup: 0s, drain: 1s, rate: 2000}
thresholds: [{metric: lost, max: 1000000}]
`, mqttURL, natsURL)
	})
	r := res.Runs[0]
	t.Logf("status %s error %q sent %d delivered %v lost %v", r.Status, r.Error, r.Sent, deref(r.Delivered), deref(r.Lost))
	if r.Status != result.StatusComplete {
		t.Fatalf("step %s: %s", r.Status, r.Error)
	}
	if r.Lost == nil || *r.Lost == 0 || r.Delivered == nil || *r.Delivered+*r.Lost != r.Sent {
		t.Errorf("sent %d, delivered %v, lost %v: want the messages of the outage counted lost", r.Sent, deref(r.Delivered), deref(r.Lost))
	}
}

// Username and password log the producers in over MQTT and the station's
// stream over NATS, on a server that has users; the password is nowhere in
// the result, and a wrong one fails the target without showing it.
func TestRunMQTTUserPassword(t *testing.T) {
	t.Parallel()
	const pw = "mqtt-s3cret-Pa55"
	srv := natstest.StartMQTT(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "bench", Password: pw}}
	})
	run := func(password string) *result.Result {
		sc := scenario(t, fmt.Sprintf(`
name: auth
targets:
  - {name: m, kind: mqtt, url: %q, natsUrl: %q, username: bench, password: %q}
station: {name: mqauth, storage: memory}
producers: {counts: [1]}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, srv.URL(), srv.NATSURL(), password))
		return Run(context.Background(), sc, Options{})
	}
	res := run(pw)
	if res.Status != result.StatusComplete || res.Runs[0].Acked == 0 || deref(res.Runs[0].Lost) != int64(0) {
		t.Fatalf("status %s: %s (runs %d)", res.Status, res.Error, len(res.Runs))
	}
	bad := run(pw + "-wrong")
	if bad.Status != result.StatusFailed || !strings.Contains(bad.Error, "not Authorized") && !strings.Contains(bad.Error, "Authorization") {
		t.Errorf("wrong password: status %s, error %q: want failed, saying so", bad.Status, bad.Error)
	}
	for _, r := range []*result.Result{res, bad} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), pw) {
			t.Errorf("the password is in the result: %s", b)
		}
	}
}

// Ctrl-C during a qos 1 step ends the run at once with what was measured
// so far, and the partial result is handed over before cleanup.
func TestRunMQTTInterrupted(t *testing.T) {
	t.Parallel()
	sc := scenario(t, `
name: stop
targets:
  - {name: m, kind: mqtt}
station: {name: mqstop, storage: memory}
producers: {counts: [2, 4]}
load: {duration: 30s, warmup: 100ms}
`)
	ctx, cancel := context.WithCancel(context.Background())
	measured := &onMeasured{do: cancel}
	o := measured.options()
	var partial *result.Result
	o.Checkpoint = func(r *result.Result) { partial = r }
	res := Run(ctx, sc, o)
	if res.Status != result.StatusInterrupted || len(res.Runs) != 1 || res.Runs[0].Status != result.StatusInterrupted {
		t.Fatalf("status %s, runs %+v: want one interrupted run", res.Status, res.Runs)
	}
	if r := res.Runs[0]; r.Acked == 0 || r.DurationS <= 0 || r.DurationS > 5 {
		t.Errorf("partial run: acked %d over %.2fs", r.Acked, r.DurationS)
	}
	if partial == nil || partial.Status != result.StatusInterrupted || len(partial.Runs) != 1 {
		t.Errorf("checkpoint: %+v: want the partial result", partial)
	}
}

// The station of a qos 1 target is a stream the run makes and deletes
// (cleanup: delete); a stream that existed before the run is the user's:
// written into, never purged or deleted, and the result says so.
func TestRunMQTTStationsCreatedAndDeleted(t *testing.T) {
	t.Parallel()
	srv := natstest.StartMQTT(t)
	js := jsClient(t, srv.NATSURL())
	run := func(station string) *result.Result {
		sc := scenario(t, fmt.Sprintf(`
name: stations
targets: [{name: m, kind: mqtt, url: %q, natsUrl: %q}]
station: {name: %s, storage: memory, cleanup: delete}
producers: {counts: [2]}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, srv.URL(), srv.NATSURL(), station))
		res := Run(context.Background(), sc, Options{})
		if res.Status != result.StatusComplete {
			t.Fatalf("station %s: status %s: %s", station, res.Status, res.Error)
		}
		return res
	}
	run("mqmade")
	if _, err := js.Stream(testCtx(t), "mqmade"); err == nil {
		t.Error("the stream the run made is still there after cleanup: delete")
	}
	fillStream(t, js, "mqusers", nil, 5)
	res := run("mqusers")
	s, err := js.Stream(testCtx(t), "mqusers")
	if err != nil {
		t.Fatalf("the user's stream: %v", err)
	}
	info, err := s.Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Runs[0]
	if want := 5 + uint64(r.Acked+r.WarmupAcked); info.State.Msgs != want || deref(r.Lost) != int64(0) {
		t.Errorf("the user's stream holds %d messages, want %d (5 of theirs + acked); lost %v", info.State.Msgs, want, deref(r.Lost))
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "existed before the run") {
		t.Errorf("notes %q: want the stream's origin said", r.Notes)
	}
}

// The target's TLS files apply to its MQTT and its NATS connections: a
// server that requires client certificates on both takes the run.
func TestRunMQTTMutualTLS(t *testing.T) {
	t.Parallel()
	certs := tlstest.Generate(t)
	srv := natstest.StartMQTT(t, func(o *server.Options) {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{
			CertFile: certs.ServerCert, KeyFile: certs.ServerKey, CaFile: certs.CA, Verify: true,
		})
		if err != nil {
			t.Fatalf("server TLS: %v", err)
		}
		o.TLSConfig, o.TLS, o.TLSVerify, o.TLSTimeout = tc, true, true, 2
		o.MQTT.TLSConfig, o.MQTT.TLSTimeout = tc.Clone(), 2
	})
	mqttURL := strings.Replace(srv.URL(), "mqtt://", "mqtts://", 1)
	natsURL := strings.Replace(srv.NATSURL(), "nats://", "tls://", 1)
	doc := func(client string) string {
		return fmt.Sprintf(`
name: tls
targets:
  - {name: m, kind: mqtt, url: %q, natsUrl: %q, caFile: %q%s}
station: {name: mqtls, storage: memory}
producers: {counts: [1]}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, mqttURL, natsURL, certs.CA, client)
	}
	res := Run(context.Background(), scenario(t, doc(fmt.Sprintf(", certFile: %q, keyFile: %q", certs.ClientCert, certs.ClientKey))), Options{})
	if res.Status != result.StatusComplete || res.Runs[0].Acked == 0 {
		t.Fatalf("mutual TLS: status %s: %s", res.Status, res.Error)
	}
	if bad := Run(context.Background(), scenario(t, doc("")), Options{}); bad.Status != result.StatusFailed {
		t.Errorf("no client certificate: status %s, error %q: want failed", bad.Status, bad.Error)
	}
}

// The MQTT options are the client's: a persistent session, no keep-alive
// and the retain flag still give a verified qos 1 step.
func TestRunMQTTClientOptions(t *testing.T) {
	t.Parallel()
	sc := scenario(t, `
name: options
targets:
  - {name: m, kind: mqtt, qos: 1, cleanSession: false, keepAlive: 0s, retain: true}
station: {name: mqopts, storage: memory}
producers: {counts: [2]}
message: {size: 64}
load: {duration: 500ms, warmup: 0s}
`)
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if r := res.Runs[0]; r.Acked == 0 || r.Stored == nil || *r.Stored != r.Acked || deref(r.Lost) != int64(0) {
		t.Errorf("acked %d, stored %v, lost %v", r.Acked, deref(r.Stored), deref(r.Lost))
	}
	if rt := res.Scenario.Targets[0]; rt.CleanSession == nil || *rt.CleanSession || !rt.Retain || rt.KeepAlive != 0 {
		t.Errorf("recorded target %+v: want cleanSession false, retain, keepAlive 0s", rt)
	}
}

// A broker that does not come back ends the step once the producers'
// reconnects (maxReconnect; paho itself would retry forever) are spent,
// with the cause named. No NATS address: only the MQTT clients watch.
func TestRunMQTTFailsWhenBrokerDoesNotComeBack(t *testing.T) {
	t.Parallel()
	srv := startMQTTServer(t, 0, 0, t.TempDir())
	defer srv.Shutdown()
	sc := scenario(t, fmt.Sprintf(`
name: gone
targets:
  - {name: doomed, kind: mqtt, url: %q, maxReconnect: 2, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: mqgone, storage: memory, verify: false}
producers: {counts: [1, 2], maxPending: 32}
message: {size: 64}
load: {duration: 60s, warmup: 100ms, drain: 1s}
`, srv.URL()))
	measured, done := runMeasuredInBackground(sc)
	waitFor(t, measured, 20*time.Second, "measured acks")
	srv.Shutdown()
	res := waitFor(t, done, 20*time.Second, "the run to fail")
	if res.Status != result.StatusFailed || len(res.Runs) != 1 {
		t.Fatalf("status %s, %d runs: want failed after the first step", res.Status, len(res.Runs))
	}
	r := res.Runs[0]
	if !strings.Contains(r.Error, `"doomed"`) || !strings.Contains(r.Error, "the broker was unreachable from") ||
		!strings.Contains(r.Error, "(maxReconnect exhausted)") || !strings.Contains(r.Error, "bench-1") {
		t.Errorf("error %q: want the target, the producer's connection and the cause named", r.Error)
	}
	if r.Acked == 0 || r.DurationS <= 0 || r.DurationS > 30 || r.Disconnects < 1 {
		t.Errorf("acked %d over %.3fs, disconnects %d: want what was measured before the broker went", r.Acked, r.DurationS, r.Disconnects)
	}
}
