package kafka

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// window is an Acker that bounds what is in flight, as the worker's ring
// does, and checks workers.Acker's rule: for one producer, calls never
// overlap.
type window struct {
	slots   chan struct{}
	busy    atomic.Int32
	overlap atomic.Int64
	acked   atomic.Int64
	failed  atomic.Int64
}

func newWindow(n int) *window { return &window{slots: make(chan struct{}, n)} }

func (w *window) Ack(_ uint64, ok bool) {
	if w.busy.Add(1) != 1 {
		w.overlap.Add(1)
	}
	if ok {
		w.acked.Add(1)
	} else {
		w.failed.Add(1)
	}
	w.busy.Add(-1)
	<-w.slots
}

// step starts a fake cluster and begins a step of a driver on it.
func startStep(tb testing.TB, shared bool) (workers.Step, func()) {
	tb.Helper()
	f, err := StartFake(scenarios.Target{})
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := scenarios.Parse("k.yaml", []byte("name: k\nstation: {name: k, partitions: 4}\ntargets:\n  - {kind: kafka, url: \""+f.URL()+"\"}\n"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := New(workers.Config{Target: sc.Targets[0], URL: f.URL(), Station: sc.Station, SharedConnection: shared})
	if _, err := d.Connect(ctx); err != nil {
		tb.Fatal(err)
	}
	s, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return s, func() {
		_, _ = s.Finish(context.Background())
		_ = d.Close(context.Background())
		f.Shutdown()
	}
}

// publish sends n messages through p, at most w's size in flight, and
// waits for every acknowledgement.
func publish(tb testing.TB, p workers.Producer, w *window, n int, payload []byte) {
	for i := range n {
		w.slots <- struct{}{}
		if err := p.Publish(uint64(i+1), payload); err != nil {
			tb.Fatal(err)
		}
	}
	for range cap(w.slots) {
		w.slots <- struct{}{}
	}
	for range cap(w.slots) {
		<-w.slots
	}
}

// franz-go calls a client's promises one at a time, so producers sharing
// one client never see their acknowledgements overlap, and neither do
// those of one producer; every message is acknowledged.
func TestPromisesNeverOverlap(t *testing.T) {
	t.Parallel()
	s, stop := startStep(t, true)
	defer stop()
	const producers, n = 4, 5000
	ws := make([]*window, producers)
	done := make(chan struct{}, producers)
	for i := range ws {
		ws[i] = newWindow(64)
		p, err := s.NewProducer(context.Background(), workers.ProducerSpec{Index: i + 1, Name: "bench"}, ws[i])
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			publish(t, p, ws[i], n, make([]byte, 100))
			done <- struct{}{}
		}()
	}
	for range ws {
		<-done
	}
	for i, w := range ws {
		if w.overlap.Load() != 0 || w.acked.Load() != n || w.failed.Load() != 0 {
			t.Errorf("producer %d: %d overlapping acks, %d acked, %d failed of %d", i+1, w.overlap.Load(), w.acked.Load(), w.failed.Load(), n)
		}
	}
}

// BenchmarkPublish is the publish path against kfake: allocations per
// message are franz-go's and kfake's; the driver reuses each record, its
// buffer and its promise once enough exist for what is in flight.
func BenchmarkPublish(b *testing.B) {
	s, stop := startStep(b, false)
	defer stop()
	w := newWindow(256)
	p, err := s.NewProducer(context.Background(), workers.ProducerSpec{Index: 1, Name: "bench-1"}, w)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(context.Background())
	payload := make([]byte, 128)
	publish(b, p, w, 1000, payload) // the slots in flight exist
	b.ReportAllocs()
	b.ResetTimer()
	publish(b, p, w, b.N, payload)
}

// Once its slots exist, a producer's own part of publishing allocates
// nothing: the free list hands back a slot each promise returned.
func TestSlotsReused(t *testing.T) {
	p := &producer{}
	s := p.newSlot()
	p.push(s)
	if n := testing.AllocsPerRun(1000, func() { p.push(p.pop()) }); n != 0 {
		t.Errorf("%v allocations per reuse of a slot", n)
	}
	if got := p.pop(); got != s || p.pop() != nil {
		t.Errorf("the free list lost its slot")
	}
}
