package workers

import (
	"context"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/scenarios"
)

// deliveryCounts runs one core NATS step of the given producers against an
// embedded server, each sending n stamped messages, and returns the
// deliveries the receiver attributed to each producer and those it could not.
func deliveryCounts(t *testing.T, st scenarios.Station, names []string, n int) (byProducer []int64, other int64) {
	t.Helper()
	srv := natstest.Start(t)
	yes := true
	st.Subscribe = &yes
	tgt := scenarios.Target{Name: "t", Kind: scenarios.KindNATS, URL: srv.URL(), TimeoutMs: 5000, MaxReconnect: 1}
	cfg := Config{Target: tgt, URL: srv.URL(), Station: st}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := NewCoreNATS(cfg)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	clock := NewClock()
	step, err := d.BeginStep(ctx, StepSpec{Producers: len(names), Clock: clock, Drain: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var ps []Producer
	for i, name := range names {
		p, err := step.NewProducer(ctx, ProducerSpec{Index: i + 1, Name: name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	step.Start(Window{From: 0, To: time.Hour})
	payload := make([]byte, 32)
	for _, p := range ps {
		for i := 0; i < n; i++ {
			now := clock.Now()
			stamp(payload, now, now)
			if err := p.Publish(uint64(i), payload); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range ps {
		if err := p.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	res, err := step.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.DeliveriesByProducer {
		byProducer = append(byProducer, a.Acked)
	}
	return byProducer, res.Deliveries.Acked
}

// A station.subject is shared by every producer and names none of them,
// even when its own text ends in "-<digits>": its deliveries are not
// attributed (the old receiver parsed the "-1" and gave them all to
// producer 1).
func TestDeliveriesSharedSubjectEndingInDigits(t *testing.T) {
	by, other := deliveryCounts(t, scenarios.Station{Name: "orders", Subject: "orders.eu-1"}, []string{"bench-1", "bench-2"}, 50)
	if len(by) != 2 || by[0] != 0 || by[1] != 0 || other != 100 {
		t.Errorf("by producer %v, unattributed %d; want [0 0] and 100", by, other)
	}
}

// Producers are known by the subject the driver opened for them, not by
// the text of their names: names that do not end in their index are still
// attributed (the old receiver parsed "-7" and "-3" out of them).
func TestDeliveriesAttributedBySubject(t *testing.T) {
	by, other := deliveryCounts(t, scenarios.Station{Name: "orders"}, []string{"edge-7", "edge-3", "plain"}, 20)
	if len(by) != 3 || by[0] != 20 || by[1] != 20 || by[2] != 20 || other != 0 {
		t.Errorf("by producer %v, unattributed %d; want [20 20 20] and 0", by, other)
	}
}

// Finding a delivery's producer allocates nothing.
func TestDeliveryAttributionAllocs(t *testing.T) {
	r := NewDeliveryRecorder(StepSpec{Producers: 2, Clock: NewClock(), Drain: time.Second})
	r.Producer("orders.bench-1", 1)
	r.Producer("orders.bench-2", 2)
	r.Start(Window{To: time.Second})
	d := r.stats.Load()
	subject := string([]byte("orders.bench-2")) // not the registered string itself
	if n := testing.AllocsPerRun(100, func() { _ = d.of(subject) }); n != 0 {
		t.Errorf("%v allocations per delivery, want 0", n)
	}
	if d.of(subject) != d.byProducer[1] || d.of("orders.other") != d.other {
		t.Error("attributed to the wrong record")
	}
}
