package runner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stationbench/stationbench/internal/tlstest"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers/kafka"
)

// startKafka starts kfake, franz-go's in-process Kafka cluster, for the
// test; user (a target with username, password and sasl) logs in.
func startKafka(t *testing.T, user scenarios.Target, opts ...kfake.Opt) *kafka.Fake {
	t.Helper()
	f, err := kafka.StartFake(user, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Shutdown)
	return f
}

// totalOffsets is the sum of the end offsets of topic's partitions, and
// how many partitions it has; -1 partitions when the topic is gone.
func totalOffsets(f *kafka.Fake, topic string) (sum int64, partitions int) {
	if f.Cluster().TopicInfo(topic) == nil {
		return 0, -1
	}
	ps := f.Cluster().PartitionInfos(topic)
	for _, p := range ps {
		sum += p.HighWatermark
	}
	return sum, len(ps)
}

// A kafka step at each ack level is acknowledged and verified against the
// topic's end offsets; the topic is created with the station's partitions
// and kept or deleted as cleanup says.
func TestKafkaAckLevelsVerified(t *testing.T) {
	t.Parallel()
	f := startKafka(t, scenarios.Target{})
	for _, ack := range []string{"all", "leader", "none"} {
		t.Run(ack, func(t *testing.T) {
			topic := "acks-" + ack
			res := Run(context.Background(), scenario(t, fmt.Sprintf(`
name: acks
targets: [{name: k, kind: kafka, url: %q, ack: %s, lingerMs: 1, batchBytes: 64KiB}]
station: {name: %s, partitions: 3, cleanup: keep}
producers: {counts: [2], maxPending: 64}
message: {size: 100}
load: {duration: 500ms, warmup: 100ms, drain: 2s}
`, f.URL(), ack, topic)), Options{})
			if res.Status != result.StatusComplete {
				t.Fatalf("status %s: %s", res.Status, res.Error)
			}
			r := res.Runs[0]
			acked := r.Acked + r.WarmupAcked
			if r.Acked == 0 || r.Stored == nil || *r.Stored != acked || *r.Lost != 0 {
				t.Errorf("acked %d+%d, stored %v, lost %v: want every acknowledged message stored", r.Acked, r.WarmupAcked, deref(r.Stored), deref(r.Lost))
			}
			sum, parts := totalOffsets(f, topic)
			if parts != 3 || sum != *r.Stored {
				t.Errorf("topic has %d partitions holding %d records; want 3 partitions, %d records (cleanup keep)", parts, sum, *r.Stored)
			}
			notes := strings.Join(r.Notes, "\n")
			if got := strings.Contains(notes, "ack none:"); got != (ack == "none") {
				t.Errorf("notes %q: the ack none note is there: %v", r.Notes, got)
			}
			if !strings.Contains(res.Env.Method, "kafka: from the intended send time to the record's produce callback") {
				t.Errorf("method %q does not say what kafka latency is", res.Env.Method)
			}
		})
	}
}

// A topic that existed before the run is written into as it is: not
// purged, never deleted, and the result says so.
func TestKafkaExistingTopicUsedAsItIs(t *testing.T) {
	t.Parallel()
	f := startKafka(t, scenarios.Target{}, kfake.SeedTopics(2, "theirs"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(strings.TrimPrefix(f.URL(), "kafka://"), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "theirs", Value: fmt.Appendf(nil, "theirs %d", i)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	res := Run(context.Background(), scenario(t, fmt.Sprintf(`
name: existing
targets: [{name: k, kind: kafka, url: %q}]
station: {name: theirs, partitions: 5, cleanup: delete}
producers: {counts: [1, 2], maxPending: 32}
load: {duration: 300ms, warmup: 0s}
`, f.URL())), Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	var stored int64
	for _, r := range res.Runs {
		if r.Stored == nil || *r.Stored != r.Acked+r.WarmupAcked || *r.Lost != 0 {
			t.Errorf("acked %d+%d, stored %v: want verified", r.Acked, r.WarmupAcked, deref(r.Stored))
		} else {
			stored += *r.Stored
		}
		if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, `topic "theirs" existed before the run: written into as it is, not purged`) ||
			!strings.Contains(notes, "it has 2 partitions") {
			t.Errorf("notes %q: want the topic named as the user's, with its own partitions", r.Notes)
		}
	}
	sum, parts := totalOffsets(f, "theirs")
	if parts != 2 || sum != 10+stored {
		t.Errorf("after the run: %d partitions, %d records; want the user's topic left with its 2 partitions, 10 records + %d written", parts, sum, stored)
	}
	for _, p := range f.Cluster().PartitionInfos("theirs") {
		if p.LogStartOffset != 0 {
			t.Errorf("partition %d starts at %d: the user's records were purged", p.Partition, p.LogStartOffset)
		}
	}
}

// A topic the run creates is deleted at the end (cleanup delete), and
// reset empties it before each step.
func TestKafkaCreatedTopicPurgedAndDeleted(t *testing.T) {
	t.Parallel()
	f := startKafka(t, scenarios.Target{})
	res := Run(context.Background(), scenario(t, fmt.Sprintf(`
name: created
targets: [{name: k, kind: kafka, url: %q}]
station: {name: ours, partitions: 2}
producers: {counts: [1, 2], maxPending: 32}
load: {duration: 300ms, warmup: 0s}
`, f.URL())), Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if _, parts := totalOffsets(f, "ours"); parts != -1 {
		t.Errorf("the run's topic is still there (%d partitions): want it deleted", parts)
	}
	for _, r := range res.Runs {
		if r.Stored == nil || *r.Stored != r.Acked+r.WarmupAcked {
			t.Errorf("acked %d+%d, stored %v", r.Acked, r.WarmupAcked, deref(r.Stored))
		}
	}
}

// SASL PLAIN and SCRAM log in to a fake that knows the user; a wrong
// password fails the target clearly, and never shows the password.
func TestKafkaSASL(t *testing.T) {
	t.Parallel()
	for _, mech := range []string{"plain", "scram-sha-256", "scram-sha-512"} {
		t.Run(mech, func(t *testing.T) {
			t.Parallel()
			user := scenarios.Target{Username: "bench", Password: "s3cret-pass", SASL: mech}
			f := startKafka(t, user)
			doc := func(pass string) scenarios.Scenario {
				return scenario(t, fmt.Sprintf(`
name: sasl
targets: [{name: k, kind: kafka, url: %q, username: bench, password: %q, sasl: %s, timeoutMs: 2000}]
station: {name: sasl}
producers: {counts: [1], maxPending: 16}
load: {duration: 200ms, warmup: 0s}
`, f.URL(), pass, mech))
			}
			res := Run(context.Background(), doc("s3cret-pass"), Options{})
			if res.Status != result.StatusComplete || res.Runs[0].Acked == 0 {
				t.Fatalf("status %s: %s", res.Status, res.Error)
			}
			res = Run(context.Background(), doc("wrong-pass-123"), Options{})
			t.Logf("wrong password: %s", res.Error)
			if res.Status != result.StatusFailed || len(res.Runs) != 0 {
				t.Fatalf("status %s with %d runs: want failed before any load", res.Status, len(res.Runs))
			}
			if !strings.Contains(res.Error, `target "k"`) || !strings.Contains(strings.ToUpper(res.Error), "SASL") {
				t.Errorf("error %q: want the target and the failed SASL login named", res.Error)
			}
			if strings.Contains(res.Error, "wrong-pass-123") || strings.Contains(res.Env.Targets[0].Error, "wrong-pass-123") {
				t.Errorf("the password is in the error: %q", res.Error)
			}
		})
	}
}

// url: embedded starts kfake, and the result says its numbers are the
// fake's, not Kafka's.
func TestKafkaEmbeddedSaysItIsAFake(t *testing.T) {
	t.Parallel()
	res := Run(context.Background(), scenario(t, `
name: fake
targets: [{name: k, kind: kafka, url: embedded}]
producers: {counts: [1], maxPending: 16}
load: {duration: 200ms, warmup: 0s}
`), Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if !strings.Contains(res.Env.Method, `Target "k" ran against kfake`) || !strings.Contains(res.Env.Method, "not Kafka") {
		t.Errorf("method %q: want the fake named for target k", res.Env.Method)
	}
	if r := res.Runs[0]; r.Acked == 0 || r.Stored == nil || *r.Stored != r.Acked+r.WarmupAcked {
		t.Errorf("acked %d+%d, stored %v: want verified against the fake's offsets", r.Acked, r.WarmupAcked, deref(r.Stored))
	}
	if v := res.Env.Targets[0].ServerVersion; v != "kfake" {
		t.Errorf("server version %q, want kfake", v)
	}
}

// Interrupted during load, a kafka run keeps what it measured, and the
// topic it created is deleted.
func TestKafkaInterruptKeepsPartialResult(t *testing.T) {
	t.Parallel()
	f := startKafka(t, scenarios.Target{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &onMeasured{do: cancel}
	var partial *result.Result
	opts := o.options()
	opts.Checkpoint = func(r *result.Result) { partial = r }
	res := Run(ctx, scenario(t, fmt.Sprintf(`
name: interrupted
targets: [{name: k, kind: kafka, url: %q}]
station: {name: interrupted}
producers: {counts: [2, 4], maxPending: 32}
load: {duration: 60s, warmup: 0s}
`, f.URL())), opts)
	if res.Status != result.StatusInterrupted || partial == nil || partial.Status != result.StatusInterrupted {
		t.Fatalf("status %s, partial %v: want interrupted, with the partial result given", res.Status, partial != nil)
	}
	if len(res.Runs) != 1 || res.Runs[0].Status != result.StatusInterrupted || res.Runs[0].Acked == 0 {
		t.Fatalf("runs %+v: want the one interrupted step with what it measured", res.Runs)
	}
	if len(partial.Runs) != 1 || partial.Runs[0].Acked != res.Runs[0].Acked {
		t.Errorf("partial result runs %d: want the interrupted step", len(partial.Runs))
	}
	if _, parts := totalOffsets(f, "interrupted"); parts != -1 {
		t.Errorf("the run's topic is still there after the interrupt: want it deleted")
	}
}

// A kafka run survives its broker's restart: the outage is counted, and
// every acknowledged message is in the topic after it (kfake keeps its
// state in a folder across the restart, on the same port).
func TestKafkaSurvivesBrokerRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := kafka.StartFake(scenarios.Target{}, kfake.Ports(0), kfake.DataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(f.URL(), "kafka://")
	_, portText, _ := strings.Cut(addr, ":")
	var port int
	fmt.Sscan(portText, &port)
	defer func() { f.Shutdown() }()
	sc := scenario(t, fmt.Sprintf(`
name: restart
targets:
  - {name: flaky, kind: kafka, url: %q, maxReconnect: -1, reconnectIntervalMs: 50, timeoutMs: 2000}
station: {name: restart}
producers: {counts: [2], maxPending: 32}
message: {size: 64}
load: {duration: 4s, warmup: 200ms, drain: 3s}
`, f.URL()))
	loaded, done := runInBackground(sc, 500*time.Millisecond)
	waitFor(t, loaded, 20*time.Second, "load")
	f.Shutdown()
	awaitReconnect(t, port) // the outage lasts until the run tries to reconnect
	if f, err = kafka.StartFake(scenarios.Target{}, kfake.Ports(port), kfake.DataDir(dir)); err != nil {
		t.Fatalf("restart: %v", err)
	}
	res := waitFor(t, done, 60*time.Second, "the run")
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	r := res.Runs[0]
	t.Logf("sent %d acked %d errors %d disconnects %d reconnects %d disconnected %.3fs stored %v dups %v",
		r.Sent, r.Acked, r.Errors, r.Disconnects, r.Reconnects, r.DisconnectedS, deref(r.Stored), deref(r.Duplicates))
	if r.Disconnects < 1 || r.Reconnects < 1 || r.DisconnectedS <= 0 {
		t.Errorf("disconnects %d, reconnects %d, disconnected %.3fs: want the outage counted", r.Disconnects, r.Reconnects, r.DisconnectedS)
	}
	if r.Lost == nil || *r.Lost != 0 || r.Stored == nil || *r.Stored < r.Acked+r.WarmupAcked {
		t.Errorf("verify: lost %v, stored %v, acked %d+%d", deref(r.Lost), deref(r.Stored), r.Acked, r.WarmupAcked)
	}
	if r.Acked == 0 {
		t.Error("nothing acknowledged")
	}
}

// A kafka broker that does not come back fails the run once maxReconnect
// dials in a row have failed, naming the target and the cause.
func TestKafkaFailsWhenBrokerDoesNotComeBack(t *testing.T) {
	t.Parallel()
	f, err := kafka.StartFake(scenarios.Target{}, kfake.Ports(0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Shutdown()
	sc := scenario(t, fmt.Sprintf(`
name: gone
targets:
  - {name: doomed, kind: kafka, url: %q, maxReconnect: 2, reconnectIntervalMs: 50, timeoutMs: 1000}
station: {name: gone}
producers: {counts: [1, 2], maxPending: 32}
message: {size: 64}
load: {duration: 60s, warmup: 100ms, drain: 1s}
`, f.URL()))
	measured, done := runMeasuredInBackground(sc)
	waitFor(t, measured, 20*time.Second, "measured acks")
	f.Shutdown()
	res := waitFor(t, done, 30*time.Second, "the run to fail")
	t.Logf("error: %s; notes %q", res.Error, res.Notes)
	if res.Status != result.StatusFailed || len(res.Runs) != 1 {
		t.Fatalf("status %s, %d runs: want failed after the first step", res.Status, len(res.Runs))
	}
	r := res.Runs[0]
	if r.Status != result.StatusFailed || !strings.Contains(r.Error, `"doomed"`) || !strings.Contains(r.Error, "(maxReconnect exhausted)") {
		t.Errorf("run status %s, error %q: want failed, naming the target and the lost connection", r.Status, r.Error)
	}
	if r.Acked == 0 {
		t.Errorf("acked %d: want what was measured before the broker went", r.Acked)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, `topic "gone"`) {
		t.Errorf("notes %q: want the topic left on the broker named", res.Notes)
	}
}

// A kafka target speaks TLS with its caFile (and its client certificate),
// with SASL on top; a broker signed by another authority is refused.
func TestKafkaTLS(t *testing.T) {
	t.Parallel()
	files := tlstest.Generate(t)
	cert, err := tls.LoadX509KeyPair(files.ServerCert, files.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(files.CA)
	if err != nil {
		t.Fatal(err)
	}
	clients := x509.NewCertPool()
	clients.AppendCertsFromPEM(pem)
	user := scenarios.Target{Username: "bench", Password: "tls-pass", SASL: "scram-sha-512"}
	f := startKafka(t, user, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: clients,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}))
	doc := func(ca string) scenarios.Scenario {
		return scenario(t, fmt.Sprintf(`
name: tls
targets:
  - {name: k, kind: kafka, url: %q, caFile: %q, certFile: %q, keyFile: %q, username: bench, password: tls-pass, sasl: scram-sha-512, timeoutMs: 2000}
station: {name: tls}
producers: {counts: [1], maxPending: 16}
load: {duration: 200ms, warmup: 0s}
`, f.URL(), ca, files.ClientCert, files.ClientKey))
	}
	res := Run(context.Background(), doc(files.CA), Options{})
	if res.Status != result.StatusComplete || res.Runs[0].Acked == 0 {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	res = Run(context.Background(), doc(files.OtherCA), Options{})
	t.Logf("other CA: %s", res.Error)
	if res.Status != result.StatusFailed || !strings.Contains(res.Error, "certificate") {
		t.Errorf("status %s, error %q: want the broker's certificate refused", res.Status, res.Error)
	}
}
