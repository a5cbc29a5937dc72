package memphis

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// countAcks is an Acker that counts, and remembers each sequence acked.
type countAcks struct {
	mu   sync.Mutex
	ok   int
	bad  int
	seqs map[uint64]int
}

func (a *countAcks) Ack(seq uint64, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seqs == nil {
		a.seqs = map[uint64]int{}
	}
	a.seqs[seq]++
	if ok {
		a.ok++
	} else {
		a.bad++
	}
}

// wait waits until n acks (good or bad) came, or fails the test.
func (a *countAcks) wait(t *testing.T, n int) (ok, bad int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.mu.Lock()
		ok, bad = a.ok, a.bad
		a.mu.Unlock()
		if ok+bad >= n || time.Now().After(deadline) {
			if ok+bad < n {
				t.Fatalf("got %d acks, want %d", ok+bad, n)
			}
			return ok, bad
		}
		time.Sleep(time.Millisecond)
	}
}

// parseScenario parses a scenario document or fails the test.
func parseScenario(t *testing.T, doc string) scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// configFor is the driver configuration of a scenario's first target, made
// as the runner makes it.
func configFor(s scenarios.Scenario) workers.Config {
	return workers.Config{Target: s.Targets[0], URL: s.Targets[0].URL, Station: s.Station,
		SharedConnection: s.Producers.Connections == scenarios.ConnShared, Dedup: s.Message.Dedup, Batch: s.Message.Batch}
}

// memphisScenario is a memphis scenario against the broker; auth is the
// credentials' YAML lines, extra more lines for the scenario.
func memphisScenario(t *testing.T, b *memphistest.Broker, auth, extra string) workers.Config {
	t.Helper()
	doc := fmt.Sprintf("name: m\ntargets:\n  - name: mem\n    kind: memphis\n    host: 127.0.0.1\n    port: %d\n%s\n%s\n",
		b.Port(), auth, extra)
	s := parseScenario(t, doc)
	return configFor(s)
}

const passwordAuth = "    password: " + memphistest.DefaultPassword
const tokenAuth = "    connectionToken: " + memphistest.DefaultToken

// streamMsgs is how many messages a stream holds.
func streamMsgs(t *testing.T, js jetstream.JetStream, name string) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMemphisProduce(t *testing.T) {
	for _, auth := range []struct{ name, lines string }{{"password", passwordAuth}, {"token", tokenAuth}} {
		for _, parts := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d-partitions", auth.name, parts), func(t *testing.T) {
				b := memphistest.Start(t, memphistest.Options{})
				c := memphisScenario(t, b, auth.lines,
					fmt.Sprintf("station:\n  name: Orders.EU\n  partitions: %d\n  storage: memory\nproducers:\n  name: Bench", parts))
				ctx := context.Background()
				d := New(c)
				if _, err := d.Connect(ctx); err != nil {
					t.Fatal(err)
				}
				step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				acks := &countAcks{}
				p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: 1, Name: "Bench-1"}, acks)
				if err != nil {
					t.Fatal(err)
				}
				if got := b.Producers("orders.eu"); len(got) != 1 || got[0] != "bench-1" {
					t.Errorf("registered producers = %v, want [bench-1]", got)
				}
				const n = 30
				for seq := uint64(1); seq <= n; seq++ {
					if err := p.Publish(seq, []byte("hello")); err != nil {
						t.Fatal(err)
					}
				}
				if ok, bad := acks.wait(t, n); ok != n || bad != 0 {
					t.Errorf("acks ok %d bad %d, want %d and 0", ok, bad, n)
				}
				js := b.JetStream()
				for i := 1; i <= parts; i++ {
					if got := streamMsgs(t, js, "orders#eu$"+fmt.Sprint(i)); got != n/uint64(parts) {
						t.Errorf("partition %d holds %d messages, want %d", i, got, n/parts)
					}
				}
				stream, _ := js.Stream(ctx, "orders#eu$1")
				m, err := stream.GetMsg(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if id := m.Header.Get("$memphis_connectionId"); !uuidV4.MatchString(id) {
					t.Errorf("$memphis_connectionId = %q, want a UUID v4", id)
				}
				if by := m.Header.Get("$memphis_producedBy"); by != "bench-1" {
					t.Errorf("$memphis_producedBy = %q, want bench-1", by)
				}
				if m.Header.Get("msg-id") != "" || m.Subject != "orders#eu$1.stored" /* the fixture's relay */ {
					t.Errorf("msg-id %q (want none), subject %q", m.Header.Get("msg-id"), m.Subject)
				}
				if err := p.Close(ctx); err != nil {
					t.Fatal(err)
				}
				if got := b.Producers("orders.eu"); len(got) != 0 {
					t.Errorf("after Close, producers = %v", got)
				}
				if _, err := step.Finish(ctx); err != nil {
					t.Fatal(err)
				}
				if err := d.Close(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := js.Stream(ctx, "orders#eu$1"); err == nil {
					t.Error("the station the run created was not destroyed (cleanup: delete)")
				}
				if names := b.TokenConnectionNames(); auth.name == "token" {
					if len(names) < 2 || !strings.HasSuffix(names[0], "::root") {
						t.Errorf("token connections named %v, want <uuid>::root", names)
					}
				}
			})
		}
	}
}

func TestMemphisDedup(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	c := memphisScenario(t, b, passwordAuth, "station:\n  name: dd\nmessage:\n  dedup: true")
	ctx := context.Background()
	d := newMemphis(c)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	acks := &countAcks{}
	p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for range 2 { // the same ids twice
		for seq := uint64(1); seq <= n; seq++ {
			if err := p.Publish(seq, []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ok, _ := acks.wait(t, 2*n); ok != 2*n {
		t.Errorf("%d acks ok, want %d (a duplicate is acknowledged)", ok, 2*n)
	}
	if got := streamMsgs(t, b.JetStream(), "dd$1"); got != n {
		t.Errorf("stream holds %d, want %d: msg-id did not deduplicate", got, n)
	}
	stream, _ := b.JetStream().Stream(ctx, "dd$1")
	m, err := stream.GetMsg(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if id := m.Header.Get("msg-id"); !strings.HasSuffix(id, "-bench-1-3") {
		t.Errorf("msg-id = %q, want <connection id>-bench-1-3", id)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := step.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

// preexisting makes someone else's station with one partition holding n
// messages, through the control plane as the SDK would.
func preexisting(t *testing.T, b *memphistest.Broker, name string, n int) {
	t.Helper()
	ctx := context.Background()
	if err := memphisRequest(ctx, b.Conn(), memphisStationCreations, map[string]any{"name": name, "partitions_number": 1}, nil); err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, err := b.JetStream().Publish(ctx, Stream(InternalName(name), 1)+".x", []byte("theirs")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMemphisExistingStation: the broker answers the create request for an
// existing station with an empty reply, like a creation, so the driver
// looks first. A station that existed is said to have, is never deleted,
// and is purged only with purgeExisting: true.
func TestMemphisExistingStation(t *testing.T) {
	for _, purge := range []bool{false, true} {
		t.Run(fmt.Sprintf("purgeExisting=%v", purge), func(t *testing.T) {
			b := memphistest.Start(t, memphistest.Options{})
			extra := "station:\n  name: old\n  partitions: 2" // reset and cleanup: delete by default
			if purge {
				extra += "\n  purgeExisting: true"
			}
			c := memphisScenario(t, b, passwordAuth, extra)
			preexisting(t, b, "old", 5)
			ctx := context.Background()
			d := newMemphis(c)
			if _, err := d.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			for range 2 { // two steps
				step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				res, err := step.Finish(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], `station "old" existed before the run`) {
					t.Errorf("notes = %q, want one saying the station existed", res.Notes)
				}
			}
			want := uint64(5)
			if purge {
				want = 0
			}
			if got := streamMsgs(t, b.JetStream(), "old$1"); got != want {
				t.Errorf("the station holds %d messages, want %d", got, want)
			}
			if err := d.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := b.JetStream().Stream(ctx, "old$1"); err != nil {
				t.Errorf("a station the run did not create was destroyed: %v", err)
			}
		})
	}
}

// reconnectAcks is an Acker that also hears its connection come back.
type reconnectAcks struct {
	countAcks
	back chan struct{}
}

func (a *reconnectAcks) Reconnected() { a.back <- struct{}{} }

// TestMemphisProducerReconnects: a producer on its own connection is told
// when that connection comes back, as for the other kinds.
func TestMemphisProducerReconnects(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	c := memphisScenario(t, b, passwordAuth+"\n    reconnectIntervalMs: 20", "station:\n  name: rc\n  storage: memory")
	ctx := context.Background()
	d := newMemphis(c)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer step.Finish(ctx)
	acks := &reconnectAcks{back: make(chan struct{}, 4)}
	p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	name := p.(*memphisPublisher).connID + "::root"
	if n, err := b.Kick(func(s string) bool { return s == name }); n != 1 || err != nil {
		t.Fatalf("kicked %d connections named %s (%v), want 1", n, name, err)
	}
	select {
	case <-acks.back:
	case <-time.After(10 * time.Second):
		t.Fatal("the producer was not told its connection came back")
	}
	if err := p.Publish(1, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := acks.wait(t, 1); ok != 1 {
		t.Error("no ack after the reconnect")
	}
}

func TestMemphisBadCredentials(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	for _, auth := range []string{"    password: wrong", "    connectionToken: wrong"} {
		c := memphisScenario(t, b, auth, "")
		_, err := newMemphis(c).Connect(context.Background())
		if err == nil || !strings.Contains(err.Error(), `target "mem"`) || strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: err = %v, want an error naming the target and not the secret", auth, err)
		}
	}
}

func TestMemphisNames(t *testing.T) {
	if got := InternalName("Orders.EU"); got != "orders#eu" {
		t.Errorf("internal name = %q", got)
	}
	if got := Subject("orders#eu", 3); got != "orders#eu$3.final" {
		t.Errorf("subject = %q", got)
	}
	seen := map[string]bool{}
	for range 100 {
		id, err := newConnectionID()
		if err != nil || !uuidV4.MatchString(id) || seen[id] {
			t.Fatalf("connection id %q, %v", id, err)
		}
		seen[id] = true
	}
}

func TestMemphisPublishAllocs(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	c := memphisScenario(t, b, passwordAuth, "station:\n  name: al\n  partitions: 3\n  storage: memory\nmessage:\n  dedup: true")
	ctx := context.Background()
	d := newMemphis(c)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer step.Finish(ctx)
	p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: 1, Name: "bench-1"}, &countAcks{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	payload := make([]byte, 64)
	seq := uint64(0)
	allocs := testing.AllocsPerRun(200, func() {
		seq++
		_ = p.Publish(seq, payload)
	})
	// nats.go writes the headers through a bytes.Buffer and http.Header's
	// sorter; none of the allocations are the driver's own.
	if allocs > 8 {
		t.Errorf("%.1f allocations per publish", allocs)
	}
}
