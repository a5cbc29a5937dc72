package workers

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// producerHeap runs n acked producers of one step, each through its worker
// loop for msgs messages acknowledged at once (loopback), keeps them all, as
// a step does until its aggregate, and returns the heap they hold per
// producer: heap in use after a collection, less what was in use before.
// The step's shared histograms count in, spread over the n producers.
func producerHeap(tb testing.TB, n, msgs int) float64 {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	clock := NewClock()
	seconds := NewSecondHistograms()
	ws := make([]*Worker, n)
	for k := range ws {
		w := NewWorker(WorkerConfig{Spec: ProducerSpec{Index: k + 1}, Clock: clock, MaxPending: 256,
			AckTimeout: time.Minute, Drain: time.Second, PayloadSize: 128, Seconds: seconds}, true)
		w.Attach(&loopback{acks: w, n: msgs, stop: w.Stop})
		w.Run(Window{From: 0, To: time.Minute}, 0)
		if err := w.Close(context.Background()); err != nil {
			tb.Fatal(err)
		}
		if got := w.Acks().Acked; got != int64(msgs) {
			tb.Fatalf("producer %d: %d acked, want %d", k+1, got, msgs)
		}
		ws[k] = w
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ws)
	return float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / float64(n)
}

// TestProducerMemoryBound holds the harness's memory per acked producer
// (its worker, in-flight ring, records and latency buffers, beyond what the
// client library holds for its connection) under a generous 128 KiB: the
// goal is 64 KiB, so that 10,000 producers fit on one machine. Three
// full-range histograms per producer took 663 KB.
func TestProducerMemoryBound(t *testing.T) {
	const n, limit = 300, 128 << 10
	got := producerHeap(t, n, 2000)
	t.Logf("%d producers: %.0f bytes each", n, got)
	if got > limit {
		t.Errorf("%d producers hold %.0f bytes each, want at most %d", n, got, limit)
	}
}

// BenchmarkProducerMemory reports the heap each acked producer holds
// (B/producer), for 1,000 producers of one step.
func BenchmarkProducerMemory(b *testing.B) {
	var per float64
	for b.Loop() {
		per = producerHeap(b, 1000, 2000)
	}
	b.ReportMetric(per, "B/producer")
}
