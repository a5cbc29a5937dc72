package workers

import (
	"context"
	"testing"
	"time"
)

// untimedCount is a Producer without acks that nobody times, and that
// stops its worker after n messages: the loop core NATS runs with the
// station's subscriber off.
type untimedCount struct {
	n       int
	untimed bool
	stop    func()
}

func (u *untimedCount) Publish(uint64, []byte) error {
	if u.n--; u.n == 0 {
		u.stop()
	}
	return nil
}

func (u *untimedCount) Close(context.Context) error { return nil }
func (u *untimedCount) Untimed() bool               { return u.untimed }

func benchmarkNoAcks(b *testing.B, untimed bool) {
	w := NewWorker(WorkerConfig{Clock: NewClock(), Drain: time.Second, PayloadSize: 128}, false)
	w.Attach(&untimedCount{n: b.N, untimed: untimed, stop: w.Stop})
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(Window{From: 0, To: time.Hour}, 0)
	b.StopTimer()
	if w.Send.Sent != int64(b.N) {
		b.Fatalf("sent %d, want %d", w.Send.Sent, b.N)
	}
}

// BenchmarkWorkerLoopUntimed is the closed loop of a producer nobody times
// (core NATS, subscriber off): a clock reading every clockEvery messages.
func BenchmarkWorkerLoopUntimed(b *testing.B) { benchmarkNoAcks(b, true) }

// BenchmarkWorkerLoopTimedNoAcks is the same loop with its messages timed
// by a receiver (core NATS, subscriber on): a clock reading per message.
func BenchmarkWorkerLoopTimedNoAcks(b *testing.B) { benchmarkNoAcks(b, false) }
