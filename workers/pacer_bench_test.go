package workers

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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
	if w.Send.Sent < int64(b.N) || w.Send.Sent >= int64(b.N+clockEvery) { // a batch ends after Stop
		b.Fatalf("sent %d, want %d (and the rest of a batch)", w.Send.Sent, b.N)
	}
}

// BenchmarkWorkerLoopUntimed is the closed loop of a producer nobody times
// (core NATS, subscriber off): a clock reading every clockEvery messages.
func BenchmarkWorkerLoopUntimed(b *testing.B) { benchmarkNoAcks(b, true) }

// BenchmarkWorkerLoopTimedNoAcks is the same loop with its messages timed
// by a receiver (core NATS, subscriber on): a clock reading per message.
func BenchmarkWorkerLoopTimedNoAcks(b *testing.B) { benchmarkNoAcks(b, false) }

// lateness is a Producer without acks that records, as each message is
// handed to it, how long after its intended time (stamped in the payload)
// that is: the pacer's lag, seen from outside the pacer.
type lateness struct {
	clock *Clock
	h     *hdrhistogram.Histogram
	n     int
	stop  func()
}

func (l *lateness) Publish(_ uint64, payload []byte) error {
	if intended, _, ok := readStamp(payload); ok {
		_ = l.h.RecordValue(max(l.clock.Now()-intended, 0))
	}
	if l.n--; l.n == 0 {
		l.stop()
	}
	return nil
}

func (l *lateness) Close(context.Context) error { return nil }

// BenchmarkPacerLag paces one open-loop producer at 10, 200 and 1000
// msgs/s, one message per op, with a producer that costs nothing, and
// reports how late the messages reached it (p50, p99, µs) and the
// process's CPU per message (µs, user + system). On a loaded machine
// the figures are the machine's; run it on a quiet one:
//
//	go test -run '^$' -bench PacerLag -benchtime 5s ./workers/
func BenchmarkPacerLag(b *testing.B) {
	for _, rate := range []float64{10, 200, 1000} {
		b.Run(fmt.Sprintf("%g", rate), func(b *testing.B) {
			clock := NewClock()
			w := NewWorker(WorkerConfig{Clock: clock, Schedule: ConstantRate{PerSec: rate}, LateAfter: time.Millisecond, Drain: time.Second, PayloadSize: 128}, false)
			l := &lateness{clock: clock, h: hdrhistogram.New(1, int64(time.Minute), 3), n: b.N, stop: w.Stop}
			w.Attach(l)
			cpu0 := processCPU()
			b.ResetTimer()
			w.Run(Window{From: 0, To: time.Hour}, 0)
			b.StopTimer()
			cpu := processCPU() - cpu0
			b.ReportMetric(float64(l.h.ValueAtQuantile(50))/1e3, "lag-p50-µs")
			b.ReportMetric(float64(l.h.ValueAtQuantile(99))/1e3, "lag-p99-µs")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
		})
	}
}

// processCPU is the user plus system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFineSleepOvershoot sleeps 900 µs with fineSleep, one sleep per
// op, and reports how late the sleeps ended (p50, p99, p99.9, µs): the
// machine's own wake-up lateness, which the sleeping pacer's active wait
// absorbs up to its budget and load.pacer spin avoids. Run it on a quiet
// machine:
//
//	go test -run '^$' -bench FineSleepOvershoot -benchtime 5000x ./workers/
func BenchmarkFineSleepOvershoot(b *testing.B) {
	const d = 900 * time.Microsecond
	h := hdrhistogram.New(1, int64(time.Second), 3)
	for b.Loop() {
		t0 := time.Now()
		fineSleep(d)
		_ = h.RecordValue(max(int64(time.Since(t0)-d), 1))
	}
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1e3, "over-p50-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1e3, "over-p99-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99.9))/1e3, "over-p99.9-µs")
}
