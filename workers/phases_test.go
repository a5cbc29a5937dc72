package workers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is a Producer that acknowledges each message at once and runs
// a hook, in the publishing goroutine, after the n-th message.
type scripted struct {
	acks  Acker
	count atomic.Int64
	hooks map[int64]func()
}

func (s *scripted) Publish(seq uint64, _ []byte) error {
	n := s.count.Add(1)
	s.acks.Ack(seq, true)
	if h := s.hooks[n]; h != nil {
		h()
	}
	return nil
}

func (s *scripted) Close(context.Context) error { return nil }

func newTestWorker(sched Schedule) *Worker {
	return NewWorker(WorkerConfig{Spec: ProducerSpec{Index: 1, Name: "w-1"}, Clock: NewClock(), Schedule: sched,
		MaxPending: 16, AckTimeout: time.Minute, Drain: time.Second, PayloadSize: 32}, true)
}

// waitCount waits until the producer has published n messages.
func waitCount(t *testing.T, p *scripted, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.count.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("published %d, want %d", p.count.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPauseStopsSendsClosedLoop(t *testing.T) {
	w := newTestWorker(nil)
	p := &scripted{acks: w}
	p.hooks = map[int64]func(){100: func() { w.Pause() }, 150: w.Stop}
	w.Attach(p)
	done := make(chan struct{})
	go func() { w.Run(Window{From: 0, To: time.Hour}, 0); close(done) }()
	waitCount(t, p, 100)
	time.Sleep(50 * time.Millisecond) // a paused worker sends nothing, however long we wait
	if n := p.count.Load(); n != 100 || !w.Paused() {
		t.Fatalf("while paused: %d published (want 100), paused %v", n, w.Paused())
	}
	if !w.Resume() || w.Resume() {
		t.Error("Resume should report true once, then false")
	}
	<-done
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Send.Sent != 150 || w.Acks().Acked != 150 || w.Send.Offered != 150 {
		t.Errorf("sent %d acked %d offered %d, want 150", w.Send.Sent, w.Acks().Acked, w.Send.Offered)
	}
	if d := w.PausedWithin(Window{From: 0, To: time.Hour}); d < 50*time.Millisecond {
		t.Errorf("paused %s, want at least 50ms", d)
	}
	if d := w.PausedWithin(Window{From: time.Hour, To: 2 * time.Hour}); d != 0 {
		t.Errorf("paused %s outside the pause", d)
	}
}

// TestPauseSkipsOpenLoopSchedule pauses an open-loop worker until its
// window ends: the paused part of the schedule is neither sent nor offered.
func TestPauseSkipsOpenLoopSchedule(t *testing.T) {
	w := newTestWorker(ConstantRate{PerSec: 1000})
	p := &scripted{acks: w}
	p.hooks = map[int64]func(){100: func() { w.Pause() }}
	w.Attach(p)
	w.Run(Window{From: 0, To: 500 * time.Millisecond}, 0)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Send.Sent != 100 || w.Send.Offered != 100 || p.count.Load() != 100 {
		t.Errorf("sent %d offered %d published %d, want 100 each", w.Send.Sent, w.Send.Offered, p.count.Load())
	}
	var offered int64
	for _, s := range w.Send.Series {
		offered += s.Offered
	}
	if offered != 100 {
		t.Errorf("series offers %d, want 100", offered)
	}
}

func TestTraceSampledAndTyped(t *testing.T) {
	var buf bytes.Buffer
	tw := NewTraceWriter(&buf, TraceOptions{Types: []EventType{EventPublish, EventAck, EventPause}, Sample: 0.01})
	w := newTestWorker(nil)
	w.SetTracer(tw.Producer("w-1", 3, w.cfg.Clock))
	p := &scripted{acks: w}
	p.hooks = map[int64]func(){500: func() { w.Pause(); w.Resume() }, 1000: w.Stop}
	w.Attach(p)
	w.Run(Window{From: 0, To: time.Hour}, 0)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := tw.Close()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var l struct {
			Timestamp time.Time      `json:"timestamp"`
			Producer  string         `json:"producer"`
			Type      string         `json:"type"`
			Direction string         `json:"direction"`
			Step      int            `json:"step"`
			Info      map[string]any `json:"info"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		counts[l.Type]++
		if l.Producer != "w-1" || l.Step != 3 || l.Timestamp.IsZero() {
			t.Errorf("line %s", sc.Text())
		}
		switch l.Type {
		case "publish":
			if l.Direction != "out" || int(l.Info["seq"].(float64))%100 != 0 {
				t.Errorf("publish %s", sc.Text())
			}
		case "ack":
			if _, ok := l.Info["latency_us"]; l.Direction != "in" || !ok {
				t.Errorf("ack %s", sc.Text())
			}
		}
	}
	want := map[string]int{"publish": 10, "ack": 10, "pause": 1} // resume is not a configured type
	if len(counts) != len(want) || counts["publish"] != 10 || counts["ack"] != 10 || counts["pause"] != 1 {
		t.Errorf("events %v, want %v", counts, want)
	}
	if st.Written != 21 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestTraceDropsWhenFull(t *testing.T) {
	tw := NewTraceWriter(&bytes.Buffer{}, TraceOptions{Types: []EventType{EventPublish}, Sample: 1, Buffer: 4, FlushEvery: time.Hour})
	tr := tw.Producer("w-1", 1, NewClock())
	for i := range 10 {
		tr.emit(Event{Seq: uint64(i + 1), Type: EventPublish})
	}
	tr.Close()
	st, err := tw.Close()
	if err != nil || st.Written != 4 || st.Dropped != 6 {
		t.Errorf("stats %+v, %v; want 4 written, 6 dropped", st, err)
	}
}

func BenchmarkWorkerLoopTraced(b *testing.B) {
	tw := NewTraceWriter(&bytes.Buffer{}, TraceOptions{Types: []EventType{EventPublish, EventAck}, Sample: 0.001})
	clock := NewClock()
	w := NewWorker(WorkerConfig{Clock: clock, MaxPending: 256, AckTimeout: time.Minute, Drain: time.Second, PayloadSize: 128}, true)
	w.SetTracer(tw.Producer("bench-1", 1, clock))
	w.Attach(&loopback{acks: w, n: b.N, stop: w.Stop})
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(Window{From: 0, To: time.Hour}, 0)
	b.StopTimer()
	if _, err := tw.Close(); err != nil {
		b.Fatal(err)
	}
}
