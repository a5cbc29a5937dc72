package natscore

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// deliveryCounts runs one core NATS step of the given producers against an
// embedded server, each sending n stamped messages, and returns the
// deliveries the receiver attributed to each producer and those it could not.
func deliveryCounts(t *testing.T, st scenarios.Station, names []string, n int) (byProducer []int64, other int64) {
	t.Helper()
	srv := natstest.Start(t)
	yes := true
	st.Subscribe = &yes
	tgt := scenarios.Target{Name: "t", Kind: scenarios.KindNATS, URL: srv.URL(), RequestTimeout: scenarios.Milliseconds(5 * time.Second), MaxReconnect: 1}
	cfg := workers.Config{Target: tgt, URL: srv.URL(), Station: st}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := New(cfg)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	clock := workers.NewClock()
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: len(names), Clock: clock, Drain: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var ps []workers.Producer
	for i, name := range names {
		p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: i + 1, Name: name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	step.Start(workers.Window{From: 0, To: time.Hour})
	payload := make([]byte, 32)
	for _, p := range ps {
		for i := 0; i < n; i++ {
			now := clock.Now()
			binary.LittleEndian.PutUint64(payload[0:8], uint64(now)) // the send times, as the worker stamps them
			binary.LittleEndian.PutUint64(payload[8:16], uint64(now))
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
