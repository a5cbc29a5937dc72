package workers

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/scenarios"
)

// The benchmarks below cover the harness's own per-message work: they must
// report 0 allocs/op for everything but the client library's receive path.

func BenchmarkRingRoundTrip(b *testing.B) {
	w := newRing(256)
	never := make(chan struct{})
	now := func() int64 { return 0 }
	b.ReportAllocs()
	for i := range b.N {
		seq := uint64(i + 1)
		w.acquire(seq, time.Second, now, nil, never)
		w.put(seq, 1, 2)
		w.claim(seq)
		w.release()
	}
}

func BenchmarkAckRecord(b *testing.B) {
	w := Window{From: 0, To: time.Hour}
	a := newAckStats(w, seriesLen(w, 0), NewSecondHistograms())
	b.ReportAllocs()
	for i := range b.N {
		t := int64(i) // one ns apart: no second boundary is crossed
		a.record(t, t, t+int64(i%5000)*1000, true)
	}
}

func BenchmarkScheduleAt(b *testing.B) {
	s := Spread(50_000, 4, 1)
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		s.At(i)
	}
}

// loopback is a Producer that acknowledges each message at once, in the
// publishing goroutine: it costs nothing, so the benchmark measures the
// worker loop itself (pacing, window, stamping, recording).
type loopback struct {
	acks Acker
	n    int
	stop func()
}

func (l *loopback) Publish(seq uint64, _ []byte) error {
	l.acks.Ack(seq, true)
	if l.n--; l.n == 0 {
		l.stop()
	}
	return nil
}

func (l *loopback) Close(context.Context) error { return nil }

func benchmarkWorker(b *testing.B, sched Schedule) {
	clock := NewClock()
	w := NewWorker(WorkerConfig{Clock: clock, Schedule: sched, MaxPending: 256, AckTimeout: time.Minute, Drain: time.Second, PayloadSize: 128}, true)
	w.Attach(&loopback{acks: w, n: b.N, stop: w.Stop})
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(Window{From: 0, To: time.Hour}, 0)
	b.StopTimer()
	if got := w.Acks().Acked; got != int64(b.N) {
		b.Fatalf("acked %d, want %d", got, b.N)
	}
}

func BenchmarkWorkerLoopClosed(b *testing.B) { benchmarkWorker(b, nil) }

// BenchmarkWorkerLoopOpen paces at a rate far above what the loop reaches,
// so it never sleeps and measures the schedule's cost per message.
func BenchmarkWorkerLoopOpen(b *testing.B) {
	benchmarkWorker(b, ConstantRate{PerSec: 1e12})
}

// BenchmarkJetStreamPublish publishes through the harness to a real
// embedded server (memory storage) with async acks; msgs/s is reported.
func BenchmarkJetStreamPublish(b *testing.B) {
	srv := natstest.Start(b)
	sc := scenarios.Scenario{
		Station:   scenarios.Station{Name: "bench", Storage: "memory", Replicas: 1, Cleanup: "delete"},
		Producers: scenarios.Producers{Connections: scenarios.ConnPerProducer},
	}
	tgt := scenarios.Target{Name: "bench", Kind: scenarios.KindJetStream, RequestTimeout: scenarios.Milliseconds(5 * time.Second), MaxReconnect: 1}
	cfg := Config{Target: tgt, URL: srv.URL(), Station: sc.Station}
	ctx := context.Background()
	nc, err := Connect(ctx, cfg, "bench-control") // the stream, as the jetstream driver makes it
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := JetStreamOn(nc, tgt)
	if err == nil {
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "bench", Subjects: []string{"bench.>"}, Storage: jetstream.MemoryStorage})
	}
	if err != nil {
		b.Fatal(err)
	}
	clock := NewClock()
	step, err := NewConnSet(ctx, cfg, true, nil) // the jetstream driver's step
	if err != nil {
		b.Fatal(err)
	}
	w := NewWorker(WorkerConfig{Clock: clock, MaxPending: 256, AckTimeout: 5 * time.Second, Drain: 5 * time.Second, PayloadSize: 128}, true)
	p, err := step.NewProducer(ctx, ProducerSpec{Index: 1, Name: "bench-1"}, w)
	if err != nil {
		b.Fatal(err)
	}
	w.Attach(&counted{Producer: p, n: b.N, stop: w.Stop})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	w.Run(Window{From: 0, To: time.Hour}, 0)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	_ = w.Close(ctx)
	_, _ = step.Finish(ctx)
	if got := w.Acks().Acked; got != int64(b.N) {
		b.Fatalf("acked %d, want %d", got, b.N)
	}
}

// counted stops its worker after n publishes.
type counted struct {
	Producer
	n    int
	stop func()
}

func (c *counted) Publish(seq uint64, payload []byte) error {
	err := c.Producer.Publish(seq, payload)
	if c.n--; c.n == 0 {
		c.stop()
	}
	return err
}

// BenchmarkAckRecordShared: a receiver per P records into one step's
// histograms, each moving to the next second every 1,000 acks (a producer
// acknowledged 1,000 times a second), over ten seconds in turn: the cost per
// ack of recording into the shared histograms, locks included.
func BenchmarkAckRecordShared(b *testing.B) {
	w := Window{From: 0, To: time.Hour}
	n := seriesLen(w, 0)
	seconds := NewSecondHistograms()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		a := newAckStats(w, n, seconds)
		for i := int64(0); pb.Next(); i++ {
			t := (i / 1000 % 10) * int64(time.Second)
			a.record(t, t, t+(i%5000)*1000, true)
		}
		a.finish()
	})
}
