package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// echoAcks is a Producer that acknowledges each message on a goroutine of
// its own, as a driver's receiver does. It stands in for a broker only to
// give series something to merge; the drivers run against real servers in
// their own tests.
type echoAcks struct {
	ch   chan uint64
	done chan struct{}
}

func newEchoAcks(acks workers.Acker) *echoAcks {
	e := &echoAcks{ch: make(chan uint64, 1024), done: make(chan struct{})}
	go func() {
		for seq := range e.ch {
			acks.Ack(seq, true)
		}
		close(e.done)
	}()
	return e
}

func (e *echoAcks) Publish(seq uint64, _ []byte) error { e.ch <- seq; return nil }

func (e *echoAcks) Close(context.Context) error { close(e.ch); <-e.done; return nil }

// runTwo runs two open-loop producers of one step over window, with the
// given per-second histograms (nil: each its own), and returns them closed.
func runTwo(t *testing.T, window workers.Window, seconds *workers.SecondHistograms) []*workers.Worker {
	t.Helper()
	clock := workers.NewClock()
	ws := make([]*workers.Worker, 2)
	var wg sync.WaitGroup
	for k := range ws {
		ws[k] = workers.NewWorker(workers.WorkerConfig{Clock: clock, Schedule: workers.Spread(4000, 2, k), MaxPending: 64,
			AckTimeout: time.Minute, Drain: time.Second, LateAfter: time.Millisecond, PayloadSize: 64, Seconds: seconds}, true)
		ws[k].Attach(newEchoAcks(ws[k]))
		wg.Add(1)
		go func() { defer wg.Done(); ws[k].Run(window, 0) }()
	}
	wg.Wait()
	for _, w := range ws {
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// TestSeriesP99IsTheMergedSecond: a step with two producers; each second's
// p99 in the series is the p99 of the two producers' latencies of that
// second merged, as it was when each producer's second was encoded and
// decoded again to merge (the reference here). Each producer keeps its own
// seconds so that the reference can be made; the shared set a step uses
// is checked against the same reference in workers (seconds_test.go).
func TestSeriesP99IsTheMergedSecond(t *testing.T) {
	t.Parallel()
	window := workers.Window{From: 100 * time.Millisecond, To: 1300 * time.Millisecond}
	ws := runTwo(t, window, nil)
	acks := []*workers.AckStats{ws[0].Acks(), ws[1].Acks()}
	if acks[0].Seconds() == acks[1].Seconds() {
		t.Fatal("the producers share their seconds; the reference needs them apart")
	}
	got := series(ws, acks, window.To-window.From)
	if len(got) < 2 {
		t.Fatalf("%d seconds in the series, want at least 2", len(got))
	}
	for i, s := range got {
		ref := result.NewHistogram()
		for _, a := range acks {
			h := a.Seconds().Second(i)
			if h == nil {
				continue
			}
			enc, err := result.EncodeHistogram(h)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := result.DecodeHistogram(enc)
			if err != nil {
				t.Fatal(err)
			}
			ref.Merge(dec)
		}
		want := 0.0
		if ref.TotalCount() > 0 {
			want = float64(ref.ValueAtQuantile(99)) / 1e3
		}
		if s.P99Us != want || ref.TotalCount() != s.Acked {
			t.Errorf("second %d: p99 %g µs of %d acked; reference merge p99 %g µs of %d", i, s.P99Us, s.Acked, want, ref.TotalCount())
		}
	}
}

// TestSeriesSharedSeconds: producers of a step share one set of per-second
// histograms (as openWorkers makes them); every acknowledged message is in
// it once, and the series' p99 is that of the shared second.
func TestSeriesSharedSeconds(t *testing.T) {
	t.Parallel()
	window := workers.Window{From: 100 * time.Millisecond, To: 1300 * time.Millisecond}
	shared := workers.NewSecondHistograms()
	ws := runTwo(t, window, shared)
	acks := []*workers.AckStats{ws[0].Acks(), ws[1].Acks()}
	got := series(ws, acks, window.To-window.From)
	var total int64
	for i, s := range got {
		h := shared.Second(i)
		if h == nil {
			if s.Acked != 0 || s.P99Us != 0 {
				t.Errorf("second %d: %d acked, p99 %g µs, no histogram", i, s.Acked, s.P99Us)
			}
			continue
		}
		if h.TotalCount() != s.Acked || s.P99Us != float64(h.ValueAtQuantile(99))/1e3 {
			t.Errorf("second %d: %d acked, p99 %g µs; shared histogram %d, p99 %d ns", i, s.Acked, s.P99Us, h.TotalCount(), h.ValueAtQuantile(99))
		}
		total += h.TotalCount()
	}
	if want := acks[0].Acked + acks[1].Acked; total != want || want == 0 {
		t.Errorf("%d latencies in the seconds, %d acked", total, want)
	}
}
