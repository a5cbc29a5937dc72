package workers

import (
	"testing"
	"time"
)

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
