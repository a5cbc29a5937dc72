package workers

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Start, called once the measured window is fixed, only dates the
// records: a thousand producers' histograms are made before, with the
// recorder. (Start used to make them, and at 1,000 MQTT QoS 0 producers
// on 2 busy cores took longer than the whole window.)
func TestDeliveryStartMakesNoHistograms(t *testing.T) {
	const producers = 1000
	r := NewDeliveryRecorder(StepSpec{Producers: producers, Clock: NewClock(), Drain: time.Second})
	for i := 1; i <= producers; i++ {
		r.Producer("orders.bench-"+strconv.Itoa(i), i)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r.Start(Window{From: time.Second, To: 3 * time.Second})
	runtime.ReadMemStats(&after)
	// The series (a few seconds) and the address map: well under 2 KiB a
	// producer; one histogram alone is more than 20 KiB.
	if perProducer := (after.TotalAlloc - before.TotalAlloc) / producers; perProducer > 2048 {
		t.Errorf("Start allocated %d bytes per producer, want at most 2048: it makes the records it should only date", perProducer)
	}
	if d := r.stats.Load(); d == nil || len(d.byProducer) != producers || d.byProducer[0].window.To != 3*time.Second {
		t.Fatal("Start did not publish dated records")
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
